"""OAuth clients: registration by administrators, exact redirect URIs, secrets shown once."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from core.access.services import hash_token, require
from core.auth import SYSTEM, Actor
from core.errors import DomainError
from core.i18n import _
from core.identity.events import OAuthClientChanged
from core.identity.services import API_SCOPE, AUDIENCES, GRANT_TYPES, OIDC_SCOPES, new_secret, utc_now
from core.identity.tables import OAuthClient

if TYPE_CHECKING:
    from core.runtime import Runtime

CLIENT_MANAGE = "core.oauth_client.manage"
# The admin UI (admin_ui/, served at /admin): a public client that `kartoteka migrate` registers.
ADMIN_UI_CLIENT_ID = "kartoteka-admin"
ADMIN_UI_CALLBACK = "/admin/callback"


def _check_redirect_uri(uri: str, position: int) -> str:
    parts = urlsplit(uri)
    loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.fragment or not parts.netloc or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise DomainError(
            "INVALID_REDIRECT_URI",
            _("A redirect URI must be an https address (http only on this computer) without a fragment."),
            ["input", "redirectUris", str(position)],
        )
    return uri


def _check_client(
    runtime: Runtime,
    audience: str,
    confidential: bool,
    redirect_uris: Sequence[str],
    grant_types: Sequence[str],
    scopes: Sequence[str],
) -> tuple[list[str], list[str], list[str]]:
    if audience not in AUDIENCES:
        raise DomainError("INVALID_AUDIENCE", _("The audience must be staff or portal."), ["input", "audience"])
    unknown = [grant for grant in grant_types if grant not in GRANT_TYPES]
    if unknown or not grant_types:
        raise DomainError(
            "INVALID_GRANT_TYPE",
            _("Grant types are authorization_code, refresh_token and client_credentials."),
            ["input", "grantTypes"],
        )
    if "client_credentials" in grant_types and (not confidential or audience != "staff"):
        raise DomainError(
            "CLIENT_CREDENTIALS_NOT_ALLOWED",
            _("Only a confidential client of the staff API may use client credentials."),
            ["input", "grantTypes"],
        )
    if "authorization_code" in grant_types and not redirect_uris:
        raise DomainError(
            "REDIRECT_URI_REQUIRED", _("The authorization code flow needs a redirect URI."), ["input", "redirectUris"]
        )
    uris = [_check_redirect_uri(uri, position) for position, uri in enumerate(dict.fromkeys(redirect_uris))]
    known = set(OIDC_SCOPES) | {API_SCOPE} | (set(runtime.registry.permissions) if audience == "staff" else set())
    wrong = [scope for scope in scopes if scope not in known]
    if wrong:
        raise DomainError("UNKNOWN_SCOPE", _("Unknown scope: {scopes}."), ["input", "scopes"], scopes=", ".join(wrong))
    return uris, list(dict.fromkeys(grant_types)), list(dict.fromkeys(scopes))


async def create_client(
    runtime: Runtime,
    actor: Actor,
    *,
    name: str,
    audience: str = "staff",
    confidential: bool = True,
    redirect_uris: Sequence[str] = (),
    grant_types: Sequence[str] = ("authorization_code", "refresh_token"),
    scopes: Sequence[str] = (),
    skip_consent: bool = False,
) -> tuple[int, str, str | None]:
    """Register a client; returns its row id, client_id and secret (shown once; None if public)."""
    require(actor, CLIENT_MANAGE)
    if not name.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    uris, grants, scopes = _check_client(runtime, audience, confidential, redirect_uris, grant_types, scopes)
    secret = new_secret() if confidential else None
    client_id = "kc_" + secrets.token_urlsafe(12)
    async with runtime.unit_of_work(actor) as uow:
        [row] = await OAuthClient.insert(
            OAuthClient(
                client_id=client_id,
                name=name.strip(),
                secret_hash=hash_token(secret) if secret else None,
                audience=audience,
                redirect_uris=uris,
                grant_types=grants,
                scopes=scopes,
                skip_consent=skip_consent,
            )
        ).returning(OAuthClient.id)
        await uow.publish(OAuthClientChanged(oauth_client_id=row["id"], change="created"))
    return row["id"], client_id, secret


async def update_client(
    runtime: Runtime,
    actor: Actor,
    client_row_id: int,
    *,
    name: str | None = None,
    redirect_uris: Sequence[str] | None = None,
    grant_types: Sequence[str] | None = None,
    scopes: Sequence[str] | None = None,
    skip_consent: bool | None = None,
    is_active: bool | None = None,
) -> None:
    require(actor, CLIENT_MANAGE)
    async with runtime.unit_of_work(actor) as uow:
        row = await OAuthClient.select().where(OAuthClient.id == client_row_id).output(load_json=True).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such OAuth client."), ["id"])
        if name is not None and not name.strip():
            raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
        uris, grants, checked_scopes = _check_client(
            runtime,
            row["audience"],
            row["secret_hash"] is not None,
            row["redirect_uris"] if redirect_uris is None else redirect_uris,
            row["grant_types"] if grant_types is None else grant_types,
            row["scopes"] if scopes is None else scopes,
        )
        changes: dict[Any, Any] = {
            OAuthClient.redirect_uris: uris,
            OAuthClient.grant_types: grants,
            OAuthClient.scopes: checked_scopes,
        }
        if name is not None:
            changes[OAuthClient.name] = name.strip()
        if skip_consent is not None:
            changes[OAuthClient.skip_consent] = skip_consent
        if is_active is not None:
            changes[OAuthClient.is_active] = is_active
        await OAuthClient.update(changes).where(OAuthClient.id == client_row_id)
        await uow.publish(OAuthClientChanged(oauth_client_id=client_row_id, change="updated"))


async def rotate_client_secret(runtime: Runtime, actor: Actor, client_row_id: int) -> str:
    """A new secret for a confidential client; the old one stops working at once."""
    require(actor, CLIENT_MANAGE)
    secret = new_secret()
    async with runtime.unit_of_work(actor) as uow:
        row = await OAuthClient.select(OAuthClient.secret_hash).where(OAuthClient.id == client_row_id).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such OAuth client."), ["id"])
        if row["secret_hash"] is None:
            raise DomainError("PUBLIC_CLIENT", _("A public client has no secret to rotate."), ["id"])
        await OAuthClient.update(
            {OAuthClient.secret_hash: hash_token(secret), OAuthClient.secret_rotated_at: utc_now()}
        ).where(OAuthClient.id == client_row_id)
        await uow.publish(OAuthClientChanged(oauth_client_id=client_row_id, change="secret_rotated"))
    return secret


async def register_first_party_client(
    runtime: Runtime,
    *,
    client_id: str,
    name: str,
    redirect_uris: Sequence[str],
    audience: str = "staff",
    grant_types: Sequence[str] = ("authorization_code", "refresh_token"),
    scopes: Sequence[str] = (),
) -> str:
    """Create a public client of this platform's own front ends under a fixed ``client_id`` (the
    front end is built with it), or bring an existing one to these values: run on every migrate,
    so a changed public address changes the redirect URI. Returns what was done: created,
    updated or unchanged."""
    uris, grants, checked_scopes = _check_client(runtime, audience, False, redirect_uris, grant_types, scopes)
    wanted = {
        "name": name,
        "secret_hash": None,
        "audience": audience,
        "redirect_uris": uris,
        "grant_types": grants,
        "scopes": checked_scopes,
        "skip_consent": True,  # first party: the platform does not ask the user about itself
        "is_active": True,
    }
    # No event, as for the built-in roles: the platform configures itself, nobody changed anything,
    # and a fresh database stays free of outbox rows (demo --if-empty, restore).
    async with runtime.unit_of_work(SYSTEM):
        row = await OAuthClient.select().where(OAuthClient.client_id == client_id).output(load_json=True).first()
        if row is None:
            await OAuthClient.insert(OAuthClient(client_id=client_id, **wanted))
            return "created"
        if all(row[key] == value for key, value in wanted.items()):
            return "unchanged"
        await OAuthClient.update({getattr(OAuthClient, key): value for key, value in wanted.items()}).where(
            OAuthClient.id == row["id"]
        )
        return "updated"


async def register_admin_ui_client(runtime: Runtime) -> str:
    """The admin UI's client, its redirect URI under this deployment's issuer."""
    return await register_first_party_client(
        runtime,
        client_id=ADMIN_UI_CLIENT_ID,
        name="Kartoteka admin UI",
        redirect_uris=[runtime.settings.issuer + ADMIN_UI_CALLBACK],
        scopes=[*OIDC_SCOPES, API_SCOPE],
    )


async def client_by_client_id(client_id: str) -> dict[str, Any] | None:
    return (
        await OAuthClient.select()
        .where((OAuthClient.client_id == client_id) & (OAuthClient.is_active == True))  # noqa: E712
        .output(load_json=True)
        .first()
    )
