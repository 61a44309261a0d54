"""API: the OpenAPI document itself (public, so tools can read it before they have a token)."""

from checkin.api.common import bp
from checkin.api.openapi import document


@bp.get("/openapi.json")
def openapi():
    return document()
