"""``checkin demo``: the demo event, and the sign-in details to try it."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from checkin.events.demo import DEMO_ORGANIZER, DEMO_PASSWORD, DEMO_SLUG, create_demo, demo_exists
from checkin.events.models import Event
from checkin.extensions import db
from checkin.people.models import Attendee
from checkin.people.services import issue_signin_link, signin_url


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no event yet.")
@with_appcontext
def demo_command(if_empty):
    """Create the demo event and print how to sign in to it."""
    base_url = current_app.config["CHECKIN_BASE_URL"]
    wanted = not (if_empty and demo_exists())
    if wanted and db.session.scalar(select(Event.id).filter_by(slug=DEMO_SLUG)) is None:
        create_demo(base_url)
        click.echo("Created the demo event.")
    event = db.session.scalar(select(Event).filter_by(slug=DEMO_SLUG))
    if event is None:
        return
    click.echo(f"Console:   {base_url}/console/  ({DEMO_ORGANIZER} / {DEMO_PASSWORD})")
    two = db.session.scalars(
        select(Attendee).filter_by(event_id=event.id, source="demo").order_by(Attendee.id).limit(2)
    ).all()
    for attendee in two:
        link = signin_url(issue_signin_link(attendee))
        click.echo(f"Attendee:  {attendee.person.display_name}: {link}")
