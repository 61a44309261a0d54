"""A card's QR drawing is kept once, and drawing it never commits the caller's work."""

from sqlalchemy import select

from checkin.extensions import db
from checkin.people.models import Person
from checkin.qr import drawing_for
from checkin.qr.models import QrDrawing
from tests.factories import make_attendee


def _stored(payload):
    return db.session.scalar(select(QrDrawing.id).filter_by(payload=payload))


def test_a_new_drawing_is_kept_though_the_caller_rolls_back(app, event):
    make_attendee(event)
    drawing = drawing_for("HTTP://LOCALHOST/C/FIRSTDRAWING")
    db.session.rollback()
    assert drawing.id == _stored("HTTP://LOCALHOST/C/FIRSTDRAWING") is not None


def test_drawing_never_commits_what_the_caller_has_pending(app, event):
    ana = make_attendee(event, first_name="Ana")
    person_id = ana.person_id
    ana.person.display_name = "Not saved"
    drawing_for("HTTP://LOCALHOST/C/PENDINGWORK1")  # unflushed change pending
    db.session.flush()
    drawing_for("HTTP://LOCALHOST/C/PENDINGWORK2")  # flushed change pending
    db.session.rollback()
    assert db.session.get(Person, person_id).display_name == "Ana Example"
    assert _stored("HTTP://LOCALHOST/C/PENDINGWORK1") is not None
