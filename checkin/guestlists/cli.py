"""``checkin attendees import SLUG FILE``: a guest list from the command line."""

import sys
import time

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from checkin.errors import DomainError
from checkin.events.services import get_event
from checkin.extensions import db
from checkin.guestlists.services import (
    LEASE,
    confirm_upload,
    continue_import,
    keep_upload,
    plan_import,
)
from checkin.people.invitations import invite_attendees
from checkin.people.models import Attendee
from checkin.transactions import retry_when_busy


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group("attendees")
def attendees_cli():
    """An event's guests."""


def summary(plan) -> str:
    delimiter = {"\t": "tab"}.get(plan.delimiter, plan.delimiter)
    return (f"Read {plan.rows} rows as {plan.format.label} ({plan.encoding}, '{delimiter}'): "
            f"{len(plan.creates)} to add, {len(plan.updates)} to update, "
            f"{len(plan.unchanged)} unchanged, {len(plan.skips)} skipped.")


@attendees_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@with_appcontext
def import_command(slug, file, dry_run):
    """Import the guest list FILE (CSV or TSV from Eventbrite, Luma, pretix, Tito,
    Hi.Events, Meetup, or a spreadsheet) into the event SLUG, in one transaction."""
    data = file.read()
    try:
        event = get_event(slug)
        plan = plan_import(event, data)
    except DomainError as error:
        fail(error.message)
    click.echo(summary(plan))
    for skip in plan.skips:
        click.echo(f"  line {skip.line}: skipped: {skip.reason}")
    for line, message in plan.warnings:
        click.echo(f"  line {line}: {message}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    total = len(plan.creates) + len(plan.updates)
    try:
        upload = retry_when_busy(lambda: keep_upload(event, data, filename=file.name))
        retry_when_busy(lambda: confirm_upload(upload))
        with click.progressbar(length=total, label="Importing", file=sys.stderr,
                               show_pos=True) as bar:
            result = import_to_the_end(upload, bar.update)
    except DomainError as error:
        fail(error.message)
    click.echo(f"Imported into {event.slug}: {result['create']} added, "
               f"{result['update']} updated, {result['unchanged']} unchanged, "
               f"{result['skip']} skipped.")


def import_to_the_end(upload, progress):
    """Continue ``upload``'s import until it is done, waiting out a busy database."""
    deadline = time.monotonic() + LEASE.total_seconds() * 2
    while time.monotonic() < deadline:
        result = retry_when_busy(lambda: continue_import(upload, progress=progress))
        if result is not None:
            return result
        if upload.state != "importing":
            raise DomainError("import_conflict", _l("Another import finished this one first."))
        time.sleep(5)  # another worker holds it: wait for it to finish or its lease to lapse
    raise DomainError("import_busy",
                      _l("The import could not continue; run the command again."))


@attendees_cli.command("invite")
@click.argument("slug")
@click.option("--resend", is_flag=True, help="Every guest again, each with a new link.")
@with_appcontext
def invite_command(slug, resend):
    """Put invitation emails for the event SLUG in the outbox (guests not yet invited)."""
    try:
        event = get_event(slug)
        query = select(func.count(Attendee.id)).where(Attendee.event_id == event.id)
        if not resend:
            query = query.where(Attendee.invited_at.is_(None))
        with click.progressbar(length=db.session.scalar(query), label="Queueing",
                               file=sys.stderr, show_pos=True) as bar:
            tally = invite_attendees(event, resend=resend, progress=bar.update)
    except DomainError as error:
        fail(error.message)
    click.echo(f"Queued {tally.queued} invitations; {tally.no_email} guests have no email. "
               "Send them with: checkin mail send")
