"""Business rules of identity: sign-in, sessions, grants, tokens and the actors they make.
No GraphQL, no HTTP. Clients are in ``clients.py``; account administration in ``accounts.py``.

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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import pyotp

from core.access.services import (
    actor_for_user,
    hash_password,
    hash_token,
    password_needs_rehash,
    verify_password,
)
from core.access.tables import User
from core.auth import ANONYMOUS, Actor
from core.errors import DomainError
from core.identity import keys
from core.identity.events import (
    OAuthGrantRevoked,
    OAuthRequestRejected,
    SignedIn,
    SignInFailed,
)
from core.identity.tables import (
    LoginAttempt,
    LoginSession,
    OAuthCode,
    OAuthGrant,
    OAuthRefreshToken,
    PortalAccount,
    StaffSecurity,
)
from core.validation import normalise_email

if TYPE_CHECKING:
    from core.runtime import Runtime

T = TypeVar("T")
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
CODE_LIFETIME = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(hours=12)
# argon2id takes 64 MiB per hash: a few at a time keep a burst of sign-ins from exhausting memory.
_HASHING = threading.BoundedSemaphore(4)


def bounded_hashing(function: Callable[..., T], *args: Any) -> T:
    with _HASHING:
        return function(*args)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | str | None) -> datetime | None:
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


async def account_by_email(audience: Audience, email: str) -> dict[str, Any] | None:
    return await (staff_account(email) if audience == "staff" else _portal_account(email))


def _subject(audience: Audience, row: dict[str, Any], auth_time: datetime, methods: Sequence[str]) -> Subject:
    return Subject(audience, row["id"], row["email"], row["display_name"], auth_time, tuple(methods))


def account_ids(audience: Audience, account_id: int | None) -> dict[str, int | None]:
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


async def _reserve_attempt(runtime: Runtime, audience: Audience, email: str, address: str) -> int:
    """Count this attempt before checking the password, committed at once: requests sent at the
    same moment then see each other, and a burst gets no more tries than the throttle allows. A
    sign-in that succeeds takes its attempt back."""
    async with runtime.unit_of_work(ANONYMOUS):
        [row] = await LoginAttempt.insert(
            LoginAttempt(account=attempt_key(audience, email), address=address)
        ).returning(LoginAttempt.id)
    return row["id"]


async def _record_failure(
    runtime: Runtime,
    audience: Audience,
    email: str,
    address: str,
    reason: str,
    account_id: int | None,
    *,
    counted: bool = False,
) -> None:
    async with runtime.unit_of_work(ANONYMOUS) as uow:
        if reason != "throttled" and not counted:
            await LoginAttempt.insert(LoginAttempt(account=attempt_key(audience, email), address=address))
        # Attempts older than the window count for nothing: forget them as new ones come.
        window = timedelta(minutes=runtime.settings.login_throttle_minutes)
        await LoginAttempt.delete().where(LoginAttempt.attempted_at < utc_now() - window)
        await uow.publish(
            SignInFailed(email=email, address=address, reason=reason, **account_ids(audience, account_id))
        )


async def _throttled(runtime: Runtime, audience: Audience, email: str, address: str, *, reserved: int = 0) -> bool:
    """Whether the recent failures reach the limits; ``reserved`` attempts of this request are
    among those counted and do not count against it."""
    settings = runtime.settings
    since = utc_now() - timedelta(minutes=settings.login_throttle_minutes)
    recent = LoginAttempt.attempted_at > since
    by_account = await LoginAttempt.count().where(recent & (LoginAttempt.account == attempt_key(audience, email)))
    if by_account - reserved >= settings.login_failures_per_account:
        return True
    by_address = await LoginAttempt.count().where(recent & (LoginAttempt.address == address))
    return by_address - reserved >= settings.login_failures_per_ip


async def check_password(runtime: Runtime, audience: Audience, email: str, password: str, address: str) -> dict:
    """The account whose password this is; raises :class:`SignInRefused` (and records why)."""
    try:
        email = normalise_email(email, ["email"])
    except DomainError:
        email = email.strip().lower()[:254]
    attempt = await _reserve_attempt(runtime, audience, email, address)
    if await _throttled(runtime, audience, email, address, reserved=1):
        await LoginAttempt.delete().where(LoginAttempt.id == attempt)  # refused unchecked: no try used
        await _record_failure(runtime, audience, email, address, "throttled", None)
        raise SignInRefused("throttled")
    row = await account_by_email(audience, email)
    # An unknown address costs a hash too, so timing does not tell which addresses exist.
    # An account without a password yet (invited, not activated) costs the same hash as well.
    stored = (row["password_hash"] if row else None) or _dummy_hash()
    good = await asyncio.to_thread(bounded_hashing, verify_password, stored, password)
    if row is None or not good or not row["usable"]:
        await _record_failure(
            runtime, audience, email, address, "wrong_password", row["id"] if row else None, counted=True
        )
        raise SignInRefused("wrong_password")
    await LoginAttempt.delete().where(LoginAttempt.id == attempt)  # the password was right
    if row["locked_at"] is not None:
        await _record_failure(runtime, audience, email, address, "locked", row["id"])
        raise SignInRefused("locked")
    if password_needs_rehash(stored):
        # The only moment the password is known: bring its hash up to today's argon2 parameters.
        table = User if audience == "staff" else PortalAccount
        new_hash = await asyncio.to_thread(bounded_hashing, hash_password, password)
        await table.update({table.password_hash: new_hash}).where(table.id == row["id"])
    return row


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def attempt_key(audience: str, email: str) -> str:
    """The account a sign-in attempt counts against, within its column (a very long typed address
    would not fit and must not break the counting on PostgreSQL)."""
    return f"{audience}:{email}"[:254]


def totp_matches(secret: str, code: str) -> bool:
    return bool(code) and pyotp.TOTP(secret).verify(code.strip(), valid_window=1)


async def check_totp(runtime: Runtime, session: dict[str, Any], code: str, address: str) -> bool:
    """Finish a sign-in whose password was right; a wrong code counts as a failed attempt."""
    audience: Audience = "staff" if session["user"] else "portal"
    account_id = session["user"] or session["portal_account"]
    row = await account_by_id(audience, account_id)
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
        await LoginAttempt.delete().where(LoginAttempt.account == attempt_key(audience, row["email"]))
        await uow.publish(SignedIn(address=address, methods=methods, **account_ids(audience, row["id"])))


async def account_by_id(audience: Audience, account_id: int) -> dict[str, Any] | None:
    table = User if audience == "staff" else PortalAccount
    row = await table.select(table.email).where(table.id == account_id).first()
    return await account_by_email(audience, row["email"]) if row else None


async def start_session(
    runtime: Runtime, audience: Audience, row: dict[str, Any], address: str, methods: Sequence[str] = ("pwd",)
) -> tuple[str, bool]:
    """A browser session for ``row``; returns the cookie value and whether a TOTP code is still due
    (never after single sign-on: the provider has authenticated the person its own way)."""
    token = new_secret()
    pending = bool(row["totp_secret"]) and "sso" not in methods
    await LoginSession.delete().where(LoginSession.expires_at < utc_now())
    await LoginSession.insert(
        LoginSession(
            token_hash=hash_token(token),
            totp_pending=pending,
            expires_at=utc_now() + SESSION_LIFETIME,
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
    if row is None or row["ended_at"] is not None or aware(row["expires_at"]) <= utc_now():
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
    account = await account_by_id(audience, account_id)
    if account is None or not account["usable"] or account["locked_at"] is not None:
        return None
    methods = ("pwd", "otp") if account["totp_secret"] else ("pwd",)
    return _subject(audience, account, aware(row["auth_time"]) or utc_now(), methods)


async def end_session(token: str | None) -> None:
    if token:
        await LoginSession.update({LoginSession.ended_at: utc_now()}).where(
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
            expires_at=utc_now() + CODE_LIFETIME,
        )
    )


class Replayed(Exception):
    """A code or refresh token presented a second time; its whole grant has been revoked."""


async def revoke_grant(runtime: Runtime, grant_id: int, reason: str, actor: Actor = ANONYMOUS) -> bool:
    async with runtime.unit_of_work(actor) as uow:
        revoked = (
            await OAuthGrant.update({OAuthGrant.revoked_at: utc_now(), OAuthGrant.revoked_reason: reason})
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
        await OAuthCode.update({OAuthCode.used_at: utc_now()})
        .where((OAuthCode.id == row["id"]) & OAuthCode.used_at.is_null())
        .returning(OAuthCode.id)
    )
    if not claimed:
        await revoke_grant(runtime, row["grant"], "code_replay")
        raise Replayed
    if aware(row["expires_at"]) <= utc_now() or row["grant.revoked_at"] is not None:
        return None
    return row


async def issue_refresh_token(runtime: Runtime, grant_id: int) -> str:
    token = "kr_" + new_secret()
    await OAuthRefreshToken.insert(
        OAuthRefreshToken(
            token_hash=hash_token(token),
            grant=grant_id,
            expires_at=utc_now() + timedelta(days=runtime.settings.refresh_token_days),
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
        await OAuthRefreshToken.update({OAuthRefreshToken.rotated_at: utc_now()})
        .where((OAuthRefreshToken.id == row["id"]) & OAuthRefreshToken.rotated_at.is_null())
        .returning(OAuthRefreshToken.id)
    )
    if not claimed:
        await revoke_grant(runtime, row["grant"], "refresh_token_reuse")
        raise Replayed
    if aware(row["expires_at"]) <= utc_now():
        return None
    return row


async def subject_for_grant(grant: dict[str, Any], prefix: str = "") -> Subject | None:
    """The account a grant row (or a row joined to a grant, with ``prefix``) belongs to, if usable."""
    audience: Audience = "staff" if grant[f"{prefix}user"] else "portal"
    account = await account_by_id(audience, grant[f"{prefix}user"] or grant[f"{prefix}portal_account"])
    if account is None or not account["usable"] or account["locked_at"] is not None:
        return None
    return _subject(audience, account, aware(grant[f"{prefix}auth_time"]) or utc_now(), ("pwd",))


async def find_token_grant(runtime: Runtime, token: str) -> dict[str, Any] | None:
    """The grant of a refresh token or an access token of ours (for revocation and introspection)."""
    if token.startswith("kr_"):
        row = (
            await OAuthRefreshToken.select(
                OAuthRefreshToken.grant, OAuthRefreshToken.expires_at, OAuthRefreshToken.rotated_at
            )
            .where(OAuthRefreshToken.token_hash == hash_token(token))
            .first()
        )
        if row is None:
            return None
        grant_id, expires_at, claims = row["grant"], aware(row["expires_at"]), {}
        spent = row["rotated_at"] is not None
    else:
        claims = await _access_claims(runtime, token)
        if claims is None:
            return None
        grant_id, expires_at = claims["gid"], datetime.fromtimestamp(claims["exp"], UTC)
        spent = False
    grant = await _grant_state(grant_id)
    if grant is None:
        return None
    return {
        **grant,
        "expires_at": expires_at,
        "spent": spent,  # a refresh token already exchanged: revocable, never active
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
