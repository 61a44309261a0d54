"""Communities' use cases: creating one, changing it, its owners, and finding it."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from checkin.accounts.models import Organizer
from checkin.accounts.services import find_organizer, require_event_runner
from checkin.communities.models import COMMUNITY_LIMITS, Community, CommunityOwner
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.i18n import LANGUAGES
from checkin.text import slugify

COMMUNITY_FIELDS = ("name", "slug", "default_language")


def unique_community_slug(wanted: str) -> str:
    base = slugify(wanted, max_length=COMMUNITY_LIMITS["slug"] - 6)
    slug, n = base, 1
    while db.session.scalar(select(Community.id).filter_by(slug=slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def checked_community_settings(settings: dict, community: Community | None = None) -> dict:
    """A new community's settings (or the changes to ``community``), cleaned; else a refusal:
    a name, a well-formed free slug, a known language."""
    unknown = set(settings) - set(COMMUNITY_FIELDS)
    if unknown:
        raise DomainError("bad_field", _l("Unknown field: %(names)s.",
                                          names=", ".join(sorted(unknown))))
    settings = dict(settings)
    if "name" in settings or community is None:
        settings["name"] = (settings.get("name") or "").strip()
        if not settings["name"]:
            raise DomainError("bad_name", _l("The community needs a name."), field="name")
        if len(settings["name"]) > COMMUNITY_LIMITS["name"]:
            raise DomainError("too_long", _l("At most %(limit)d characters.",
                                             limit=COMMUNITY_LIMITS["name"]), field="name")
    slug = settings.pop("slug", None)
    if slug and (community is None or slug != community.slug):
        if slugify(slug, max_length=COMMUNITY_LIMITS["slug"]) != slug:
            raise DomainError("bad_slug", _l("Use only a-z, 0-9 and single hyphens."),
                              field="slug")
        if db.session.scalar(select(Community.id).filter_by(slug=slug)) is not None:
            raise DomainError("slug_taken", _l("Another community already uses this web "
                                               "address."), status=409, field="slug")
        settings["slug"] = slug
    if "default_language" in settings and settings["default_language"] not in LANGUAGES:
        raise DomainError("bad_language", _l("The language must be English or Spanish."),
                          field="default_language")
    return settings


def new_community(owner: Organizer | None, name: str, slug: str | None = None,
                  default_language: str = "en") -> Community:
    """``create_community`` inside the caller's transaction (flushed, not committed)."""
    settings = checked_community_settings({"name": name, "slug": slug,
                                           "default_language": default_language})
    settings.setdefault("slug", unique_community_slug(settings["name"]))
    community = Community(**settings)
    db.session.add(community)
    if owner is not None:
        community.owners.append(CommunityOwner(organizer=owner))
    db.session.flush()
    return community


def create_community(owner: Organizer, name: str, slug: str | None = None,
                     default_language: str = "en") -> Community:
    """A new community owned by ``owner`` (door staff cannot make one). Commits."""
    require_event_runner(owner)
    community = new_community(owner, name, slug, default_language)
    db.session.commit()
    return community


def update_community(community: Community, **changes) -> Community:
    """Change a community's name, web address or default language. Commits."""
    for name, value in checked_community_settings(changes, community).items():
        setattr(community, name, value)
    db.session.commit()
    return community


def communities_of(organizer: Organizer) -> list[Community]:
    """The communities ``organizer`` owns, by name."""
    return list(db.session.scalars(
        select(Community).join(CommunityOwner, CommunityOwner.community_id == Community.id)
        .where(CommunityOwner.organizer_id == organizer.id).order_by(Community.name)))


def owns(organizer: Organizer, community: Community) -> bool:
    return db.session.scalar(select(CommunityOwner.id).filter_by(
        organizer_id=organizer.id, community_id=community.id)) is not None


def community_for(organizer, slug: str) -> Community:
    """The community ``slug`` if ``organizer`` owns it; anything else is the same 404."""
    community = None
    if organizer is not None and getattr(organizer, "is_authenticated", False) \
            and "\x00" not in slug and len(slug) <= COMMUNITY_LIMITS["slug"]:
        community = db.session.scalar(
            select(Community).join(CommunityOwner, CommunityOwner.community_id == Community.id)
            .where(Community.slug == slug, CommunityOwner.organizer_id == organizer.id))
    if community is None:
        raise DomainError("not_found", _l("No such community."), status=404)
    return community


def default_community_for(organizer: Organizer) -> Community:
    """Where ``organizer``'s new event goes when they name no community: the first one they
    own, else a new one named after them (flushed, not committed)."""
    owned = communities_of(organizer)
    if owned:
        return owned[0]
    name = organizer.name or organizer.email.split("@")[0]
    return new_community(organizer, name, default_language=organizer.language or "en")


def community_of_organizer(organizer: Organizer, community: Community | str | None
                           ) -> Community:
    """The community (or its slug) an organizer's new event goes to: one they own (else a
    404), or their default one."""
    if community is None:
        return default_community_for(organizer)
    if isinstance(community, str):
        return community_for(organizer, community)
    if not owns(organizer, community):
        raise DomainError("not_found", _l("No such community."), status=404)
    return community


def add_owner(community: Community, email: str) -> CommunityOwner:
    """Make the organizer with ``email`` an owner of ``community`` too (idempotent). Commits."""
    try:
        organizer = find_organizer(email)
    except DomainError as error:
        raise DomainError(error.code, _l("No organizer has the email %(email)s: they need a "
                                         "console account first.", email=email.strip()),
                          status=404, field="email") from error
    owner = db.session.scalar(select(CommunityOwner).filter_by(
        community_id=community.id, organizer_id=organizer.id))
    if owner is None:
        owner = CommunityOwner(community=community, organizer=organizer)
        db.session.add(owner)
        db.session.commit()
    return owner


def remove_owner(community: Community, organizer_id: int) -> None:
    """Take an owner away; a community always keeps one. Commits."""
    owner = db.session.scalar(select(CommunityOwner).filter_by(
        community_id=community.id, organizer_id=organizer_id))
    if owner is None:
        raise DomainError("not_found", _l("No such owner."), status=404)
    count = db.session.scalar(select(func.count()).select_from(CommunityOwner)
                              .filter_by(community_id=community.id))
    if count == 1:
        raise DomainError("last_owner", _l("A community needs at least one owner."), status=409)
    db.session.delete(owner)
    db.session.commit()


def owners_of(community: Community) -> list[Organizer]:
    return list(db.session.scalars(
        select(Organizer).join(CommunityOwner, CommunityOwner.organizer_id == Organizer.id)
        .where(CommunityOwner.community_id == community.id).order_by(Organizer.email)))
