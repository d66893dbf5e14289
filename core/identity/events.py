"""Events of the identity server. The audit log records each one, so every sign-in, refusal and
change of a client or account can be traced; secrets never appear in a payload."""

from typing import ClassVar

from core.events.base import Event


class OAuthClientChanged(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.oauth_client_changed"
    oauth_client_id: int
    change: str  # created | updated | secret_rotated


class OAuthGrantRevoked(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.oauth_grant_revoked"
    oauth_grant_id: int
    reason: str  # revoked | refresh_token_reuse | code_replay | account_locked | password_changed…


class OAuthRequestRejected(Event, frozen=True, kw_only=True):
    """A request to the authorization server or with a token that was refused."""

    name: ClassVar[str] = "core.oauth_request_rejected"
    endpoint: str
    error: str  # the standard OAuth error code
    description: str = ""
    client_id: str = ""
    address: str = ""


class SignInFailed(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.sign_in_failed"
    user_id: int | None = None
    portal_account_id: int | None = None
    email: str
    address: str
    reason: str  # wrong_password | wrong_code | throttled | locked


class SignedIn(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.signed_in"
    user_id: int | None = None
    portal_account_id: int | None = None
    address: str
    methods: list[str]


class AccountLockChanged(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.account_lock_changed"
    user_id: int | None = None
    portal_account_id: int | None = None
    locked: bool


class PortalAccountChanged(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.portal_account_changed"
    portal_account_id: int
    change: str  # invited | updated | activated
    rights: list[str]


class PasswordChanged(Event, frozen=True, kw_only=True):
    name: ClassVar[str] = "core.password_changed"
    user_id: int | None = None
    portal_account_id: int | None = None
    via: str  # reset | invitation


EVENT_TYPES = [
    OAuthClientChanged,
    OAuthGrantRevoked,
    OAuthRequestRejected,
    SignInFailed,
    SignedIn,
    AccountLockChanged,
    PortalAccountChanged,
    PasswordChanged,
]
