"""``checkin mail send``: deliver what waits in the outbox."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from checkin.extensions import db
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.services import deliver_pending, release_stuck


@click.group("mail")
def mail_cli():
    """The outbox."""


@mail_cli.command("send")
@with_appcontext
def send_command():
    """Deliver every pending message in the outbox."""
    release_stuck()
    pending = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).filter_by(status=OutboxStatus.PENDING)
    )
    with click.progressbar(length=pending, label="Sending") as bar:
        tally = deliver_pending(on_progress=lambda _m: bar.update(1))
    click.echo(f"Sent {tally.sent}, failed {tally.failed}, to retry {tally.retry}.")
