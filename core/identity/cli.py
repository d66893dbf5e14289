"""`kartoteka keys` and `kartoteka oauth-client`: signing keys and OAuth clients."""

from __future__ import annotations

import asyncio

import click

from core.commands import boot, console, err_console, run_service


@click.group()
def keys() -> None:
    """Keys that sign OAuth access tokens and OpenID Connect ID tokens."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the previous one keeps verifying until its tokens have expired."""
    from core.identity.keys import rotate

    kid = asyncio.run(rotate(boot()))
    console.print(f"New signing key {kid}.")


@click.group("oauth-client")
def oauth_client() -> None:
    """OAuth clients (also managed through GraphQL: oauthClientCreate…)."""


@oauth_client.command("create")
@click.argument("name")
@click.option("--audience", type=click.Choice(["staff", "portal"]), default="staff", help="Who signs in.")
@click.option("--public", is_flag=True, help="A browser or native app without a secret (PKCE only).")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Exact redirect URI (repeatable).")
@click.option("--grant", "grant_types", multiple=True, help="authorization_code, refresh_token, client_credentials.")
@click.option("--scope", "scopes", multiple=True, help="openid, profile, email, api or a permission code (repeatable).")
@click.option("--skip-consent", is_flag=True, help="A first-party front end: no consent page.")
def oauth_client_create(
    name: str, audience: str, public: bool, redirect_uris, grant_types, scopes, skip_consent
) -> None:
    """Register an OAuth client; prints its client_id and secret (the secret is shown only once)."""
    from core.auth import SYSTEM
    from core.identity.clients import create_client

    runtime = boot()
    _, client_id, secret = run_service(
        create_client(
            runtime,
            SYSTEM,
            name=name,
            audience=audience,
            confidential=not public,
            redirect_uris=redirect_uris,
            grant_types=grant_types or ("authorization_code", "refresh_token"),
            scopes=scopes,
            skip_consent=skip_consent,
        )
    )
    click.echo(f"client_id: {client_id}")
    if secret:
        err_console.print("Store this secret now; it cannot be shown again.")
        click.echo(f"client_secret: {secret}")
