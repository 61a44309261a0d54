"""A person's card, and their registration (attendee) at each event."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy import event as orm_event
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from checkin.columns import CleanLine, CleanText, UtcDateTime, now_utc, one_of
from checkin.communities.models import Community
from checkin.events.models import Event
from checkin.extensions import db
from checkin.i18n import LANGUAGES
from checkin.text import clean_text, fold
from checkin.tokens import new_session_key

if TYPE_CHECKING:
    from checkin.faces.models import PersonPhoto

# Field limits, shared by the models, the forms, the API's document and the import.
LIMITS = {
    "display_name": 80,
    "first_name": 80,
    "last_name": 80,
    "headline": 120,
    "company": 120,
    "what_i_do": 500,
    "offer": 500,
    "need": 500,
    "pitch": 600,
    "phone": 40,
    "email": 254,
    "link": 300,
    # The registration's, which an organizer (or their ticketing system) writes.
    "ticket_code": 200,
    "ticket_type": 120,
    "attention_note": 300,
}
MAX_LINKS = 5
SORT_KEY_LENGTH = 120


def sort_key(text: str | None) -> str:
    """How a name sorts as people read it: accents and case forgiven, "Álvaro" before "Zoe".

    Stored beside the name, so SQLite and PostgreSQL (whatever its collation) order alike and
    a sorted page is one indexed ORDER BY, not a function over every row.
    """
    return fold(text or "")[:SORT_KEY_LENGTH]


class AttendeeSource(enum.StrEnum):
    """How an attendee came onto the guest list."""

    IMPORT = "import"
    WALK_IN = "walk_in"
    MANUAL = "manual"
    API = "api"
    DEMO = "demo"


class Person(db.Model):
    """One human in a community, matched by email: the card lives here, so it carries from
    event to event of the community. Two communities never share a person."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
        Index("ix_people_community_id_email", "community_id", "email"),
        Index("ix_people_community_id_listed", "community_id", "listed"),
        # "Whose card changed since": People to meet here catches up on card edits with it.
        Index("ix_people_community_id_updated_at", "community_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(CleanLine(LIMITS["display_name"]))
    first_name: Mapped[str] = mapped_column(CleanLine(LIMITS["first_name"]), default="")
    last_name: Mapped[str] = mapped_column(CleanLine(LIMITS["last_name"]), default="")
    headline: Mapped[str] = mapped_column(CleanLine(LIMITS["headline"]), default="")
    company: Mapped[str] = mapped_column(CleanLine(LIMITS["company"]), default="")
    # Kept in step with display_name and company by the listeners below; a bulk write that
    # skips them (the import's swap) calls people.services.refresh_sort_keys.
    name_key: Mapped[str] = mapped_column(String(SORT_KEY_LENGTH), default="", server_default="")
    company_key: Mapped[str] = mapped_column(String(SORT_KEY_LENGTH), default="",
                                             server_default="")
    what_i_do: Mapped[str] = mapped_column(CleanText, default="")
    offer: Mapped[str] = mapped_column(CleanText, default="")
    need: Mapped[str] = mapped_column(CleanText, default="")
    pitch: Mapped[str] = mapped_column(CleanText, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(CleanLine(LIMITS["phone"]), default="")
    # Where invitations go (lower-cased); shown to connections only if share_email.
    email: Mapped[str] = mapped_column(CleanLine(LIMITS["email"]), default="", index=True)
    language: Mapped[str | None] = mapped_column(String(2))
    share_email: Mapped[bool] = mapped_column(default=True)
    share_phone: Mapped[bool] = mapped_column(default=False)
    share_links: Mapped[bool] = mapped_column(default=True)
    # Whether the follow-up may suggest this person to others.
    suggestible: Mapped[bool] = mapped_column(default=True)
    # Whether fellow attendees may ask to meet them (checkin.meeting_requests).
    accepts_requests: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Whether their public card is in the community's directory (their own choice; off
    # until they turn it on).
    listed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    followups_unsubscribed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # When they first signed in. From then on the email address is theirs: only they change
    # it (on their card), and a sign-in link works only if it was sent to it.
    first_signed_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc, onupdate=now_utc)

    attendees: Mapped[list["Attendee"]] = relationship(back_populates="person")
    # In its own table (checkin.faces.models): loading it reads the key, never the bytes.
    photo: Mapped["PersonPhoto | None"] = relationship(cascade="all, delete-orphan",
                                                       passive_deletes=True)
    community: Mapped[Community] = relationship()

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.display_name!r}>"


@orm_event.listens_for(Person.display_name, "set")
def _name_changed(person: Person, value, _old, _initiator) -> None:
    # Keyed on the text as it will be stored: the raw value may hold what the column cleans.
    person.name_key = sort_key(clean_text(value or "", single_line=True))


@orm_event.listens_for(Person.company, "set")
def _company_changed(person: Person, value, _old, _initiator) -> None:
    person.company_key = sort_key(clean_text(value or "", single_line=True))


class Attendee(db.Model):
    """A person's registration at one event: ticket, card code, sign-in, check-in state."""

    __tablename__ = "attendees"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        UniqueConstraint("event_id", "ticket_code"),
        UniqueConstraint("event_id", "ticket_url"),
        Index("ix_attendees_event_id_search_key", "event_id", "search_key"),
        # Arrivals in order, and every figure of the dashboard counted from the index alone
        # (checkin.door.dashboard.figures), never from the rows.
        Index("ix_attendees_event_id_checked_in_at_state", "event_id", "checked_in_at",
              "inside", "source", "invited_at"),
        CheckConstraint(one_of("source", AttendeeSource), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The code in the attendee's QR: public, opaque, unique across all events.
    card_code: Mapped[str] = mapped_column(String(16), unique=True)
    # The code the ticketing system printed in its own QR, and which system it was.
    ticket_code: Mapped[str | None] = mapped_column(CleanLine(LIMITS["ticket_code"]))
    ticket_source: Mapped[str | None] = mapped_column(String(32))
    # The ticket's own URL when its system prints one beside the code (Tito's "Unique Ticket
    # URL"), as the door matches it: host and path, no scheme (see door.codes.ticket_url_key).
    ticket_url: Mapped[str | None] = mapped_column(CleanLine(300))
    ticket_type: Mapped[str] = mapped_column(CleanLine(LIMITS["ticket_type"]), default="")
    source: Mapped[str] = mapped_column(String(10), default=AttendeeSource.MANUAL.value)
    # SHA-256 of the sign-in secret; the secret itself is only ever in the email.
    signin_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    signin_issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The address that link was emailed to (None: handed to the operator, e.g. the demo's).
    signin_sent_to: Mapped[str | None] = mapped_column(String(LIMITS["email"]))
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # When the organizer last revoked the link (which replaced session_key).
    sessions_revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Every phone signed in as this attendee carries it in its cookie, beside the id: an id
    # names a row, this proves the sign-in. A new one signs every phone out.
    session_key: Mapped[str] = mapped_column(String(32), default=new_session_key)
    # Folded name, email and ticket code (no accents, lower case) for door and console search.
    search_key: Mapped[str] = mapped_column(CleanLine(800), default="")
    attention_note: Mapped[str] = mapped_column(CleanLine(LIMITS["attention_note"]), default="")
    # Check-in state, kept in step with the check-in log by the door service.
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    checked_in_gate: Mapped[str] = mapped_column(CleanLine(60), default="")
    inside: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now_utc)

    person: Mapped[Person] = relationship(back_populates="attendees")
    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<Attendee {self.id} {self.card_code} event={self.event_id}>"


# Long enough for any name or address people type; a longer word is matched by its start.
SEARCH_TERM_LENGTH = 64


class SearchTerm(db.Model):
    """One word of an attendee's search key, as door and dashboard search find it (see
    checkin.people.search): "ana perez ana.p@example.com" is "ana", "perez", "ana.p@example.com",
    "p@example.com", "example.com" and "com". A search word is the start of a term, found by a
    range scan of (event_id, term), so a search reads the guests it finds, not the event's all.
    """

    __tablename__ = "attendee_search_terms"
    __table_args__ = (
        Index("ix_attendee_search_terms_event_id_term", "event_id", "term", "attendee_id"),
    )

    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"),
                                             primary_key=True)
    # Compared byte by byte on PostgreSQL too ("C"), as on SQLite: a prefix is then one range
    # of the index whatever the database's collation.
    term: Mapped[str] = mapped_column(
        String(SEARCH_TERM_LENGTH).with_variant(String(SEARCH_TERM_LENGTH, collation="C"),
                                                "postgresql"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
