"""``checkin mail send``: deliver what waits in the outbox."""

import signal
import threading

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from checkin.errors import DomainError
from checkin.events.services import get_event
from checkin.extensions import db
from checkin.mail.models import OutboxMessage, OutboxStatus
from checkin.mail.sender import Tally, deliver_pending
from checkin.mail.services import release_stuck
from checkin.mail.transports import DeliveryStopped


@click.group("mail")
def mail_cli():
    """The outbox."""


def release_option(function):
    return click.option(
        "--release-stuck-after", type=float, default=None, metavar="SECONDS",
        help="Messages 'sending' for longer than this are taken as lost by a dead sender "
             "and sent again (default CHECKIN_MAIL_STUCK_AFTER, 120). Use 0 only when no "
             "other sender is running.")(function)


def send_with_progress(event_id=None, kinds=None, release_after=None, label="Sending") -> Tally:
    """Deliver with a progress bar and print the tally; shared by the mail and followups CLIs."""
    released = release_stuck(release_after)
    if released:
        click.echo(f"{released} message(s) left by a stopped sender go out again.")
    query = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING)
    if event_id is not None:
        query = query.where(OutboxMessage.event_id == event_id)
    if kinds:
        query = query.where(OutboxMessage.kind.in_(kinds))
    pending = db.session.scalar(query)
    with click.progressbar(length=pending, label=label) as bar:
        try:
            tally = deliver_pending(event_id=event_id, kinds=kinds,
                                    on_progress=lambda _m: bar.update(1))
        except DeliveryStopped as error:
            raise click.ClickException(f"Sending stopped: {error}. Nothing was lost; "
                                       "run the command again when it is fixed.") from error
    click.echo(f"Sent {tally.sent}, failed {tally.failed}, waiting {tally.waiting} "
               f"(transient errors met: {tally.retried}).")
    return tally


@mail_cli.command("send")
@click.option("--event", "slug", default=None, help="Only this event's messages.")
@click.option("--follow", is_flag=True,
              help="Keep watching for new messages until stopped with SIGTERM or SIGINT "
                   "(the sender beside the server); ends between two messages. Messages a "
                   "killed sender left 'sending' go out again after CHECKIN_MAIL_STUCK_AFTER; "
                   "an unreachable mail server is retried, never a reason to stop.")
@release_option
@with_appcontext
def send_command(slug, follow, release_stuck_after):
    """Deliver every pending message in the outbox."""
    event_id = None
    if slug:
        try:
            event_id = get_event(slug).id
        except DomainError as error:
            raise click.ClickException(error.message) from error
    if not follow:
        send_with_progress(event_id=event_id, release_after=release_stuck_after)
        return
    if release_stuck_after is not None:
        release_stuck(release_stuck_after)
    stopping = threading.Event()
    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), lambda *_: stopping.set())
    # Outages and stuck messages are waited out inside: only a signal ends this.
    tally = deliver_pending(event_id=event_id, follow=lambda: not stopping.is_set(),
                            stop=stopping.is_set)
    click.echo(f"Sent {tally.sent}, failed {tally.failed}.")
