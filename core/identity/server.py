"""authlib's generic authorization server wired to Kartoteka's tables.

authlib is synchronous; the database is not. Each endpoint reads the HTTP request on the event
loop into an :class:`EndpointRequest` snapshot, runs authlib in a worker thread, and authlib's
callbacks reach the database through :func:`_db`, which runs a coroutine back on the loop.

Choices beyond authlib's defaults: PKCE with S256 for every client (``plain`` and a missing
challenge are refused); refresh tokens rotate on each use and a spent one revokes its grant; a
replayed code revokes its grant; no implicit and no password grant are registered.
"""

from __future__ import annotations

import hmac
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.from_thread
from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import OpenIDCode, UserInfo

from core.access.services import hash_token
from core.identity import clients, keys, services
from core.identity.tables import OAuthCode

if TYPE_CHECKING:
    from core.runtime import Runtime

T = TypeVar("T")
# authlib logs issued tokens at DEBUG ("Issue token %r to %r"); never let them reach a log.
logging.getLogger("authlib").setLevel(logging.INFO)
SECRET_METHODS = ["client_secret_basic", "client_secret_post"]


def _db(function: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run a coroutine on the event loop from authlib's worker thread."""
    return anyio.from_thread.run(function, *args)


# --- the HTTP request as authlib sees it ---------------------------------------------------------
class _Payload(OAuth2Payload):
    def __init__(self, pairs: list[tuple[str, str]]):
        self._datalist: dict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class EndpointRequest(OAuth2Request):
    """A snapshot of one HTTP request (query and form read on the loop), plus what went wrong."""

    def __init__(self, method: str, uri: str, headers: Any, query: list[tuple[str, str]], form: list[tuple[str, str]]):
        super().__init__(method, uri, headers=headers)
        self.payload = _Payload(query + form)
        self._args = dict(query)
        self._form = dict(form)
        self.rejections: list[Any] = []

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


# --- models --------------------------------------------------------------------------------------
class Client(ClientMixin):
    def __init__(self, row: dict[str, Any]):
        self.row = row
        self.client_id: str = row["client_id"]
        self.redirect_uris: list[str] = row["redirect_uris"]
        self.grant_types: list[str] = row["grant_types"]
        self.scopes: list[str] = row["scopes"]
        self.audience: str = row["audience"]
        self.confidential = row["secret_hash"] is not None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # Only an unambiguous one: with several, the request must name the one it wants.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes when this client may have them all (all of its own if none asked)."""
        if not scope:
            return " ".join(self.scopes)
        requested = list(dict.fromkeys(scope.split()))
        if any(item not in self.scopes for item in requested):
            return None
        return " ".join(requested)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact string comparison (RFC 9700 §4.1.3)

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.row["secret_hash"]
        return stored is not None and hmac.compare_digest(hash_token(client_secret), stored)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.confidential:
            return method in SECRET_METHODS
        return method == "none" and endpoint in ("token", "revocation")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class AuthorizationCode(AuthorizationCodeMixin):
    def __init__(self, row: dict[str, Any]):
        self.row = row
        self.code_challenge = row["code_challenge"]
        self.code_challenge_method = row["code_challenge_method"]

    def get_redirect_uri(self) -> str:
        return self.row["redirect_uri"]

    def get_scope(self) -> str:
        return self.row["scope"]

    def get_nonce(self) -> str | None:
        return self.row["nonce"] or None

    def get_auth_time(self) -> int | None:
        return None  # set from the subject in the ID token claims

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return None


class IssuedToken(TokenMixin):
    """A refresh token being spent, or any token presented for revocation or introspection."""

    def __init__(self, row: dict[str, Any], live: bool = True):
        self.row = row
        self.live = live

    def check_client(self, client: Client) -> bool:
        return self.row.get("client.client_id", client.client_id) == client.client_id

    def get_scope(self) -> str:
        return self.row.get("grant.scope") or self.row.get("scope") or ""

    def get_expires_in(self) -> int:
        return int((self.row["expires_at"] - datetime.now(UTC)).total_seconds())

    def is_expired(self) -> bool:
        return self.row["expires_at"] <= datetime.now(UTC)

    def is_revoked(self) -> bool:
        return not self.live


# --- grants and extensions -----------------------------------------------------------------------
class S256Only(CodeChallenge):
    """PKCE for every client and only with S256: no challenge, or ``plain``, is refused."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("A 'code_challenge' (PKCE, S256) is required.", redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'")
        super().validate_code_verifier(grant, result)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*SECRET_METHODS, "none"]

    def create_authorization_response(self, redirect_uri: str, grant_user: Any) -> tuple[int, str, list]:
        """With the issuer in the redirect (RFC 9207), so a client of several servers can tell
        which one answered (the mix-up attack)."""
        status, body, headers = super().create_authorization_response(redirect_uri, grant_user)
        issuer = self.server.runtime.settings.issuer
        return status, body, [(name, add_params_to_uri(value, [("iss", issuer)])) for name, value in headers]

    def save_authorization_code(self, code: str, request: Any) -> None:
        runtime = self.server.runtime
        data = request.payload.data

        async def save() -> None:
            async with runtime.unit_of_work():
                grant_id = await services.create_grant(request.client.row["id"], request.user, request.scope)
                await services.save_code(
                    code,
                    grant_id,
                    data.get("redirect_uri") or "",
                    request.scope,
                    data.get("nonce") or "",
                    data["code_challenge"],
                    data["code_challenge_method"],
                )

        _db(save)

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        try:
            row = _db(services.consume_code, self.server.runtime, code, client.row["id"])
        except services.Replayed:
            raise InvalidGrantError("This code was used before; every token issued from it is revoked.") from None
        return AuthorizationCode(row) if row else None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Spent codes stay (marked used), so a replay is recognised and its grant revoked."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> services.Subject | None:
        subject = _db(services.subject_for_grant, authorization_code.row, "grant.")
        return _with_grant(subject, authorization_code.row["grant"])


def _with_grant(subject: services.Subject | None, grant_id: int) -> services.Subject | None:
    if subject is None:
        return None
    return services.Subject(
        subject.kind, subject.id, subject.email, subject.display_name, subject.auth_time, subject.methods, grant_id
    )


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*SECRET_METHODS, "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token: str) -> IssuedToken | None:
        try:
            row = _db(services.rotate_refresh_token, self.server.runtime, refresh_token, self.request.client.row["id"])
        except services.Replayed:
            raise InvalidGrantError("This refresh token was used before; the whole grant is revoked.") from None
        return IssuedToken(row) if row else None

    def authenticate_user(self, refresh_token: IssuedToken) -> services.Subject | None:
        subject = _db(services.subject_for_grant, refresh_token.row, "grant.")
        return _with_grant(subject, refresh_token.row["grant"])

    def revoke_old_credential(self, refresh_token: IssuedToken) -> None:
        """Already spent by :meth:`authenticate_refresh_token`, in the same statement that claimed it."""


class ServiceGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_METHODS

    def create_token_response(self) -> tuple[int, Any, Any]:
        client: Client = self.request.client
        scope = client.get_allowed_scope(self.request.payload.scope)
        if scope is None:
            raise InvalidScopeError()
        grant_id = _db(services.create_grant, client.row["id"], None, scope)
        subject = services.ServiceSubject(client.client_id, grant_id)
        token = self.generate_token(user=subject, scope=scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class IdToken(OpenIDCode):
    def __init__(self, server: KartotekaServer):
        super().__init__(require_nonce=False)
        self.server = server

    def _ring(self) -> keys.KeyRing:
        return _db(keys.runtime_keys(self.server.runtime).ring)

    def resolve_client_private_key(self, client: Client) -> Any:
        return self._ring().signing

    def get_client_algorithm(self, client: Client) -> str:
        return keys.ALGORITHM

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": keys.ALGORITHM, "kid": self._ring().signing.kid}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = keys.now_seconds()
        return {
            "iss": self.server.runtime.settings.issuer,
            "aud": [client.client_id],
            "iat": now,
            "exp": now + keys.ID_TOKEN_SECONDS,
        }

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        async def used() -> bool:
            return await OAuthCode.exists().where(
                (OAuthCode.nonce == nonce) & (OAuthCode.grant.client.client_id == request.payload.client_id)
            )

        return _db(used)

    def generate_user_info(self, user: services.Subject, scope: str) -> UserInfo:
        info = services.user_info(user, scope)
        if user.auth_time is not None:
            info["auth_time"] = int(user.auth_time.timestamp())
        info["amr"] = list(user.methods)
        return UserInfo(info)


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = [*SECRET_METHODS, "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> IssuedToken | None:
        row = _db(services.find_token_grant, self.server.runtime, token_string)
        return IssuedToken(row) if row else None

    def revoke_token(self, token: IssuedToken, request: Any) -> None:
        _db(services.revoke_grant, self.server.runtime, token.row["id"], "revoked")


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = SECRET_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> IssuedToken | None:
        row = _db(services.find_token_grant, self.server.runtime, token_string)
        if row is None:
            return None
        return IssuedToken(row, live=not row["spent"] and _db(services.grant_is_live, row))

    def check_permission(self, token: IssuedToken, client: Client, request: Any) -> bool:
        return token.check_client(client)  # a client learns about its own tokens only

    def introspect_token(self, token: IssuedToken) -> dict[str, Any]:
        row, runtime = token.row, self.server.runtime
        claims = row["claims"]
        subject = (
            f"user:{row['user']}"
            if row["user"]
            else f"portal:{row['portal_account']}"
            if row["portal_account"]
            else None
        )
        return {
            "active": True,
            "client_id": row["client.client_id"],
            "scope": claims.get("scope", row["scope"]),
            "sub": claims.get("sub", subject or row["client.client_id"]),
            "aud": claims.get("aud", services.audience_uri(runtime, row["client.audience"])),
            "iss": runtime.settings.issuer,
            "exp": int(row["expires_at"].timestamp()),
            "token_type": "Bearer" if claims else "refresh_token",
        }


# --- the server ----------------------------------------------------------------------------------
class KartotekaServer(AuthorizationServer):
    def __init__(self, runtime: Runtime):
        super().__init__()
        self.runtime = runtime
        self.register_token_generator("default", self._generate_token)
        self.register_grant(CodeGrant, [S256Only(), IdToken(self)])
        self.register_grant(RefreshGrant)
        self.register_grant(ServiceGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    def query_client(self, client_id: str) -> Client | None:
        row = _db(clients.client_by_client_id, client_id)
        return Client(row) if row else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        """Tokens are stored as they are made (a refresh token by its hash; access tokens are JWTs)."""

    def _generate_token(
        self,
        grant_type: str,
        client: Client,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        scope = scope or ""
        token = {
            "token_type": "Bearer",
            "access_token": _db(services.sign_access_token, self.runtime, client.row, user, scope),
            "expires_in": self.runtime.settings.access_token_seconds,
            "scope": scope,
        }
        if include_refresh_token and user is not None and user.grant_id is not None:
            token["refresh_token"] = _db(services.issue_refresh_token, self.runtime, user.grant_id)
        return token

    def create_oauth2_request(self, request: EndpointRequest) -> EndpointRequest:
        return request

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no JSON endpoints")

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def handle_error_response(self, request: EndpointRequest, error: Any) -> Any:
        request.rejections.append(error)
        return super().handle_error_response(request, error)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: the services publish events for what matters."""
