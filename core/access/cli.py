"""`kartoteka user` and `kartoteka token`: staff users and personal access tokens."""

from __future__ import annotations

import os
import sys

import click

from core.commands import boot, console, err_console, run_service

# Scripts and test harnesses set the password without a terminal: never as an argument, which
# other users of the machine see in the process list.
PASSWORD_VARIABLE = "KARTOTEKA_USER_PASSWORD"


def _new_password() -> str:
    secret = os.environ.get(PASSWORD_VARIABLE)
    if secret is None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if secret is None:
        secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise click.UsageError(f"--password needs a password: set {PASSWORD_VARIABLE} or pipe it to standard input")
    return secret


@click.group()
def user() -> None:
    """Staff users."""


@user.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="Name shown to other users.")
@click.option("--role", "roles", multiple=True, help="Role name (repeatable), e.g. administrator.")
@click.option("--team", default=None, help="Team name.")
@click.option("--territory", "territories", multiple=True, help="Territory code (repeatable).")
@click.option("--superuser", is_flag=True, help="Every staff permission, on all records.")
@click.option(
    "--password",
    is_flag=True,
    help=(
        "Set a password (argon2id-hashed) for interactive sign-in: asked for at a terminal, else taken from"
        f" {PASSWORD_VARIABLE} or the first line of standard input."
    ),
)
def user_create(email: str, display_name: str, roles, team, territories, superuser: bool, password: bool) -> None:
    """Create a staff user."""
    from core.access.services import create_user
    from core.auth import SYSTEM

    secret = _new_password() if password else None
    runtime = boot()
    user_id = run_service(
        create_user(
            runtime,
            SYSTEM,
            email=email,
            display_name=display_name,
            password=secret,
            roles=roles,
            team=team,
            territories=territories,
            superuser=superuser,
        )
    )
    console.print(f"Created user {user_id} <{email}>.")


@click.group()
def token() -> None:
    """Personal access tokens for scripts and integrations."""


@token.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'ERP sync'.")
@click.option("--scope", "scopes", multiple=True, help="Limit the token to this permission (repeatable).")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None, help="Expire after this many days.")
def token_create(email: str, name: str, scopes, expires_in_days: int | None) -> None:
    """Create a token for the user EMAIL and print it (it is shown only once)."""
    from datetime import UTC, datetime, timedelta

    from core.access.services import create_token, user_id_by_email
    from core.auth import SYSTEM

    runtime = boot()
    user_id = run_service(user_id_by_email(email))
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    _, secret = run_service(
        create_token(runtime, SYSTEM, user_id=user_id, name=name, scopes=scopes, expires_at=expires_at)
    )
    err_console.print("Store this token now; it cannot be shown again. Send it as 'Authorization: Bearer <token>'.")
    click.echo(secret)
