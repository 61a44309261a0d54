"""Once a guest has signed in, their address is theirs: an organizer can never obtain a working
sign-in for them (issue 10, point 3)."""

import re
import threading

from checkin.errors import DomainError
from checkin.extensions import db
from checkin.guestlists.services import apply_import
from checkin.mail.models import OutboxMessage
from checkin.people.invitations import queue_invitation
from checkin.people.models import Attendee, Person
from checkin.people.services import change_email, update_card
from tests.conftest import login
from tests.factories import make_api_token, make_connection, make_note


def emailed_link(attendee) -> tuple[str, str]:
    """(address, path) of the newest invitation queued for ``attendee``."""
    db.session.expire_all()
    message = db.session.query(OutboxMessage).filter_by(
        kind="invitation", recipient=f"attendee:{attendee.id}").one()
    path = re.search(r"http://localhost(/s/[A-Za-z0-9_-]+)", message.text_body).group(1)
    return message.to_address, path


def guest_signed_in(app, event, create_attendee, email="ana@example.com"):
    ana = create_attendee(event, first_name="Ana", last_name="García", email=email)
    queue_invitation(ana)
    phone = app.test_client()
    assert phone.get(emailed_link(ana)[1]).status_code == 303
    return ana, phone


def edit_email(client, event, attendee, email):
    person = attendee.person
    return client.post(f"/console/events/{event.slug}/attendees/{attendee.id}", data={
        "first_name": person.first_name, "last_name": person.last_name,
        "display_name": person.display_name, "email": email})


def test_the_owner_cannot_redirect_a_signed_in_guests_link_to_themself(app, client, owner, event,
                                                                        create_attendee):
    """The attack: change the guest's address to the owner's, send a new link, change it back."""
    ana, phone = guest_signed_in(app, event, create_attendee)
    luis = create_attendee(event)
    make_note(ana, make_connection(ana, luis), "Private: knows shoe suppliers")
    login(client, owner)
    refused = edit_email(client, event, ana, owner.email)
    assert refused.status_code == 400
    assert "This guest has signed in: only they can change their email address" in refused.text
    assert db.session.get(Person, ana.person_id).email == "ana@example.com"
    client.post(f"/console/events/{event.slug}/invitations", data={"attendee_id": ana.id})
    to, _path = emailed_link(ana)
    assert to == "ana@example.com"
    page = client.get(f"/console/events/{event.slug}/attendees/{ana.id}")
    assert 'readonly' in page.text and "only they can change" in page.text


def test_before_the_guest_signs_in_the_organizer_corrects_a_typo(app, client, owner, event,
                                                                create_attendee):
    ana = create_attendee(event, first_name="Ana", email="ana@gmial.com")
    login(client, owner)
    assert edit_email(client, event, ana, "ana@gmail.com").status_code == 303
    queue_invitation(db.session.get(Attendee, ana.id))
    to, path = emailed_link(ana)
    assert to == "ana@gmail.com"
    phone = app.test_client()
    assert phone.get(path).status_code == 303
    assert phone.get(f"/e/{event.slug}/me").status_code == 200


def test_a_link_opened_after_an_organizers_change_makes_the_guests_address_win(
        app, client, owner, event, create_attendee):
    """The link went to Ana; the owner changed the address before she opened it."""
    ana = create_attendee(event, first_name="Ana", email="ana@example.com")
    queue_invitation(ana)
    _to, path = emailed_link(ana)
    login(client, owner)
    assert edit_email(client, event, ana, owner.email).status_code == 303
    assert app.test_client().get(path).status_code == 303  # Ana opens her link
    assert db.session.get(Person, ana.person_id).email == "ana@example.com"
    queue_invitation(db.session.get(Attendee, ana.id))
    assert emailed_link(ana)[0] == "ana@example.com"


def test_a_link_sent_to_an_address_the_guest_left_no_longer_signs_in(app, event,
                                                                      create_attendee):
    ana, phone = guest_signed_in(app, event, create_attendee)
    queue_invitation(db.session.get(Attendee, ana.id))
    _to, old_address_link = emailed_link(ana)
    update_card(db.session.get(Person, ana.person_id), email="ana@new.example.com")
    assert app.test_client().get(old_address_link).status_code == 404
    queue_invitation(db.session.get(Attendee, ana.id))
    to, path = emailed_link(ana)
    assert to == "ana@new.example.com"
    assert app.test_client().get(path).status_code == 303


def test_the_api_refuses_it_too(app, client, owner, event, create_attendee):
    ana, _phone = guest_signed_in(app, event, create_attendee)
    _token, secret = make_api_token(owner)
    response = client.patch(f"/api/v1/events/{event.slug}/attendees/{ana.id}",
                            json={"email": owner.email},
                            headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "email_is_the_guests"
    assert db.session.get(Person, ana.person_id).email == "ana@example.com"


def test_an_import_never_changes_a_signed_in_guests_address(app, event, create_attendee):
    ana, _phone = guest_signed_in(app, event, create_attendee)
    ana.ticket_code = "T1"
    db.session.commit()
    apply_import(event, b"name,email,ticket\nAna Garcia,owner@example.org,T1\n")
    assert db.session.get(Person, ana.person_id).email == "ana@example.com"


def test_a_guest_who_signs_in_while_an_import_runs_keeps_her_address(app, event,
                                                                   create_attendee,
                                                                   monkeypatch):
    """The import was planned while Ana had not signed in; she opens her link before the
    swap: the swap leaves her address alone (and still writes the rest of the row)."""
    monkeypatch.setattr("checkin.guestlists.services.STAGE_BATCH", 1)
    ana = create_attendee(event, first_name="Ana", last_name="Garcia", email="ana@example.com",
                          ticket_code="T1")
    queue_invitation(ana)
    _to, path = emailed_link(ana)
    phone = app.test_client()
    opened = []

    def between_batches(_count):
        if not opened:
            opened.append(phone.get(path).status_code)

    apply_import(event, b"name,email,ticket,company\n"
                        b"Ana Garcia,owner@example.org,T1,Zapatos SL\n"
                        b"Luis Gil,luis@example.com,T2,\n", progress=between_batches)
    assert opened == [303]
    db.session.expire_all()
    person = db.session.get(Person, ana.person_id)
    assert person.email == "ana@example.com" and person.company == "Zapatos SL"
    assert Attendee.query.count() == 2


def _race_first_sign_in(app, path: str, person_id: int) -> dict:
    """The guest opens her link while an organizer changes her address, both at once."""
    barrier = threading.Barrier(2)
    errors, answers = [], {}

    def organizer():
        try:
            with app.app_context():
                person = db.session.get(Person, person_id)
                db.session.commit()  # hand the connection back before the race
                barrier.wait(timeout=10)
                try:
                    change_email(person, "owner@example.org")
                    db.session.commit()
                    answers["organizer"] = "changed"
                except DomainError as error:
                    db.session.rollback()
                    answers["organizer"] = error.code
                db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)

    def guest():
        try:
            phone = app.test_client()
            barrier.wait(timeout=10)
            answers["guest"] = phone.get(path).status_code
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)

    workers = [threading.Thread(target=organizer), threading.Thread(target=guest)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    return answers


def test_an_address_change_racing_the_first_sign_in_never_leaves_the_organizers_address(
        app, event, create_attendee):
    """Whichever comes first, the guest ends signed in on her own address."""
    for trial in range(6):
        ana = create_attendee(event, first_name="Ana", email=f"ana{trial}@example.com")
        queue_invitation(ana)
        _to, path = emailed_link(ana)
        answers = _race_first_sign_in(app, path, ana.person_id)
        assert answers["guest"] == 303, answers
        assert answers["organizer"] in ("changed", "email_is_the_guests"), answers
        db.session.expire_all()
        person = db.session.get(Person, ana.person_id)
        assert person.email == f"ana{trial}@example.com", answers
        assert person.first_signed_in_at is not None


def test_console_hint_in_spanish(app, client, owner, event, create_attendee):
    ana, _phone = guest_signed_in(app, event, create_attendee)
    login(client, owner)
    page = client.get(f"/console/events/{event.slug}/attendees/{ana.id}",
                      headers={"Accept-Language": "es"})
    assert "Esta persona ya ha entrado: solo ella puede cambiar su correo" in page.text
