"""A staff invitation link is claimed once, atomically, by the address it was sent to (issue 10,
point 9)."""

import threading

import pytest

from checkin.accounts.models import EventRole, Organizer, Role, StaffInvitation
from checkin.accounts.services import accept_staff_invitation, role_in
from checkin.errors import DomainError
from checkin.extensions import db
from tests.conftest import login
from tests.factories import make_organizer, make_staff_invitation


def _accept_in_threads(app, secret: str, organizer_ids: list[int]) -> tuple[list, list]:
    barrier = threading.Barrier(len(organizer_ids))
    won, refused, errors = [], [], []
    lock = threading.Lock()

    def accept(organizer_id: int) -> None:
        try:
            with app.app_context():
                organizer = db.session.get(Organizer, organizer_id)
                db.session.commit()  # hand the connection back before the race
                barrier.wait(timeout=10)
                try:
                    accept_staff_invitation(secret, organizer, other_address=True)
                except DomainError as error:
                    with lock:
                        refused.append(error.code)
                else:
                    with lock:
                        won.append(organizer_id)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            with lock:
                errors.append(error)

    workers = [threading.Thread(target=accept, args=(n,)) for n in organizer_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    return won, refused


@pytest.mark.parametrize("trial", range(3))
def test_two_accounts_accepting_one_link_at_once_give_the_role_once(app, owner, event, trial):
    invitation, secret = make_staff_invitation(event, role=Role.OWNER)
    accounts = [make_organizer().id for _ in range(4)]
    won, refused = _accept_in_threads(app, secret, accounts)
    assert len(won) == 1, (won, refused)
    assert refused == ["invitation_invalid"] * 3
    holders = db.session.query(EventRole).filter(EventRole.event_id == event.id,
                                                 EventRole.organizer_id.in_(accounts)).all()
    assert [h.organizer_id for h in holders] == won
    db.session.refresh(invitation)
    assert invitation.used_at is not None


def test_another_account_must_say_it_accepts_for_itself(client, owner, event):
    invitation, secret = make_staff_invitation(event, email="dora@example.org")
    someone = make_organizer(email="someone@example.org")
    login(client, someone)
    page = client.get(f"/console/join/{secret}")
    assert "This invitation was sent to dora@example.org" in page.text
    assert "You are signed in as someone@example.org" in page.text
    assert 'name="other_address"' in page.text
    refused = client.post(f"/console/join/{secret}")
    assert refused.status_code == 409
    assert "sent to dora@example.org" in refused.text
    assert role_in(someone, event) is None
    db.session.refresh(invitation)
    assert invitation.used_at is None  # still there for Dora
    accepted = client.post(f"/console/join/{secret}", data={"other_address": "1"})
    assert accepted.status_code == 303
    assert role_in(someone, event) == "door"


def test_the_invited_address_accepts_without_the_extra_choice(client, owner, event):
    dora = make_organizer(email="dora@example.org")
    _invitation, secret = make_staff_invitation(event, email="dora@example.org")
    login(client, dora)
    page = client.get(f"/console/join/{secret}")
    assert 'name="other_address"' not in page.text
    assert client.post(f"/console/join/{secret}").status_code == 303
    assert role_in(dora, event) == "door"


def test_a_used_link_is_refused_to_the_service_too(app, owner, event):
    _invitation, secret = make_staff_invitation(event, email="dora@example.org")
    dora = make_organizer(email="dora@example.org")
    accept_staff_invitation(secret, dora)
    with pytest.raises(DomainError) as refused:
        accept_staff_invitation(secret, make_organizer(), other_address=True)
    assert refused.value.code == "invitation_invalid"
    with pytest.raises(DomainError) as refused:
        accept_staff_invitation(make_staff_invitation(event)[1], make_organizer())
    assert refused.value.code == "invitation_for_another_address"
    assert db.session.query(StaffInvitation).filter(StaffInvitation.used_at.is_(None)).count() == 1


def test_the_choice_in_spanish(client, owner, event):
    _invitation, secret = make_staff_invitation(event, email="dora@example.org")
    login(client, make_organizer(email="someone@example.org"))
    page = client.get(f"/console/join/{secret}", headers={"Accept-Language": "es"})
    assert "Esta invitación se envió a dora@example.org" in page.text
