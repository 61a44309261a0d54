"""API: communities — list yours, create one, read and change it, its owners."""

from flask import g

from checkin.api.common import body, bp, field
from checkin.api.openapi import add_path, add_schema, json_body, json_response, ref
from checkin.communities.models import COMMUNITY_LIMITS, Community
from checkin.communities.services import (
    add_owner,
    communities_of,
    community_for,
    create_community,
    owners_of,
    remove_owner,
    update_community,
)
from checkin.i18n import LANGUAGES

add_schema("Community", {
    "type": "object",
    "required": ["slug", "name", "default_language", "owners"],
    "properties": {
        "slug": {"type": "string"}, "name": {"type": "string"},
        "default_language": {"type": "string", "enum": list(LANGUAGES)},
        "owners": {"type": "array", "items": {
            "type": "object", "properties": {"id": {"type": "integer"},
                                             "email": {"type": "string"},
                                             "name": {"type": "string"}}}},
    },
})
COMMUNITY_FIELDS = {
    "name": {"type": "string", "maxLength": COMMUNITY_LIMITS["name"]},
    "slug": {"type": "string", "maxLength": COMMUNITY_LIMITS["slug"],
             "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
    "default_language": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
}
add_schema("CommunityInput", {"type": "object", "required": ["name"],
                              "properties": COMMUNITY_FIELDS})
add_schema("CommunityChanges", {"type": "object", "properties": COMMUNITY_FIELDS})


def community_json(community: Community) -> dict:
    return {"slug": community.slug, "name": community.name,
            "default_language": community.default_language,
            "owners": [{"id": o.id, "email": o.email, "name": o.name}
                       for o in owners_of(community)]}


@bp.get("/communities")
def list_communities():
    return {"items": [community_json(c) for c in communities_of(g.api_organizer)]}


add_path("/communities", "get", {
    "summary": "The communities you own (each runs events; its members keep one card)",
    "operationId": "listCommunities",
    "responses": {"200": json_response("Your communities", {
        "type": "object", "properties": {"items": {"type": "array",
                                                   "items": ref("Community")}}})},
})


@bp.post("/communities")
def create_community_():
    data = body()
    community = create_community(
        g.api_organizer,
        field(data, "name", str, required=True, max_length=COMMUNITY_LIMITS["name"]),
        field(data, "slug", str, max_length=COMMUNITY_LIMITS["slug"]) or None,
        field(data, "default_language", str, default="en", max_length=2))
    return community_json(community), 201


add_path("/communities", "post", {
    "summary": "Create a community, owned by you",
    "operationId": "createCommunity",
    "requestBody": json_body(ref("CommunityInput")),
    "responses": {"201": json_response("The new community", ref("Community")),
                  "403": {"description": "Door staff cannot create communities"},
                  "409": {"$ref": "#/components/responses/Conflict"}},
})

SLUG = [{"$ref": "#/components/parameters/slug"}]


@bp.get("/communities/<slug>")
def read_community(slug):
    return community_json(community_for(g.api_organizer, slug))


@bp.patch("/communities/<slug>")
def change_community(slug):
    community = community_for(g.api_organizer, slug)
    data = body()
    changes = {name: field(data, name, str, required=True, max_length=limit)
               for name, limit in (("name", COMMUNITY_LIMITS["name"]),
                                   ("slug", COMMUNITY_LIMITS["slug"]), ("default_language", 2))
               if name in data}
    return community_json(update_community(community, **changes))


add_path("/communities/{slug}", "get", {
    "summary": "One community you own",
    "operationId": "getCommunity",
    "parameters": SLUG,
    "responses": {"200": json_response("The community", ref("Community"))},
})
add_path("/communities/{slug}", "patch", {
    "summary": "Change a community's name, slug or default language",
    "operationId": "changeCommunity",
    "parameters": SLUG,
    "requestBody": json_body(ref("CommunityChanges")),
    "responses": {"200": json_response("The community", ref("Community")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})


@bp.post("/communities/<slug>/owners")
def add_owner_(slug):
    community = community_for(g.api_organizer, slug)
    add_owner(community, field(body(), "email", str, required=True, max_length=254))
    return community_json(community), 201


@bp.delete("/communities/<slug>/owners/<int:organizer_id>")
def remove_owner_(slug, organizer_id):
    community = community_for(g.api_organizer, slug)
    remove_owner(community, organizer_id)
    return community_json(community)


add_path("/communities/{slug}/owners", "post", {
    "summary": "Make another organizer (by the email of their account) an owner too",
    "operationId": "addCommunityOwner",
    "parameters": SLUG,
    "requestBody": json_body({"type": "object", "required": ["email"],
                              "properties": {"email": {"type": "string", "format": "email"}}}),
    "responses": {"201": json_response("The community", ref("Community"))},
})
add_path("/communities/{slug}/owners/{organizer_id}", "delete", {
    "summary": "Take an owner away; a community keeps at least one",
    "operationId": "removeCommunityOwner",
    "parameters": [*SLUG, {"name": "organizer_id", "in": "path", "required": True,
                           "schema": {"type": "integer"}}],
    "responses": {"200": json_response("The community", ref("Community")),
                  "409": {"$ref": "#/components/responses/Conflict"}},
})
