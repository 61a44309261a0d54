"""``checkin events …``: an event's state from the command line (followups adds ``close``)."""

import click
from flask.cli import with_appcontext

from checkin.errors import DomainError
from checkin.events.services import get_event, reopen_event


@click.group("events")
def events_cli():
    """Events."""


@events_cli.command("reopen")
@click.argument("slug")
@with_appcontext
def reopen_command(slug):
    """Reopen a closed event: connections and notes again; sent follow-ups are not resent."""
    try:
        event = reopen_event(get_event(slug))
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Reopened {event.slug}: guests can connect and write notes again.")
