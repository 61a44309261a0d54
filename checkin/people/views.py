"""Attendee pages: the sign-in link, the event's sign-in and join pages, my card, my QR."""

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy import func, select

from checkin import ratelimit
from checkin.errors import DomainError
from checkin.errors_web import form_error
from checkin.events.models import Event
from checkin.events.services import get_event, require_open
from checkin.extensions import db
from checkin.faces.images import photo_from_upload
from checkin.i18n import current_language, language_chosen, remember_language
from checkin.meet.services import people_to_meet
from checkin.people.cards import link_label
from checkin.people.forms import CardForm, JoinForm, ResendForm, error_summary
from checkin.people.guests import remove_attendee, remove_member
from checkin.people.invitations import event_when, queue_invitation
from checkin.people.models import MAX_LINKS, Attendee
from checkin.people.services import (
    attendees_with_email,
    choose_language,
    invited_at_open_events,
    join_as_walk_in,
    sign_in_by_link,
    update_card,
)
from checkin.people.sessions import (
    card_to_return_to,
    sign_in,
    sign_out,
    signed_in_attendee,
    signed_in_attendees,
)
from checkin.people.vcard import content_disposition
from checkin.qr import card_payload, card_url, drawing_for

bp = Blueprint("people", __name__)

# Per email: a link asked for again and again is someone else's inbox being filled.
RESEND_PER_ADDRESS = 3
# Per client address, sized for a crowd: a venue's Wi-Fi puts hundreds of phones behind one
# address, and most arrive within half an hour. One a few seconds apart still stops a script.
RESEND_PER_IP = 300
JOIN_PER_IP = 300
WINDOW = timedelta(minutes=15)


@bp.after_request
def personal_pages_are_not_cached(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


def me_or_none(slug: str) -> tuple[Event, Attendee | None]:
    event = get_event(slug)
    return event, signed_in_attendee(event)


def require_me(slug: str) -> tuple[Event, Attendee]:
    """The event and the attendee signed in at it; anyone else is sent to its sign-in page."""
    event, me = me_or_none(slug)
    if me is None:
        raise NotSignedIn(event)
    return event, me


class NotSignedIn(Exception):
    def __init__(self, event: Event):
        self.event = event


@bp.app_errorhandler(NotSignedIn)
def to_sign_in_page(error: NotSignedIn):
    return redirect(url_for("people.event_signin", slug=error.event.slug), code=303)


@bp.get("/s/<secret>")
def signin_link(secret: str):
    """The link from the invitation: sign this browser in, then leave the secret behind."""
    attendee = sign_in_by_link(secret[:200])
    if attendee is None:
        return render_template("people/link_invalid.html", form=ResendForm()), 404
    sign_in(attendee)
    return redirect(after_sign_in(attendee), code=303)


def after_sign_in(attendee: Attendee) -> str:
    """My card, or the card I was looking at when I was asked to sign in."""
    code = card_to_return_to(attendee)
    if code:
        return url_for("connections.card", code=code)
    return url_for("people.my_card", slug=attendee.event.slug)


def resend_allowed(email: str, page: str = "resend", per_client: int = RESEND_PER_IP) -> bool:
    """Whether another link may be sent to ``email`` from this client now (else flashes why).

    Counted per client for each ``page``, and per address whichever page asks: "email me my
    link", a link that no longer works and the join page share the address's count, so
    switching pages never sends more, and a registered address is limited like any other.
    """
    allowed = (ratelimit.allow(f"{page}:ip:{request.remote_addr}", per_client, WINDOW)
               and ratelimit.allow(f"resend:email:{email}", RESEND_PER_ADDRESS, WINDOW))
    if not allowed:
        flash(_("Too many requests. Please wait a few minutes and try again."), "error")
    return allowed


@bp.post("/s/new")
def new_link():
    """From a link that no longer works: a new one for every open event this address is
    invited to, with the same answer for any address (it says nothing about who is invited)."""
    form = ResendForm()
    sent_to, status = None, 400
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if resend_allowed(email):
            for attendee in invited_at_open_events(email):
                queue_invitation(attendee)
            sent_to, status = email, 200
        else:
            status = 429
    return render_template("people/link_invalid.html", form=form, sent_to=sent_to), status


@bp.route("/e/<slug>", methods=["GET", "POST"])
def event_signin(slug: str):
    """The event's sign-in page: "email me my link again", the same answer for any address."""
    event, me = me_or_none(slug)
    if me is not None and request.method == "GET":
        return redirect(url_for("people.my_card", slug=slug), code=303)
    form = ResendForm()
    sent_to, status = None, 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if not resend_allowed(email):
            status = 429
        else:
            for attendee in attendees_with_email(event, email):
                queue_invitation(attendee)
            sent_to = email
    elif request.method == "POST":
        status = 400
    return render_template("people/signin.html", event=event, form=form, sent_to=sent_to,
                           me=me, when=event_when(event, current_language())), status


@bp.route("/e/<slug>/join", methods=["GET", "POST"])
def join(slug: str):
    """Walk-ins: name and email; the emailed link signs this phone in.

    The answer is the same whether or not the address is registered, and every link sent
    to one address counts against the same limit as the sign-in page's.
    """
    event, me = me_or_none(slug)
    if not event.walk_ins_allowed:
        raise DomainError("no_walk_ins", _("This event does not take walk-ins."), status=404)
    require_open(event)
    if me is not None:
        return redirect(url_for("people.my_card", slug=slug), code=303)
    form = JoinForm()
    sent_to, status = None, 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if not resend_allowed(email, "join", JOIN_PER_IP):
            status = 429
        else:
            try:
                attendees = join_as_walk_in(event, form.display_name.data, email,
                                            current_language())
            except DomainError as error:
                form_error(form, error)
                status = error.status if error.status != 404 else 400
            else:
                for attendee in attendees:
                    queue_invitation(attendee)
                sent_to = email
    elif request.method == "POST":
        status = 400
    return render_template("people/join.html", event=event, form=form, sent_to=sent_to), status



@bp.get("/e/<slug>/join.png")
def join_qr_png(slug: str):
    """The join page's QR, for the organizer to print at the entrance."""
    event = get_event(slug)
    if not event.walk_ins_allowed:
        raise DomainError("no_walk_ins", _("This event does not take walk-ins."), status=404)
    url = f"{current_app.config['CHECKIN_BASE_URL']}/e/{event.slug}/join"
    drawing = drawing_for(url)
    return Response(drawing.png, mimetype="image/png", headers={
        "Content-Disposition": content_disposition(f"{event.slug}-join.png")})


CARD_FORM_FIELDS = ("display_name", "headline", "company", "what_i_do", "offer", "need", "pitch",
                    "phone", "email", "share_email", "share_phone", "share_links", "suggestible",
                    "accepts_requests", "listed", "language")


@bp.route("/e/<slug>/me", methods=["GET", "POST"])
def my_card(slug: str):
    """My card: what people see, what I share, and the way to my QR, the scanner, my list."""
    event, me = require_me(slug)
    person = me.person
    form = CardForm(obj=person) if request.method == "GET" else CardForm()
    if request.method == "GET":
        form.photo.data = None  # the field is a file to upload, not the photo it had
        form.language.data = person.language or ""
        for entry, link in zip(form.links.entries, (person.links or [])[:MAX_LINKS], strict=False):
            entry.data = link
    status = 200
    # A browser never keeps a chosen file after a refusal: the page asks for it again.
    photo_chosen = bool(getattr(form.photo.data, "filename", ""))
    if form.validate_on_submit():
        try:
            card = {name: form[name].data for name in CARD_FORM_FIELDS}
            update_card(person, photo=photo_from_upload(form.photo.data),
                        remove_photo=form.remove_photo.data, **card,
                        links=[entry.data for entry in form.links.entries])
        except DomainError as error:
            form_error(form, error)
            status = 400
        else:
            g.person_language = person.language
            remember_language(person.language)  # the footer's choice gives way to this one
            refresh()  # the language just chosen speaks from this message on
            flash(_("Card saved."), "success")
            return redirect(url_for("people.my_card", slug=slug), code=303)
    elif request.method == "POST":
        status = 400
    # On a refusal every edit stays in the form, a summary leads the page and the first field
    # in error takes the focus (autofocus: no script needed).
    errors = error_summary(form) if status == 400 else []
    return render_template("people/me.html", event=event, me=me, person=person, form=form,
                           errors=errors, photo_again=photo_chosen and not form.photo.errors,
                           to_meet=people_to_meet(me),
                           first_error=next((i for i, _m in errors if i), ""),
                           card_url=card_url(current_app.config["CHECKIN_BASE_URL"],
                                             me.card_code)), status


def my_drawing(me: Attendee):
    return drawing_for(card_payload(current_app.config["CHECKIN_BASE_URL"], me.card_code))


@bp.get("/e/<slug>/me/qr")
def my_qr(slug: str):
    """My QR, filling the screen: black on white, nothing else competing for the camera."""
    event, me = require_me(slug)
    return render_template("people/qr.html", event=event, me=me, drawing=my_drawing(me))


@bp.get("/e/<slug>/me/qr.png")
def my_qr_png(slug: str):
    _event, me = require_me(slug)
    return Response(my_drawing(me).png, mimetype="image/png", headers={
        "Content-Disposition": content_disposition(f"checkin-{me.card_code}.png")})


@bp.route("/e/<slug>/me/delete", methods=["GET", "POST"])
def delete_me(slug: str):
    """Leave this event (my registration, connections and notes here go), or the whole
    community (the same at every event, and my card)."""
    event, me = require_me(slug)
    if request.method == "POST":
        if request.form.get("scope") == "community":
            sign_out(event)
            remove_member(me.person)
            flash(_("You have been removed from %(community)s: your card and everything "
                    "about you at its events are gone.", community=event.community.name),
                  "success")
        else:
            remove_attendee(me)
            sign_out(event)
            flash(_("You have been removed from this event."), "success")
        return redirect(url_for("people.event_signin", slug=slug), code=303)
    others = db.session.scalar(select(func.count()).select_from(Attendee).where(
        Attendee.person_id == me.person_id, Attendee.id != me.id))
    return render_template("people/delete.html", event=event, me=me, other_events=others)


@bp.post("/e/<slug>/signout")
def signout(slug: str):
    event = get_event(slug)
    sign_out(event)
    flash(_("You are signed out on this phone."), "success")
    return redirect(url_for("people.event_signin", slug=slug), code=303)


@language_chosen.connect
def signed_in_people_choose_it_too(_app, language: str) -> None:
    """The footer's language switch, signed in: the choice of every person this browser is."""
    for attendee in signed_in_attendees():
        choose_language(attendee.person, language)


@bp.app_template_filter("link_label")
def link_label_filter(url: str) -> str:
    return link_label(url)
