"""``checkin followups send SLUG`` and ``checkin events close SLUG``."""

import signal
import subprocess
import sys

import click
from flask.cli import with_appcontext

from checkin.errors import DomainError
from checkin.events.services import get_event
from checkin.followups.services import (
    SENDING,
    FollowupRun,
    close,
    count_recipients,
    outbox_counts,
    require_closed,
    send_followups,
)
from checkin.mail.cli import release_option, send_with_progress
from checkin.mail.sender import Tally, deliver_pending


@click.group("followups")
def followups_cli():
    """Follow-up emails after an event."""


def _event(slug: str):
    try:
        return get_event(slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error


@followups_cli.command("send")
@click.argument("slug")
@click.option("--no-deliver", is_flag=True, help="Only render and queue; deliver later.")
@click.option("--senders", type=click.IntRange(0, 8), default=0, show_default=True,
              help="Extra sender processes that deliver while this one renders (each its "
                   "own SMTP connection; they share the outbox without overlap).")
@release_option
@with_appcontext
def send_command(slug, no_deliver, senders, release_stuck_after):
    """Render, queue and deliver every follow-up of a closed event (run again to continue)."""
    event = _event(slug)
    try:
        require_closed(event)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    event_id = event.id
    helpers = [] if no_deliver else [start_sender(slug) for _ in range(senders)]

    rendering = click.progressbar(length=count_recipients(event), label="Rendering")

    def deliver(run: FollowupRun) -> Tally:
        rendering.render_finish()  # everything is queued: say so before the sending bar
        click.echo(f"Queued {run.queued} follow-up(s) and {run.summaries_queued} organizer "
                   "summary(ies).")
        if no_deliver:
            return Tally()
        return send_with_progress(event_id=run.event_id, kinds=SENDING,
                                  release_after=release_stuck_after)

    try:
        send_followups(event, on_batch=rendering.update, deliver=deliver)
    finally:
        for helper in helpers:
            helper.send_signal(signal.SIGTERM)  # each ends after the message in hand
        for helper in helpers:
            helper.wait()
    if helpers:
        # A helper may have put a message back for a retry just before it stopped.
        deliver_pending(event_id=event_id, kinds=SENDING)
        counts = outbox_counts(event_id)
        click.echo(f"All senders: sent {counts['sent']}, failed {counts['failed']}, "
                   f"waiting {counts['pending'] + counts['sending']}.")


def start_sender(slug: str) -> subprocess.Popen:
    """``checkin mail send --event SLUG --follow`` in a child process (same environment)."""
    command = [sys.executable, "-c", "from checkin.cli import main; main()",
               "mail", "send", "--event", slug, "--follow"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


def add_close_command(cli_root: click.Group) -> None:
    """``checkin events close SLUG``, added to an ``events`` group (made if missing)."""
    group = cli_root.commands.get("events")
    if not isinstance(group, click.Group):
        group = click.Group("events", help="Events.")
        cli_root.add_command(group)

    @group.command("close")
    @click.argument("slug")
    @with_appcontext
    def close_command(slug):
        """Close an event: no more connections or notes; follow-ups can go out."""
        event = close(_event(slug))
        click.echo(f"Closed {event.slug} at {event.closed_at:%Y-%m-%d %H:%M} UTC.")
