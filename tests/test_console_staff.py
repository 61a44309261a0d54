"""Console: owners invite staff with a one-time link; door staff get the door and nothing else."""

import re

from checkin.accounts.models import EventRole, Organizer, StaffInvitation
from checkin.accounts.services import role_in
from checkin.extensions import db
from checkin.mail.models import OutboxMessage
from tests.conftest import login
from tests.factories import make_organizer, make_staff, make_staff_invitation


def test_invite_emails_a_one_time_link_that_makes_an_account(client, owner, event):
    login(client, owner)
    page = client.post(f"/console/events/{event.slug}/staff",
                       data={"email": "Door@Example.org", "role": "door"})
    assert page.status_code == 200 and "Invitation sent to door@example.org." in page.text
    link = re.search(r'class="secret">http://localhost(/console/join/[^<]+)<', page.text).group(1)
    message = db.session.query(OutboxMessage).filter_by(kind="staff_invitation").one()
    assert message.to_address == "door@example.org" and link in message.text_body
    client.post("/console/logout")
    join = client.get(link)
    assert "Make your account for door@example.org" in join.text
    short = client.post(link, data={"name": "Dora", "password": "short"})
    assert short.status_code == 400
    done = client.post(link, data={"name": "Dora", "password": "long enough pass"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/door")
    dora = db.session.query(Organizer).filter_by(email="door@example.org").one()
    assert role_in(dora, event) == "door"
    assert client.get(link).status_code == 404  # used once


def test_signed_in_organizer_accepts_and_owner_is_never_demoted(client, owner, event):
    helper = make_organizer()
    invitation, secret = make_staff_invitation(event, email=helper.email)
    login(client, helper)
    assert "You are signed in as" in client.get(f"/console/join/{secret}").text
    client.post(f"/console/join/{secret}")
    assert role_in(helper, event) == "door"
    _inv, again = make_staff_invitation(event, email=owner.email)
    client.post("/console/logout")
    login(client, owner)
    client.post(f"/console/join/{again}")
    assert role_in(owner, event) == "owner"


def test_expired_withdrawn_and_unknown_links_are_404(client, owner, event):
    invitation, secret = make_staff_invitation(event)
    login(client, owner)
    client.post(f"/console/events/{event.slug}/staff/invitations/{invitation.id}/withdraw",
                data={"confirmed": "yes"})
    assert db.session.query(StaffInvitation).count() == 0
    assert client.get(f"/console/join/{secret}").status_code == 404
    assert client.get("/console/join/nonsense").status_code == 404


def test_remove_staff_but_keep_one_owner(client, owner, event):
    door = make_staff(event)
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/staff")
    assert door.email in page.text
    client.post(f"/console/events/{event.slug}/staff/{door.id}/remove", data={"confirmed": "yes"})
    assert role_in(door, event) is None
    client.post(f"/console/events/{event.slug}/staff/{owner.id}/remove", data={"confirmed": "yes"})
    assert role_in(owner, event) == "owner"
    assert db.session.query(EventRole).count() == 1


def test_door_staff_cannot_manage_the_team(client, event):
    door = make_staff(event)
    login(client, door)
    assert client.get(f"/console/events/{event.slug}/staff").status_code == 404
    assert client.post(f"/console/events/{event.slug}/staff",
                       data={"email": "x@example.org", "role": "owner"}).status_code == 404
    assert db.session.query(StaffInvitation).count() == 0


def test_invitation_secret_never_reaches_the_access_log():
    import logging

    from checkin.console import RedactStaffInvitationSecrets

    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '"GET /console/join/%s HTTP/1.1" 200', ("s3cr3t-t0ken",), None)
    RedactStaffInvitationSecrets().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/console/join/[redacted]" in record.getMessage()


def test_an_existing_account_is_asked_to_sign_in_first(client, owner, event):
    helper = make_organizer()
    _invitation, secret = make_staff_invitation(event, email=helper.email)
    page = client.get(f"/console/join/{secret}")
    assert "already has an account. Sign in, then open this link again." in page.text
    assert secret not in page.text.replace(f"/console/join/{secret}", "")
    assert client.post(f"/console/join/{secret}", data={"password": "long enough pass"}
                       ).status_code == 400
    assert role_in(helper, event) is None


def test_a_used_staff_link_says_what_happened_and_what_to_do_in_spanish(client, owner, event):
    from checkin.accounts.services import withdraw_staff_invitation

    invitation, secret = make_staff_invitation(event)
    withdraw_staff_invitation(event, invitation.id)
    page = client.get(f"/console/join/{secret}", headers={"Accept-Language": "es"})
    assert page.status_code == 404
    assert "Este enlace de invitación ya no funciona" in page.text
    assert "pide a quien organiza el evento que te invite de nuevo" in page.text
    assert 'href="/console/login"' in page.text
    assert "This invitation" not in page.text



def _invite_and_deliver(app, client, event, smtp_server, headers=None, **data):
    from checkin.mail.sender import deliver_pending

    page = client.post(f"/console/events/{event.slug}/staff", headers=headers or {},
                       data={"role": "door", **data})
    assert page.status_code == 200
    app.config["CHECKIN_MAIL_URL"] = smtp_server.url
    deliver_pending()
    (received,) = [m for m in smtp_server.messages if m["To"] == data["email"]]
    return received


def test_the_staff_invitation_speaks_the_language_chosen_for_it(app, client, owner, create_event,
                                                                smtp_server):
    """An English event, an English console: the inviter picks Spanish for a Spanish volunteer."""
    event = create_event(owner, default_language="en")
    login(client, owner)
    spanish = _invite_and_deliver(app, client, event, smtp_server, email="lucia@example.org",
                                  language="es")
    assert spanish["Subject"] == f"Te invitan a ayudar a organizar {event.name}"
    body = spanish.get_body(("plain",)).get_content()
    assert "como personal de puerta en checkin" in body and "Abre este enlace" in body
    english = _invite_and_deliver(app, client, event, smtp_server, email="zoe@example.org",
                                  language="en")
    assert english["Subject"] == f"You are invited to help run {event.name}"
    assert "as door staff on checkin" in english.get_body(("plain",)).get_content()


def test_the_staff_invitation_defaults_to_the_inviters_language_and_follows_an_account(
        app, client, owner, create_event, smtp_server):
    event = create_event(owner, default_language="en")
    pablo = make_organizer(email="pablo@example.org")
    pablo.language = "en"
    db.session.commit()
    login(client, owner)
    spanish = {"Accept-Language": "es"}
    form = client.get(f"/console/events/{event.slug}/staff", headers=spanish)
    assert "Idioma de la invitación" in form.text
    assert re.search(r'<option selected value="es">Español</option>', form.text)
    # Nothing picked: the language the inviter reads the console in.
    ana = _invite_and_deliver(app, client, event, smtp_server, headers=spanish,
                              email="ana@example.org")
    assert ana["Subject"] == f"Te invitan a ayudar a organizar {event.name}"
    # The address has an account in English: the invitation follows it, whatever was picked.
    to_pablo = _invite_and_deliver(app, client, event, smtp_server, headers=spanish,
                                   email="pablo@example.org", language="es")
    assert to_pablo["Subject"] == f"You are invited to help run {event.name}"
