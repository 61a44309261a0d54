"""The introduction emails: asking each person in turn, then introducing them to each other.

Each is rendered again when it goes out (``rendered_at_send``): an ask whose turn has passed,
or an introduction someone left meanwhile, is dropped, and the details sent are the ones
each person shares at that moment.
"""

from babel.dates import format_date
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from checkin.extensions import db
from checkin.introductions.models import Introduction, IntroductionState
from checkin.mail.models import OutboxMessage
from checkin.mail.services import (
    attachment,
    put_in_outbox,
    rendered_at_send,
    rewrite,
)
from checkin.people.cards import public_card, shared_contact
from checkin.people.models import Person
from checkin.people.vcard import serialize_vcards, vcard_filename, vcard_for

KIND_ASK = "introduction_ask"
KIND_INTRODUCED = "introduction"


def language_of(person: Person) -> str:
    """The person's own language if they chose one, else their community's."""
    return person.language or person.community.default_language or "en"


def recipient_of(introduction: Introduction, person: Person) -> str:
    return f"person:{person.id}:introduction:{introduction.id}"


def introducer_name(introduction: Introduction) -> str:
    return introduction.introducer.display_name if introduction.introducer else _("Someone")


def introductions_url(person: Person) -> str:
    base_url = current_app.config["CHECKIN_BASE_URL"]
    return f"{base_url}/community/{person.community.slug}/introductions"


def render_ask(introduction: Introduction, person: Person) -> tuple[str, str, str]:
    """(subject, text, html) asking ``person`` whether they want to be introduced: who asks,
    why, and the other's public card (never how to reach them), in ``person``'s language."""
    language = language_of(person)
    other = introduction.other(person.id)
    with force_locale(language):
        context = {
            "person": person, "other": other, "card": public_card(other),
            "introducer": introducer_name(introduction), "reason": introduction.reason,
            "other_said_yes": person.id == introduction.second_id,
            "until": format_date(introduction.expires_at.date(), "long", locale=language),
            "link": introductions_url(person), "language": language,
        }
        subject = _("%(introducer)s would like to introduce you to %(name)s",
                    introducer=context["introducer"], name=other.display_name)
        text = render_template("introductions/mail/ask.txt", **context)
        html = render_template("introductions/mail/ask.html", **context)
    return subject, text, html


def render_introduced(introduction: Introduction, person: Person) -> tuple[str, str, str, list]:
    """(subject, text, html, attachments) introducing ``person`` to the other: their card,
    the details they share and their vCard, in ``person``'s language."""
    language = language_of(person)
    other = introduction.other(person.id)
    with force_locale(language):
        context = {
            "person": person, "other": other, "card": public_card(other),
            "contact": shared_contact(other), "introducer": introducer_name(introduction),
            "reason": introduction.reason, "language": language,
            "network_url": (f"{current_app.config['CHECKIN_BASE_URL']}/community/"
                            f"{person.community.slug}/network"),
        }
        subject = _("%(introducer)s introduces you to %(name)s",
                    introducer=context["introducer"], name=other.display_name)
        text = render_template("introductions/mail/introduced.txt", **context)
        html = render_template("introductions/mail/introduced.html", **context)
        note = _("Introduced by %(name)s", name=context["introducer"])
        vcard = serialize_vcards([vcard_for(other, note=note)])
    files = [attachment(vcard_filename(other), "text/vcard", vcard.encode())]
    return subject, text, html, files


def queue_ask(introduction: Introduction, person: Person) -> None:
    """Put the ask to ``person`` in the outbox (the caller commits)."""
    if not person.email:
        return  # asked in the app only
    subject, text, html = render_ask(introduction, person)
    put_in_outbox(kind=KIND_ASK, event_id=None, recipient=recipient_of(introduction, person),
                  to_address=person.email, subject=subject, text_body=text, html_body=html,
                  headers={"Auto-Submitted": "auto-generated"})


def queue_introduced(introduction: Introduction) -> None:
    """One email to each of the two, each with the other's card (the caller commits)."""
    for person in (introduction.first, introduction.second):
        if not person.email:
            continue
        subject, text, html, files = render_introduced(introduction, person)
        put_in_outbox(kind=KIND_INTRODUCED, event_id=None,
                      recipient=recipient_of(introduction, person), to_address=person.email,
                      subject=subject, text_body=text, html_body=html, attachments=files,
                      headers={"Auto-Submitted": "auto-generated"})


def _introduction_and_person(message: OutboxMessage) -> tuple[Introduction | None, Person | None]:
    parts = message.recipient.split(":")
    if len(parts) != 4 or not parts[1].isdigit() or not parts[3].isdigit():
        return None, None
    return db.session.get(Introduction, int(parts[3])), db.session.get(Person, int(parts[1]))


@rendered_at_send(KIND_ASK)
def ask_as_of_now(message: OutboxMessage) -> bool:
    """The ask, as the other's card is now; dropped once it no longer waits for this person
    (answered, expired, or one of them left)."""
    introduction, person = _introduction_and_person(message)
    if introduction is None or person is None or not person.email \
            or not introduction.awaits(person.id):
        return False
    subject, text, html = render_ask(introduction, person)
    rewrite(message, to_address=person.email, subject=subject, text_body=text, html_body=html,
            headers={"Auto-Submitted": "auto-generated"})
    return True


@rendered_at_send(KIND_INTRODUCED)
def introduced_as_of_now(message: OutboxMessage) -> bool:
    """The introduction with what the other shares now; dropped if either left."""
    introduction, person = _introduction_and_person(message)
    if introduction is None or person is None or not person.email \
            or introduction.state != IntroductionState.INTRODUCED:
        return False
    subject, text, html, files = render_introduced(introduction, person)
    rewrite(message, to_address=person.email, subject=subject, text_body=text, html_body=html,
            attachments=files, headers={"Auto-Submitted": "auto-generated"})
    return True
