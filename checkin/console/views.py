"""Console pages."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from checkin.accounts.models import EventRole
from checkin.events.models import Event
from checkin.extensions import db

bp = Blueprint("console", __name__, url_prefix="/console")


@bp.get("/")
@login_required
def home():
    """The events this organizer holds a role in, newest first."""
    rows = db.session.execute(
        select(Event, EventRole.role)
        .join(EventRole, EventRole.event_id == Event.id)
        .where(EventRole.organizer_id == current_user.id)
        .order_by(Event.starts_at.desc())
    ).all()
    return render_template("console/home.html", rows=rows)
