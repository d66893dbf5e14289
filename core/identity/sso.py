"""Staff single sign-on through an external OpenID Connect provider (optional, from settings).

Kartoteka is then a relying party: authorization code with PKCE and a nonce, the ID token checked
with joserfc against the provider's JWKS, and the ``email`` claim mapped to an existing, active,
unlocked staff user — the provider proves who someone is, Kartoteka still decides what they may
do. The state, nonce, verifier and return path travel in an HMAC-signed, short-lived cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.identity import services
from core.identity.services import new_secret

if TYPE_CHECKING:
    from core.runtime import Runtime

FLOW_SECONDS = 600
HTTP_TIMEOUT = 15


class SsoRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def callback_uri(runtime: Runtime) -> str:
    return f"{runtime.settings.issuer}/oauth/sso/callback"


def _sign(runtime: Runtime, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    mac = hmac.new(runtime.settings.secret_key.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def _unsign(runtime: Runtime, value: str) -> dict[str, Any]:
    body, _, mac = value.rpartition(".")
    expected = hmac.new(runtime.settings.secret_key.encode(), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        raise SsoRefused("bad flow cookie")
    payload = json.loads(base64.urlsafe_b64decode(body))
    if payload["exp"] < time.time():
        raise SsoRefused("flow expired")
    return payload


async def provider_metadata(runtime: Runtime) -> dict[str, Any]:
    issuer = runtime.settings.sso_issuer
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        response = await client.get(f"{issuer}/.well-known/openid-configuration")
    response.raise_for_status()
    metadata = response.json()
    if metadata.get("issuer") != issuer:  # OIDC Discovery §4.3: the document must name its issuer
        raise SsoRefused("issuer mismatch in discovery")
    return metadata


async def start(runtime: Runtime, next_path: str) -> tuple[str, str]:
    """The provider's authorization URL and the signed cookie that remembers the flow."""
    metadata = await provider_metadata(runtime)
    state, nonce, verifier = new_secret(), new_secret(), new_secret()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": runtime.settings.sso_client_id,
        "redirect_uri": callback_uri(runtime),
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    cookie = _sign(
        runtime,
        {"state": state, "nonce": nonce, "verifier": verifier, "next": next_path, "exp": time.time() + FLOW_SECONDS},
    )
    return f"{metadata['authorization_endpoint']}?{urlencode(query)}", cookie


async def finish(runtime: Runtime, cookie: str | None, state: str, code: str) -> dict[str, Any]:
    """Check the provider's answer; the staff account it names (raises :class:`SsoRefused`)."""
    flow = _unsign(runtime, cookie or "")
    if not state or not hmac.compare_digest(state, flow["state"]):
        raise SsoRefused("state mismatch")
    settings = runtime.settings
    metadata = await provider_metadata(runtime)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        answer = await client.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_uri(runtime),
                "code_verifier": flow["verifier"],
            },
            auth=(settings.sso_client_id, settings.sso_client_secret),
        )
        if answer.status_code != 200 or "id_token" not in answer.json():
            raise SsoRefused("token request refused")
        keys = KeySet.import_key_set((await client.get(metadata["jwks_uri"])).json())
    try:
        claims = jwt.decode(answer.json()["id_token"], keys, algorithms=["RS256", "PS256", "ES256"]).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": settings.sso_issuer},
            aud={"essential": True, "value": settings.sso_client_id},
            nonce={"essential": True, "value": flow["nonce"]},
            exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError) as error:
        raise SsoRefused(f"bad ID token: {error}") from None
    email = str(claims.get("email") or "").lower()
    if not email or claims.get("email_verified") is not True:  # absent or "false" is not verified
        raise SsoRefused("no verified e-mail address")
    account = await services.staff_account(email)
    if account is None or not account["usable"] or account["locked_at"] is not None:
        raise SsoRefused("no usable staff account for this address")
    return {**account, "next": flow["next"]}
