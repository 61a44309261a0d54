"""The OpenAPI 3 document of /api/v1, built from a dict that every API module adds to.

A module describes each route next to its code with ``add_path(path, method, operation)``
and its shapes with ``add_schema(name, schema)``; ``document()`` is what
/api/v1/openapi.json serves.
"""

import copy

API_VERSION = "1.0.0"


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


SPEC: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "checkin API",
        "version": API_VERSION,
        "description": (
            "Events, their attendees, guest-list imports, invitations, check-ins, "
            "connections and statistics; and, for an attendee's own phone (its session "
            "cookie, never a token), their requests to meet. Authenticate with "
            "`Authorization: Bearer <token>` "
            "(make a token in the console under API tokens, or with `checkin organizer token "
            "EMAIL`). Errors are JSON: `{\"error\": {\"code\", \"message\"}}`. An event that "
            "is not yours answers 404, as one that does not exist."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {},
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            # The attendee's own endpoints (/me/...): the phone's signed-in session.
            "attendeeSession": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                }},
            },
        },
        "responses": {
            "BadRequest": _error_response("The request is not valid."),
            "Unauthorized": _error_response("No valid API token."),
            "NotFound": _error_response("No such thing, or not yours."),
            "Conflict": _error_response("The request conflicts with the current state."),
            "Forbidden": _error_response("Refused for this person."),
            "TooMany": _error_response("Too many, or too fast: try again later."),
            "TooLarge": _error_response("The request body is too large."),
            "UnsupportedMediaType": _error_response("The body is not in a format accepted."),
        },
        "parameters": {
            "slug": {"name": "slug", "in": "path", "required": True,
                     "schema": {"type": "string", "maxLength": 64}},
            "page": {"name": "page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "default": 1}},
            "per_page": {"name": "per_page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                    "default": 50}},
        },
    },
}

COMMON_RESPONSES = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def add_path(path: str, method: str, operation: dict) -> None:
    """Describe ``method`` on ``path`` (relative to /api/v1); the common refusals are added."""
    operation = copy.deepcopy(operation)
    responses = operation.setdefault("responses", {})
    for status, response in COMMON_RESPONSES.items():
        responses.setdefault(status, response)
    SPEC["paths"].setdefault(path, {})[method.lower()] = operation


def add_schema(name: str, schema: dict) -> None:
    SPEC["components"]["schemas"][name] = schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def page_of(name: str) -> dict:
    """A page of items, as every list answers."""
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": ref(name)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "next": {"type": "string", "nullable": True},
        },
    }


def param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def document() -> dict:
    return copy.deepcopy(SPEC)
