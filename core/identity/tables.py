"""Accounts, OAuth clients, grants and the secrets around them. Every secret a client or a browser
holds (client secrets, codes, refresh tokens, session cookies, e-mailed links) is stored as its
SHA-256 only: the values carry 256 random bits, so a fast hash makes a stolen table useless."""

from piccolo.columns import JSONB, Boolean, ForeignKey, LazyTableReference, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.access.tables import User
from core.crm.tables import Company, Person


class PortalAccount(Table, tablename="core_portal_account"):
    """A person of the CRM who may sign in to the portal, acting for one company (a client or a
    partner). Not a second user base: the person, their company and employment are CRM records."""

    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, on_delete=OnDelete.cascade)
    email = Varchar(length=254, unique=True)
    kind = Varchar(length=16, default="client")  # client | partner
    rights = JSONB(default=[])  # client: browse, order, invoices; partner: leads
    is_admin = Boolean(default=False)  # the company's portal administrator: invites colleagues
    password_hash = Text(null=True, default=None, secret=True)
    totp_secret = Varchar(length=64, null=True, default=None, secret=True)
    is_active = Boolean(default=True)
    locked_at = Timestamptz(null=True, default=None)
    activated_at = Timestamptz(null=True, default=None)  # the invitation was accepted
    invited_by_user = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    invited_by_account = ForeignKey(
        LazyTableReference("PortalAccount", module_path=__name__), null=True, on_delete=OnDelete.set_null
    )
    created_at = Timestamptz(default=TimestamptzNow())


class StaffSecurity(Table, tablename="core_staff_security"):
    """What a staff sign-in needs beyond the user row: a lock and an optional TOTP secret."""

    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    locked_at = Timestamptz(null=True, default=None)
    totp_secret = Varchar(length=64, null=True, default=None, secret=True)


class OAuthClient(Table, tablename="core_oauth_client"):
    client_id = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    secret_hash = Varchar(length=64, null=True, default=None, secret=True)  # null: a public client
    audience = Varchar(length=16, default="staff")  # staff | portal: who signs in, which API the tokens open
    redirect_uris = JSONB(default=[])  # compared byte for byte
    grant_types = JSONB(default=[])  # authorization_code, refresh_token, client_credentials
    scopes = JSONB(default=[])  # the most this client may ask for
    skip_consent = Boolean(default=False)  # first-party front ends
    is_active = Boolean(default=True)
    secret_rotated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class OAuthGrant(Table, tablename="core_oauth_grant"):
    """One authorization: a consent (or a client-credentials request) and every token issued from
    it. Access tokens name their grant, so revoking it takes effect on the next request."""

    client = ForeignKey(OAuthClient, on_delete=OnDelete.cascade)
    user = ForeignKey(User, null=True, on_delete=OnDelete.cascade)
    portal_account = ForeignKey(PortalAccount, null=True, on_delete=OnDelete.cascade)
    scope = Text(default="")
    auth_time = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=32, default="")


class OAuthCode(Table, tablename="core_oauth_code"):
    code_hash = Varchar(length=64, unique=True)
    grant = ForeignKey(OAuthGrant, on_delete=OnDelete.cascade)
    redirect_uri = Text(default="")
    scope = Text(default="")
    nonce = Text(default="")
    code_challenge = Varchar(length=128)
    code_challenge_method = Varchar(length=8)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)  # kept, so a replayed code is recognised


class OAuthRefreshToken(Table, tablename="core_oauth_refresh_token"):
    token_hash = Varchar(length=64, unique=True)
    grant = ForeignKey(OAuthGrant, on_delete=OnDelete.cascade)
    expires_at = Timestamptz()
    rotated_at = Timestamptz(null=True, default=None)  # exchanged once; presented again = stolen
    created_at = Timestamptz(default=TimestamptzNow())


class SigningKey(Table, tablename="core_signing_key"):
    """Keys that sign access and ID tokens; the newest signs, retired ones still verify a while."""

    kid = Varchar(length=64, unique=True)
    private_jwk = Text(secret=True)
    created_at = Timestamptz(default=TimestamptzNow())
    retired_at = Timestamptz(null=True, default=None)


class LoginSession(Table, tablename="core_login_session"):
    """A browser signed in at the authorization server (a cookie holding a random token)."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=True, on_delete=OnDelete.cascade)
    portal_account = ForeignKey(PortalAccount, null=True, on_delete=OnDelete.cascade)
    totp_pending = Boolean(default=False)  # the password was right; the one-time code is still due
    auth_time = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="core_login_attempt"):
    """Failed sign-ins, counted per account and per address to slow down guessing."""

    account = Varchar(length=254, index=True)
    address = Varchar(length=64, index=True)
    attempted_at = Timestamptz(default=TimestamptzNow(), index=True)


class AccountLink(Table, tablename="core_account_link"):
    """A one-time link sent by e-mail: an invitation or a password reset."""

    token_hash = Varchar(length=64, unique=True)
    purpose = Varchar(length=16)  # invitation | reset
    user = ForeignKey(User, null=True, on_delete=OnDelete.cascade)
    portal_account = ForeignKey(PortalAccount, null=True, on_delete=OnDelete.cascade)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [
    PortalAccount,
    StaffSecurity,
    OAuthClient,
    OAuthGrant,
    OAuthCode,
    OAuthRefreshToken,
    SigningKey,
    LoginSession,
    LoginAttempt,
    AccountLink,
]
