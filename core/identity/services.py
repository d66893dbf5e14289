"""Business rules of identity: clients, accounts, sign-in, grants and tokens. No GraphQL, no HTTP.

Accounts live in the CRM database: a staff account is a user; a portal account is a person of the
CRM acting for one company (a client or a partner). Access tokens are short JWTs naming their
grant; every request checks the grant and the account in the database, so revoking, locking or
disabling takes effect on the next request.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import pyotp

from core.access.services import (
    USER_MANAGE,
    actor_for_user,
    hash_password,
    hash_token,
    password_needs_rehash,
    require,
    verify_password,
)
from core.access.tables import User
from core.auth import ANONYMOUS, Actor
from core.crm.tables import Company, ContactPoint, Employment
from core.errors import DomainError
from core.i18n import _
from core.identity import keys
from core.identity.events import (
    AccountLockChanged,
    OAuthClientChanged,
    OAuthGrantRevoked,
    OAuthRequestRejected,
    PasswordChanged,
    PortalAccountChanged,
    SignedIn,
    SignInFailed,
)
from core.identity.tables import (
    AccountLink,
    LoginAttempt,
    LoginSession,
    OAuthClient,
    OAuthCode,
    OAuthGrant,
    OAuthRefreshToken,
    PortalAccount,
    StaffSecurity,
)
from core.mail import send_mail
from core.validation import normalise_email

if TYPE_CHECKING:
    from core.runtime import Runtime

T = TypeVar("T")
CLIENT_MANAGE = "core.oauth_client.manage"
PORTAL_ACCOUNT_MANAGE = "core.portal_account.manage"
PORTAL_ADMIN = "core.portal.admin"  # held by a client's portal administrator (portal actors only)

Audience = Literal["staff", "portal"]
AUDIENCES: tuple[Audience, ...] = ("staff", "portal")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
OIDC_SCOPES = ("openid", "profile", "email")
API_SCOPE = "api"  # everything the signed-in account may do (cut by nothing else)
# Rights of a portal person inside their company, as the permission codes plugins check.
RIGHTS = {
    "client": {"browse": "core.portal.browse", "order": "core.portal.order", "invoices": "core.portal.invoices"},
    "partner": {"leads": "core.partner.leads"},
}
ACCOUNT_KINDS = tuple(RIGHTS)
CODE_LIFETIME = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(hours=12)
LINK_LIFETIME = {"invitation": timedelta(days=7), "reset": timedelta(hours=1)}
MIN_PASSWORD = 12
# argon2id takes 64 MiB per hash: a few at a time keep a burst of sign-ins from exhausting memory.
_HASHING = threading.BoundedSemaphore(4)


def _bounded(function: Callable[..., T], *args: Any) -> T:
    with _HASHING:
        return function(*args)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def audience_uri(runtime: Runtime, audience: str) -> str:
    """The ``aud`` of access tokens: the address of the API they open."""
    return runtime.settings.issuer + ("/portal/graphql" if audience == "portal" else "/graphql")


# --- who signs in ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """An account that signed in: a staff user or a portal person."""

    kind: Audience
    id: int
    email: str
    display_name: str
    auth_time: datetime | None = None
    methods: tuple[str, ...] = ("pwd",)
    grant_id: int | None = None

    def get_user_id(self) -> str:  # authlib: the `sub` claim
        return f"{'user' if self.kind == 'staff' else 'portal'}:{self.id}"


@dataclass(frozen=True)
class ServiceSubject:
    """A partner integration acting on its own (client credentials)."""

    client_id: str
    grant_id: int

    def get_user_id(self) -> str:
        return self.client_id


async def staff_account(email: str) -> dict[str, Any] | None:
    row = (
        await User.select(User.id, User.email, User.display_name, User.password_hash, User.is_active)
        .where(User.email == email)
        .first()
    )
    if row is None:
        return None
    security = await StaffSecurity.select().where(StaffSecurity.user == row["id"]).first()
    return {
        **row,
        "locked_at": security["locked_at"] if security else None,
        "totp_secret": security["totp_secret"] if security else None,
        "usable": bool(row["is_active"]),
    }


async def _portal_account(email: str) -> dict[str, Any] | None:
    row = (
        await PortalAccount.select(
            PortalAccount.all_columns(), PortalAccount.person.first_name, PortalAccount.person.last_name
        )
        .where(PortalAccount.email == email)
        .first()
    )
    if row is None:
        return None
    name = f"{row['person.first_name']} {row['person.last_name']}".strip()
    return {**row, "display_name": name, "usable": bool(row["is_active"]) and row["activated_at"] is not None}


async def _account(audience: Audience, email: str) -> dict[str, Any] | None:
    return await (staff_account(email) if audience == "staff" else _portal_account(email))


def _subject(audience: Audience, row: dict[str, Any], auth_time: datetime, methods: Sequence[str]) -> Subject:
    return Subject(audience, row["id"], row["email"], row["display_name"], auth_time, tuple(methods))


def _ids(audience: Audience, account_id: int | None) -> dict[str, int | None]:
    return {
        "user_id": account_id if audience == "staff" else None,
        "portal_account_id": account_id if audience == "portal" else None,
    }


# --- sign-in -----------------------------------------------------------------------------------
class SignInRefused(Exception):
    """Wrong credentials, a throttled account or address, or a locked account."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


async def _record_failure(
    runtime: Runtime, audience: Audience, email: str, address: str, reason: str, account_id: int | None
) -> None:
    async with runtime.unit_of_work(ANONYMOUS) as uow:
        if reason != "throttled":
            await LoginAttempt.insert(LoginAttempt(account=f"{audience}:{email}", address=address))
        # Attempts older than the window count for nothing: forget them as new ones come.
        window = timedelta(minutes=runtime.settings.login_throttle_minutes)
        await LoginAttempt.delete().where(LoginAttempt.attempted_at < _now() - window)
        await uow.publish(SignInFailed(email=email, address=address, reason=reason, **_ids(audience, account_id)))


async def _throttled(runtime: Runtime, audience: Audience, email: str, address: str) -> bool:
    settings = runtime.settings
    since = _now() - timedelta(minutes=settings.login_throttle_minutes)
    recent = LoginAttempt.attempted_at > since
    by_account = await LoginAttempt.count().where(recent & (LoginAttempt.account == f"{audience}:{email}"))
    if by_account >= settings.login_failures_per_account:
        return True
    return (
        await LoginAttempt.count().where(recent & (LoginAttempt.address == address)) >= settings.login_failures_per_ip
    )


async def check_password(runtime: Runtime, audience: Audience, email: str, password: str, address: str) -> dict:
    """The account whose password this is; raises :class:`SignInRefused` (and records why)."""
    try:
        email = normalise_email(email, ["email"])
    except DomainError:
        email = email.strip().lower()[:254]
    if await _throttled(runtime, audience, email, address):
        await _record_failure(runtime, audience, email, address, "throttled", None)
        raise SignInRefused("throttled")
    row = await _account(audience, email)
    # An unknown address costs a hash too, so timing does not tell which addresses exist.
    stored = row["password_hash"] if row else _dummy_hash()
    good = await asyncio.to_thread(_bounded, verify_password, stored, password)
    if row is None or not good or not row["usable"]:
        await _record_failure(runtime, audience, email, address, "wrong_password", row["id"] if row else None)
        raise SignInRefused("wrong_password")
    if row["locked_at"] is not None:
        await _record_failure(runtime, audience, email, address, "locked", row["id"])
        raise SignInRefused("locked")
    if password_needs_rehash(stored):
        # The only moment the password is known: bring its hash up to today's argon2 parameters.
        table = User if audience == "staff" else PortalAccount
        new_hash = await asyncio.to_thread(_bounded, hash_password, password)
        await table.update({table.password_hash: new_hash}).where(table.id == row["id"])
    return row


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def totp_matches(secret: str, code: str) -> bool:
    return bool(code) and pyotp.TOTP(secret).verify(code.strip(), valid_window=1)


async def check_totp(runtime: Runtime, session: dict[str, Any], code: str, address: str) -> bool:
    """Finish a sign-in whose password was right; a wrong code counts as a failed attempt."""
    audience: Audience = "staff" if session["user"] else "portal"
    account_id = session["user"] or session["portal_account"]
    row = await _account_by_id(audience, account_id)
    if row is None:
        return False
    if await _throttled(runtime, audience, row["email"], address):
        await _record_failure(runtime, audience, row["email"], address, "throttled", account_id)
        return False
    if not row["totp_secret"] or not totp_matches(row["totp_secret"], code):
        await _record_failure(runtime, audience, row["email"], address, "wrong_code", account_id)
        return False
    await LoginSession.update({LoginSession.totp_pending: False}).where(LoginSession.id == session["id"])
    await _signed_in(runtime, audience, row, address, ["pwd", "otp"])
    return True


async def _signed_in(
    runtime: Runtime, audience: Audience, row: dict[str, Any], address: str, methods: list[str]
) -> None:
    async with runtime.unit_of_work(ANONYMOUS) as uow:
        await LoginAttempt.delete().where(LoginAttempt.account == f"{audience}:{row['email']}")
        await uow.publish(SignedIn(address=address, methods=methods, **_ids(audience, row["id"])))


async def _account_by_id(audience: Audience, account_id: int) -> dict[str, Any] | None:
    table = User if audience == "staff" else PortalAccount
    row = await table.select(table.email).where(table.id == account_id).first()
    return await _account(audience, row["email"]) if row else None


async def start_session(
    runtime: Runtime, audience: Audience, row: dict[str, Any], address: str, methods: Sequence[str] = ("pwd",)
) -> tuple[str, bool]:
    """A browser session for ``row``; returns the cookie value and whether a TOTP code is still due
    (never after single sign-on: the provider has authenticated the person its own way)."""
    token = new_secret()
    pending = bool(row["totp_secret"]) and "sso" not in methods
    await LoginSession.delete().where(LoginSession.expires_at < _now())
    await LoginSession.insert(
        LoginSession(
            token_hash=hash_token(token),
            totp_pending=pending,
            expires_at=_now() + SESSION_LIFETIME,
            **{"user" if audience == "staff" else "portal_account": row["id"]},
        )
    )
    if not pending:
        await _signed_in(runtime, audience, row, address, list(methods))
    return token, pending


async def session_row(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    row = await LoginSession.select().where(LoginSession.token_hash == hash_token(token)).first()
    if row is None or row["ended_at"] is not None or _aware(row["expires_at"]) <= _now():
        return None
    return row


async def session_subject(token: str | None, audience: Audience) -> Subject | None:
    """The account signed in with this session cookie, if it is still allowed in."""
    row = await session_row(token)
    if row is None or row["totp_pending"]:
        return None
    account_id = row["user"] if audience == "staff" else row["portal_account"]
    if account_id is None:
        return None
    account = await _account_by_id(audience, account_id)
    if account is None or not account["usable"] or account["locked_at"] is not None:
        return None
    methods = ("pwd", "otp") if account["totp_secret"] else ("pwd",)
    return _subject(audience, account, _aware(row["auth_time"]) or _now(), methods)


async def end_session(token: str | None) -> None:
    if token:
        await LoginSession.update({LoginSession.ended_at: _now()}).where(
            (LoginSession.token_hash == hash_token(token)) & LoginSession.ended_at.is_null()
        )


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this server; None for anything that could leave it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return None
    return target


async def record_rejection(
    runtime: Runtime, endpoint: str, error: str, description: str = "", client_id: str = "", address: str = ""
) -> None:
    async with runtime.unit_of_work(ANONYMOUS) as uow:
        await uow.publish(
            OAuthRequestRejected(
                endpoint=endpoint,
                error=error,
                description=description[:300],
                client_id=client_id[:100],
                address=address,
            )
        )


# --- clients -----------------------------------------------------------------------------------
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
            {OAuthClient.secret_hash: hash_token(secret), OAuthClient.secret_rotated_at: _now()}
        ).where(OAuthClient.id == client_row_id)
        await uow.publish(OAuthClientChanged(oauth_client_id=client_row_id, change="secret_rotated"))
    return secret


async def client_by_client_id(client_id: str) -> dict[str, Any] | None:
    return (
        await OAuthClient.select()
        .where((OAuthClient.client_id == client_id) & (OAuthClient.is_active == True))  # noqa: E712
        .output(load_json=True)
        .first()
    )


# --- grants, codes and refresh tokens ---------------------------------------------------------
async def create_grant(client_row_id: int, subject: Subject | None, scope: str) -> int:
    values: dict[str, Any] = {"client": client_row_id, "scope": scope}
    if subject is not None:
        values["user" if subject.kind == "staff" else "portal_account"] = subject.id
        values["auth_time"] = subject.auth_time
    [row] = await OAuthGrant.insert(OAuthGrant(**values)).returning(OAuthGrant.id)
    return row["id"]


async def save_code(
    code: str, grant_id: int, redirect_uri: str, scope: str, nonce: str, challenge: str, method: str
) -> None:
    await OAuthCode.insert(
        OAuthCode(
            code_hash=hash_token(code),
            grant=grant_id,
            redirect_uri=redirect_uri,
            scope=scope,
            nonce=nonce,
            code_challenge=challenge,
            code_challenge_method=method,
            expires_at=_now() + CODE_LIFETIME,
        )
    )


class Replayed(Exception):
    """A code or refresh token presented a second time; its whole grant has been revoked."""


async def revoke_grant(runtime: Runtime, grant_id: int, reason: str, actor: Actor = ANONYMOUS) -> bool:
    async with runtime.unit_of_work(actor) as uow:
        revoked = (
            await OAuthGrant.update({OAuthGrant.revoked_at: _now(), OAuthGrant.revoked_reason: reason})
            .where((OAuthGrant.id == grant_id) & OAuthGrant.revoked_at.is_null())
            .returning(OAuthGrant.id)
        )
        if revoked:
            await uow.publish(OAuthGrantRevoked(oauth_grant_id=grant_id, reason=reason))
    return bool(revoked)


async def consume_code(runtime: Runtime, code: str, client_row_id: int) -> dict[str, Any] | None:
    """The code's record, marked used; None if unknown, expired or another client's. A code used
    before revokes the grant issued from it (RFC 6749 §4.1.2) and raises :class:`Replayed`."""
    row = (
        await OAuthCode.select(
            OAuthCode.all_columns(),
            OAuthCode.grant.client,
            OAuthCode.grant.revoked_at,
            OAuthCode.grant.user,
            OAuthCode.grant.portal_account,
            OAuthCode.grant.auth_time,
        )
        .where(OAuthCode.code_hash == hash_token(code))
        .first()
    )
    if row is None or row["grant.client"] != client_row_id:
        return None
    claimed = (
        await OAuthCode.update({OAuthCode.used_at: _now()})
        .where((OAuthCode.id == row["id"]) & OAuthCode.used_at.is_null())
        .returning(OAuthCode.id)
    )
    if not claimed:
        await revoke_grant(runtime, row["grant"], "code_replay")
        raise Replayed
    if _aware(row["expires_at"]) <= _now() or row["grant.revoked_at"] is not None:
        return None
    return row


async def issue_refresh_token(runtime: Runtime, grant_id: int) -> str:
    token = "kr_" + new_secret()
    await OAuthRefreshToken.insert(
        OAuthRefreshToken(
            token_hash=hash_token(token),
            grant=grant_id,
            expires_at=_now() + timedelta(days=runtime.settings.refresh_token_days),
        )
    )
    return token


async def rotate_refresh_token(runtime: Runtime, token: str, client_row_id: int) -> dict[str, Any] | None:
    """Spend a refresh token: its grant row, or None. A token spent before is a stolen copy (or
    the thief's copy was spent first): the whole grant is revoked and :class:`Replayed` raised."""
    row = (
        await OAuthRefreshToken.select(
            OAuthRefreshToken.all_columns(),
            OAuthRefreshToken.grant.client,
            OAuthRefreshToken.grant.revoked_at,
            OAuthRefreshToken.grant.scope,
            OAuthRefreshToken.grant.user,
            OAuthRefreshToken.grant.portal_account,
            OAuthRefreshToken.grant.auth_time,
        )
        .where(OAuthRefreshToken.token_hash == hash_token(token))
        .first()
    )
    if row is None or row["grant.client"] != client_row_id:
        return None
    if row["grant.revoked_at"] is not None:
        return None
    # One statement claims the token, so of two refreshes racing with it exactly one wins.
    claimed = (
        await OAuthRefreshToken.update({OAuthRefreshToken.rotated_at: _now()})
        .where((OAuthRefreshToken.id == row["id"]) & OAuthRefreshToken.rotated_at.is_null())
        .returning(OAuthRefreshToken.id)
    )
    if not claimed:
        await revoke_grant(runtime, row["grant"], "refresh_token_reuse")
        raise Replayed
    if _aware(row["expires_at"]) <= _now():
        return None
    return row


async def subject_for_grant(grant: dict[str, Any], prefix: str = "") -> Subject | None:
    """The account a grant row (or a row joined to a grant, with ``prefix``) belongs to, if usable."""
    audience: Audience = "staff" if grant[f"{prefix}user"] else "portal"
    account = await _account_by_id(audience, grant[f"{prefix}user"] or grant[f"{prefix}portal_account"])
    if account is None or not account["usable"] or account["locked_at"] is not None:
        return None
    return _subject(audience, account, _aware(grant[f"{prefix}auth_time"]) or _now(), ("pwd",))


async def find_token_grant(runtime: Runtime, token: str) -> dict[str, Any] | None:
    """The grant of a refresh token or an access token of ours (for revocation and introspection)."""
    if token.startswith("kr_"):
        row = (
            await OAuthRefreshToken.select(OAuthRefreshToken.grant, OAuthRefreshToken.expires_at)
            .where(OAuthRefreshToken.token_hash == hash_token(token))
            .first()
        )
        if row is None:
            return None
        grant_id, expires_at, claims = row["grant"], _aware(row["expires_at"]), {}
    else:
        claims = await _access_claims(runtime, token)
        if claims is None:
            return None
        grant_id, expires_at = claims["gid"], datetime.fromtimestamp(claims["exp"], UTC)
    grant = await _grant_state(grant_id)
    if grant is None:
        return None
    return {
        **grant,
        "expires_at": expires_at,
        "claims": claims,
        "token_type": "refresh_token" if not claims else "access_token",
    }


async def _access_claims(runtime: Runtime, token: str) -> dict[str, Any] | None:
    store = keys.runtime_keys(runtime)
    for audience in AUDIENCES:
        try:
            return await store.verify(token, audience=audience_uri(runtime, audience))
        except keys.InvalidJWT:
            continue
    return None


async def _grant_state(grant_id: int) -> dict[str, Any] | None:
    return (
        await OAuthGrant.select(
            OAuthGrant.all_columns(),
            OAuthGrant.client.client_id,
            OAuthGrant.client.is_active,
            OAuthGrant.client.scopes,
            OAuthGrant.client.audience,
        )
        .where(OAuthGrant.id == grant_id)
        .output(load_json=True)
        .first()
    )


async def grant_is_live(grant: dict[str, Any]) -> bool:
    if grant["revoked_at"] is not None or not grant["client.is_active"]:
        return False
    if grant["user"] is None and grant["portal_account"] is None:
        return True  # client credentials
    return await subject_for_grant(grant) is not None


# --- access tokens -----------------------------------------------------------------------------
async def sign_access_token(
    runtime: Runtime, client: dict[str, Any], subject: Subject | ServiceSubject, scope: str
) -> str:
    now = keys.now_seconds()
    claims = {
        "iss": runtime.settings.issuer,
        "sub": subject.get_user_id(),
        "aud": audience_uri(runtime, client["audience"]),
        "client_id": client["client_id"],
        "iat": now,
        "exp": now + runtime.settings.access_token_seconds,
        "jti": secrets.token_urlsafe(12),
        "scope": scope,
        "gid": subject.grant_id,
    }
    return await keys.runtime_keys(runtime).sign(claims, token_type="at+jwt")


class TokenRejected(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


async def actor_for_access_token(runtime: Runtime, token: str, audience: Audience) -> Actor:
    """The actor of an access token for the API of ``audience``; raises :class:`TokenRejected`."""
    try:
        claims = await keys.runtime_keys(runtime).verify(token, audience=audience_uri(runtime, audience))
    except keys.InvalidJWT as error:
        raise TokenRejected(error.reason) from None
    grant = await _grant_state(int(claims.get("gid") or 0))
    if grant is None or grant["client.client_id"] != claims.get("client_id"):
        raise TokenRejected("unknown grant")
    if grant["revoked_at"] is not None or not grant["client.is_active"]:
        raise TokenRejected("revoked")
    scopes = str(claims.get("scope") or "").split()
    allowed = set(grant["client.scopes"])  # the client's scopes now: narrowing a client applies at once
    scopes = [scope for scope in scopes if scope in allowed]
    if grant["user"] is None and grant["portal_account"] is None:
        return _service_actor(runtime, grant["client.client_id"], scopes)
    subject = await subject_for_grant(grant)
    if subject is None:
        raise TokenRejected("account disabled")
    if subject.kind == "staff":
        user = (
            await User.select(User.id, User.is_superuser, User.display_name, User.team)
            .where(User.id == subject.id)
            .first()
        )
        permissions = [scope for scope in scopes if scope in runtime.registry.permissions]
        if API_SCOPE in scopes:
            return await actor_for_user(runtime, user)
        # A token without API scopes reaches nothing (an empty cut would mean "everything").
        return await actor_for_user(runtime, user, permissions or ("",))
    return await portal_actor(subject.id, full=API_SCOPE in scopes)


def _service_actor(runtime: Runtime, client_id: str, scopes: Sequence[str]) -> Actor:
    codes = [scope for scope in scopes if scope in runtime.registry.permissions]
    return Actor(
        kind="service",
        id=client_id,
        permissions=frozenset(codes),
        display_name=client_id,
        record_scopes={code: "all" for code in codes},
    )


async def portal_actor(account_id: int, *, full: bool = True) -> Actor:
    row = (
        await PortalAccount.select(
            PortalAccount.all_columns(), PortalAccount.person.first_name, PortalAccount.person.last_name
        )
        .where(PortalAccount.id == account_id)
        .output(load_json=True)
        .first()
    )
    rights = RIGHTS[row["kind"]]
    codes = {rights[right] for right in row["rights"] if right in rights} if full else set()
    if full and row["is_admin"]:
        codes.add(PORTAL_ADMIN)
    return Actor(
        kind="partner" if row["kind"] == "partner" else "portal",
        id=str(row["person"]),
        permissions=frozenset(codes),
        display_name=f"{row['person.first_name']} {row['person.last_name']}".strip(),
        company_id=row["company"],
        account_id=row["id"],
    )


def user_info(subject: Subject, scope: str) -> dict[str, Any]:
    scopes = scope.split()
    info: dict[str, Any] = {"sub": subject.get_user_id()}
    if "profile" in scopes:
        info["name"] = subject.display_name
    if "email" in scopes:
        info["email"] = subject.email
        info["email_verified"] = True  # invitations and resets prove the address
    return info


# --- accounts ----------------------------------------------------------------------------------
async def _security_row(user_id: int) -> None:
    if not await StaffSecurity.exists().where(StaffSecurity.user == user_id):
        await StaffSecurity.insert(StaffSecurity(user=user_id))


async def revoke_account_grants(runtime: Runtime, audience: Audience, account_id: int, reason: str) -> None:
    column = OAuthGrant.user if audience == "staff" else OAuthGrant.portal_account
    rows = await OAuthGrant.select(OAuthGrant.id).where((column == account_id) & OAuthGrant.revoked_at.is_null())
    for row in rows:
        await revoke_grant(runtime, row["id"], reason)
    session_column = LoginSession.user if audience == "staff" else LoginSession.portal_account
    await LoginSession.update({LoginSession.ended_at: _now()}).where(
        (session_column == account_id) & LoginSession.ended_at.is_null()
    )


async def set_lock(runtime: Runtime, actor: Actor, audience: Audience, account_id: int, locked: bool) -> None:
    """Lock (no sign-in; sessions and grants end at once) or unlock a staff user or portal account."""
    require(actor, USER_MANAGE if audience == "staff" else PORTAL_ACCOUNT_MANAGE)
    if locked and audience == "staff" and actor.kind == "staff" and str(account_id) == actor.id:
        raise DomainError("SELF_LOCK", _("You cannot lock your own account."), ["id"])
    table = User if audience == "staff" else PortalAccount
    async with runtime.unit_of_work(actor) as uow:
        if not await table.exists().where(table.id == account_id):
            message = _("No such user.") if audience == "staff" else _("No such portal account.")
            raise DomainError("NOT_FOUND", message, ["id"])
        locked_at = _now() if locked else None
        if audience == "staff":
            await _security_row(account_id)
            await StaffSecurity.update({StaffSecurity.locked_at: locked_at}).where(StaffSecurity.user == account_id)
        else:
            await PortalAccount.update({PortalAccount.locked_at: locked_at}).where(PortalAccount.id == account_id)
        if not locked:
            await _forget_failures(audience, account_id)
        await uow.publish(AccountLockChanged(locked=locked, **_ids(audience, account_id)))
    if locked:
        await revoke_account_grants(runtime, audience, account_id, "account_locked")


async def _forget_failures(audience: Audience, account_id: int) -> None:
    row = await _account_by_id(audience, account_id)
    if row is not None:
        await LoginAttempt.delete().where(LoginAttempt.account == f"{audience}:{row['email']}")


async def set_totp(
    runtime: Runtime, actor: Actor, secret: str | None, code: str = "", user_id: int | None = None
) -> None:
    """Turn TOTP on for the actor's own account (proved by a code from the new secret), or off;
    with ``user_id``, an administrator turns a staff user's TOTP off (a lost phone)."""
    if user_id is not None:
        require(actor, USER_MANAGE)
        if secret is not None:
            raise DomainError("OWN_ACCOUNT_ONLY", _("Only the account holder can set up a one-time code."), ["id"])
    if secret is not None:
        try:
            valid = len(secret) >= 16 and totp_matches(secret, code)
        except ValueError:  # not base32
            valid = False
        if not valid:
            raise DomainError("WRONG_CODE", _("The one-time code does not match."), ["input", "code"])
    async with runtime.unit_of_work(actor):
        if user_id is not None or actor.kind == "staff":
            staff_id = user_id if user_id is not None else int(actor.id or 0)
            await _security_row(staff_id)
            await StaffSecurity.update({StaffSecurity.totp_secret: secret}).where(StaffSecurity.user == staff_id)
        elif actor.kind in ("portal", "partner") and actor.account_id is not None:
            await PortalAccount.update({PortalAccount.totp_secret: secret}).where(PortalAccount.id == actor.account_id)
        else:
            raise DomainError("FORBIDDEN", _("Only a signed-in person can set up a one-time code."))


def _check_rights(kind: str, rights: Sequence[str]) -> list[str]:
    if kind not in ACCOUNT_KINDS:
        raise DomainError("INVALID_KIND", _("A portal account is for a client or a partner."), ["input", "kind"])
    unknown = [right for right in rights if right not in RIGHTS[kind]]
    if unknown:
        raise DomainError(
            "UNKNOWN_RIGHT",
            _("Unknown right: {rights}; allowed: {allowed}."),
            ["input", "rights"],
            rights=", ".join(unknown),
            allowed=", ".join(RIGHTS[kind]),
        )
    return list(dict.fromkeys(rights))


@dataclass
class Invitation:
    account_id: int
    link: str = field(repr=False)


async def invite_portal_person(
    runtime: Runtime,
    actor: Actor,
    *,
    person_id: int,
    company_id: int | None = None,
    email: str | None = None,
    rights: Sequence[str] = ("browse",),
    is_admin: bool = False,
    kind: str = "client",
    locale: str = "pl",
) -> Invitation:
    """Give a person of the CRM a portal account and e-mail them an invitation link.

    Staff with ``core.portal_account.manage`` invite anyone employed at a company; a company's
    portal administrator invites colleagues of their own company, with no more rights than theirs.
    """
    if actor.kind in ("portal", "partner"):
        if not actor.can(PORTAL_ADMIN):
            raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=PORTAL_ADMIN)
        company_id = actor.company_id
        kind = "partner" if actor.kind == "partner" else "client"
        held = {right for right, code in RIGHTS[kind].items() if actor.can(code)}
        if not set(rights) <= held:
            raise DomainError(
                "RIGHTS_EXCEED_YOURS", _("You cannot give rights you do not hold yourself."), ["input", "rights"]
            )
    else:
        require(actor, PORTAL_ACCOUNT_MANAGE)
    rights = _check_rights(kind, rights)
    async with runtime.unit_of_work(actor) as uow:
        employments = await Employment.select(Employment.company).where(
            (Employment.person == person_id)
            & Employment.person.deleted_at.is_null()
            & Employment.company.deleted_at.is_null()
        )
        companies = [row["company"] for row in employments]
        if not companies:
            raise DomainError("NOT_EMPLOYED", _("This person works at no company in the CRM."), ["input", "person"])
        if company_id is None:
            company_id = companies[0]
        if company_id not in companies:
            raise DomainError("NOT_EMPLOYED", _("This person does not work at that company."), ["input", "company"])
        if kind == "partner" and not await Company.exists().where(
            (Company.id == company_id) & (Company.kind == "partner")
        ):
            raise DomainError("NOT_A_PARTNER", _("Partner accounts belong to partner companies."), ["input", "kind"])
        if email is None:
            contact = (
                await ContactPoint.select(ContactPoint.value)
                .where((ContactPoint.person == person_id) & (ContactPoint.kind == "email"))
                .order_by(ContactPoint.is_primary, ascending=False)
                .first()
            )
            if contact is None:
                raise DomainError("NO_EMAIL", _("This person has no e-mail address."), ["input", "email"])
            email = contact["value"]
        email = normalise_email(email, ["input", "email"])
        if await PortalAccount.exists().where(PortalAccount.email == email):
            raise DomainError(
                "EMAIL_TAKEN", _("A portal account with this e-mail address already exists."), ["input", "email"]
            )
        if await PortalAccount.exists().where(PortalAccount.person == person_id):
            raise DomainError("ALREADY_INVITED", _("This person already has a portal account."), ["input", "person"])
        [row] = await PortalAccount.insert(
            PortalAccount(
                person=person_id,
                company=company_id,
                email=email,
                kind=kind,
                rights=rights,
                is_admin=is_admin and actor.kind not in ("portal", "partner"),
                invited_by_user=int(actor.id) if actor.kind == "staff" and (actor.id or "").isdigit() else None,
                invited_by_account=actor.account_id,
            )
        ).returning(PortalAccount.id)
        link = await _create_link(runtime, "invitation", "portal", row["id"])
        await uow.publish(PortalAccountChanged(portal_account_id=row["id"], change="invited", rights=rights))
    await _mail_link(runtime, email, "invitation", link, locale)
    return Invitation(row["id"], link)


async def update_portal_account(
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    *,
    rights: Sequence[str] | None = None,
    is_admin: bool | None = None,
    is_active: bool | None = None,
) -> None:
    require(actor, PORTAL_ACCOUNT_MANAGE)
    async with runtime.unit_of_work(actor) as uow:
        row = await PortalAccount.select().where(PortalAccount.id == account_id).output(load_json=True).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such portal account."), ["id"])
        changes: dict[Any, Any] = {}
        if rights is not None:
            changes[PortalAccount.rights] = _check_rights(row["kind"], rights)
        if is_admin is not None:
            changes[PortalAccount.is_admin] = is_admin
        if is_active is not None:
            changes[PortalAccount.is_active] = is_active
        if changes:
            await PortalAccount.update(changes).where(PortalAccount.id == account_id)
        await uow.publish(
            PortalAccountChanged(
                portal_account_id=account_id,
                change="updated",
                rights=list(changes.get(PortalAccount.rights, row["rights"])),
            )
        )


# --- e-mailed links: invitations and password resets ------------------------------------------
async def _create_link(runtime: Runtime, purpose: str, audience: Audience, account_id: int) -> str:
    token = new_secret()
    await AccountLink.insert(
        AccountLink(
            token_hash=hash_token(token),
            purpose=purpose,
            expires_at=_now() + LINK_LIFETIME[purpose],
            **{"user" if audience == "staff" else "portal_account": account_id},
        )
    )
    page = "invitation" if purpose == "invitation" else "password/reset"
    return f"{runtime.settings.issuer}/oauth/{page}?token={token}"


MAIL_TEXT = {
    "invitation": (
        _("Your invitation to the Kartoteka portal"),
        _("You have been invited to the client portal. Choose your password here (the link works for 7 days):"),
    ),
    "reset": (
        _("Resetting your Kartoteka password"),
        _("Someone asked to reset your password. If it was you, choose a new one here (the link works for 1 hour):"),
    ),
}


async def _mail_link(runtime: Runtime, email: str, purpose: str, link: str, locale: str) -> None:
    subject, intro = (runtime.translator.text(locale, text) for text in MAIL_TEXT[purpose])
    await send_mail(runtime.settings, email, subject, f"{intro}\n\n{link}\n")


async def request_password_reset(runtime: Runtime, audience: Audience, email: str, locale: str) -> None:
    """E-mail a reset link if the address belongs to a usable account; silent otherwise."""
    try:
        email = normalise_email(email, ["email"])
    except DomainError:
        return
    row = await _account(audience, email)
    if row is None or not row["usable"]:
        return
    async with runtime.unit_of_work(ANONYMOUS):
        link = await _create_link(runtime, "reset", audience, row["id"])
    await _mail_link(runtime, email, "reset", link, locale)


async def link_account(token: str, purpose: str) -> tuple[Audience, int] | None:
    row = (
        await AccountLink.select()
        .where((AccountLink.token_hash == hash_token(token)) & (AccountLink.purpose == purpose))
        .first()
    )
    if row is None or row["used_at"] is not None or _aware(row["expires_at"]) <= _now():
        return None
    return ("staff", row["user"]) if row["user"] else ("portal", row["portal_account"])


async def set_password_by_link(runtime: Runtime, token: str, purpose: str, password: str) -> None:
    """Spend an e-mailed link to set the password; every earlier session and grant ends."""
    if len(password) < MIN_PASSWORD:
        raise DomainError("PASSWORD_TOO_SHORT", _("A password needs at least 12 characters."), ["password"])
    found = await link_account(token, purpose)
    if found is None:
        raise DomainError("LINK_INVALID", _("This link is invalid, used or expired."), ["token"])
    audience, account_id = found
    password_hash = await asyncio.to_thread(_bounded, hash_password, password)
    async with runtime.unit_of_work(ANONYMOUS) as uow:
        spent = (
            await AccountLink.update({AccountLink.used_at: _now()})
            .where((AccountLink.token_hash == hash_token(token)) & AccountLink.used_at.is_null())
            .returning(AccountLink.id)
        )
        if not spent:
            raise DomainError("LINK_INVALID", _("This link is invalid, used or expired."), ["token"])
        if audience == "staff":
            await User.update({User.password_hash: password_hash}).where(User.id == account_id)
        else:
            changes: dict[Any, Any] = {PortalAccount.password_hash: password_hash}
            if purpose == "invitation":
                changes[PortalAccount.activated_at] = _now()
            await PortalAccount.update(changes).where(PortalAccount.id == account_id)
            if purpose == "invitation":
                await uow.publish(PortalAccountChanged(portal_account_id=account_id, change="activated", rights=[]))
        await uow.publish(PasswordChanged(via=purpose, **_ids(audience, account_id)))
    await _forget_failures(audience, account_id)
    await revoke_account_grants(runtime, audience, account_id, "password_changed")


async def userinfo_for_token(runtime: Runtime, token: str) -> dict[str, Any] | None:
    """OpenID Connect userinfo: the claims an access token with the ``openid`` scope may read."""
    claims = await _access_claims(runtime, token)
    if claims is None or "openid" not in str(claims.get("scope", "")).split():
        return None
    grant = await _grant_state(int(claims.get("gid") or 0))
    if grant is None or grant["revoked_at"] is not None or not grant["client.is_active"]:
        return None
    if grant["user"] is None and grant["portal_account"] is None:
        return None
    subject = await subject_for_grant(grant)
    return user_info(subject, claims["scope"]) if subject else None
