"""Every API module is loaded by the app, and the routes and the OpenAPI document agree."""

import pkgutil
import re
import sys

import checkin.api

# The resources DESIGN.md promises other people's tools, one per module.
PROMISED = {
    ("/events", "post"), ("/events/{slug}/attendees", "get"), ("/events/{slug}/imports", "post"),
    ("/events/{slug}/invitations", "post"), ("/events/{slug}/checkins", "post"),
    ("/events/{slug}/connections", "get"), ("/events/{slug}/stats", "get"),
    ("/events/{slug}/close", "post"), ("/events/{slug}/followups", "post"),
}


def routed(app) -> set[tuple[str, str]]:
    """(path relative to /api/v1 in OpenAPI's spelling, method) for every API route."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def documented(client) -> set[tuple[str, str]]:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    return {(path, method) for path, ops in paths.items() for method in ops}


def test_every_api_module_is_loaded_by_the_app(app):
    names = [m.name for m in pkgutil.iter_modules(checkin.api.__path__)]
    assert len(names) >= 10
    assert [n for n in names if f"checkin.api.{n}" not in sys.modules] == []


def test_every_route_is_documented_and_every_documented_path_answers(app, client):
    assert routed(app) == documented(client)
    assert routed(app) >= PROMISED
