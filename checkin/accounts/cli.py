"""``checkin organizer …``: console accounts from the command line."""

import sys

import click
from flask.cli import with_appcontext

from checkin.accounts.services import (
    create_organizer,
    find_organizer,
    issue_api_token,
    set_password,
    sign_out_everywhere,
)
from checkin.errors import DomainError


def fail(message: str) -> None:
    """One line on stderr and exit status 2, as every CLI refusal does."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group("organizer")
def organizer_cli():
    """Console accounts."""


def read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, default="",
                        show_default=False)


@organizer_cli.command("create")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line on stdin.")
@click.option("--name", default="", help="The name shown in the console.")
@with_appcontext
def create_command(email, password_stdin, name):
    """Create an organizer who can sign in to the console."""
    password = read_password(password_stdin)
    try:
        organizer = create_organizer(email, password, name=name)
    except DomainError as error:
        fail(error.message)
    click.echo(f"Created organizer {organizer.email}.")


@organizer_cli.command("token")
@click.argument("email")
@click.option("--label", default="cli", help="A word to tell this token apart.")
@with_appcontext
def token_command(email, label):
    """Print a new API token for EMAIL (its last line is the token)."""
    try:
        organizer = find_organizer(email)
    except DomainError as error:
        fail(error.message)
    token, secret = issue_api_token(organizer, label=label)
    click.echo(f"New API token {token.prefix}… for {organizer.email}; it is shown only once:")
    click.echo(secret)


@organizer_cli.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line on stdin.")
@with_appcontext
def password_command(email, password_stdin):
    """Set a new password for EMAIL; every console session of theirs ends."""
    try:
        organizer = find_organizer(email)
        set_password(organizer, read_password(password_stdin))
    except DomainError as error:
        fail(error.message)
    click.echo(f"New password set for {organizer.email}; every session of theirs is signed out.")


@organizer_cli.command("signout")
@click.argument("email")
@with_appcontext
def signout_command(email):
    """End every console session of EMAIL, on every device ("remember me" included)."""
    try:
        organizer = find_organizer(email)
    except DomainError as error:
        fail(error.message)
    sign_out_everywhere(organizer)
    click.echo(f"{organizer.email} is signed out everywhere.")
