"""Signing keys (JWKS with rotation) and the JWTs they sign, with joserfc.

The newest unretired key signs. After a rotation the previous key stays in the JWKS for as long
as a token it signed can live, so clients and resource servers never see a signature they cannot
check. Every process reads the keys from the database, so a rotation by one is seen by all: an
unknown ``kid`` makes a process read the table again.
"""

from __future__ import annotations

import json
import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from core.identity.tables import SigningKey

if TYPE_CHECKING:
    from core.runtime import Runtime

ALGORITHM = "RS256"  # what every OpenID Connect client must support
ID_TOKEN_SECONDS = 3600
RING_SECONDS = 60  # how long a process trusts the keys it has read
_STORES: weakref.WeakKeyDictionary[Any, KeyStore] = weakref.WeakKeyDictionary()


class InvalidJWT(Exception):
    """Bad signature, unknown key, wrong issuer or audience, expired, or not a JWT at all."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class KeyRing:
    signing: RSAKey
    public: KeySet  # every key that may still verify

    def jwks(self) -> dict[str, Any]:
        return self.public.as_dict(private=False)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def verification_window(runtime: Runtime) -> timedelta:
    """How long a retired key still verifies: the longest-lived token it may have signed."""
    return timedelta(seconds=max(runtime.settings.access_token_seconds, ID_TOKEN_SECONDS))


def _new_key() -> tuple[str, RSAKey]:
    kid = secrets.token_urlsafe(12)
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM}, private=True)
    return kid, key


async def _load(runtime: Runtime) -> KeyRing | None:
    cutoff = datetime.now(UTC) - verification_window(runtime)
    rows = await SigningKey.select().order_by(SigningKey.id, ascending=False)
    live = [row for row in rows if row["retired_at"] is None or _aware(row["retired_at"]) > cutoff]
    signing = next((row for row in live if row["retired_at"] is None), None)
    if signing is None:
        return None
    keys = [RSAKey.import_key(json.loads(row["private_jwk"])) for row in live]
    public = KeySet([RSAKey.import_key(key.as_dict(private=False)) for key in keys])
    return KeyRing(signing=keys[live.index(signing)], public=public)


class KeyStore:
    """The key ring of one process, read from the database again after a while or when a ``kid``
    is unknown (so a key retired elsewhere stops verifying here too)."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self._ring: KeyRing | None = None
        self._read_at = 0.0

    def forget(self) -> None:
        self._ring = None

    async def ring(self, *, reload: bool = False) -> KeyRing:
        if self._ring is not None and not reload and time.monotonic() - self._read_at < RING_SECONDS:
            return self._ring
        ring = await _load(self.runtime)
        if ring is None:
            await rotate(self.runtime)
            ring = await _load(self.runtime)
        assert ring is not None
        self._ring, self._read_at = ring, time.monotonic()
        return ring

    async def sign(self, claims: dict[str, Any], token_type: str = "JWT") -> str:
        ring = await self.ring()
        header = {"alg": ALGORITHM, "kid": ring.signing.kid, "typ": token_type}
        return jwt.encode(header, claims, ring.signing, algorithms=[ALGORITHM])

    async def verify(self, token: str, *, audience: str, token_type: str | None = "at+jwt") -> dict[str, Any]:
        """The claims of ``token`` once its signature, issuer, audience, type and times hold."""
        ring = await self.ring()
        try:
            try:
                decoded = jwt.decode(token, ring.public, algorithms=[ALGORITHM])
            except (ValueError, JoseError):
                # Perhaps another process has rotated the keys since this one read them.
                decoded = jwt.decode(token, (await self.ring(reload=True)).public, algorithms=[ALGORITHM])
            if token_type is not None and decoded.header.get("typ") != token_type:
                raise InvalidJWT("wrong token type")
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.runtime.settings.issuer},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
                leeway=0,
            ).validate(decoded.claims)
        except JoseError as error:
            raise InvalidJWT(error.error) from None
        except (ValueError, TypeError):
            raise InvalidJWT("malformed") from None
        return decoded.claims


async def rotate(runtime: Runtime) -> str:
    """Make a new signing key; the current one is retired (it still verifies for a while)."""
    kid, key = _new_key()
    now = datetime.now(UTC)
    async with runtime.engine.transaction():
        await SigningKey.update({SigningKey.retired_at: now}).where(SigningKey.retired_at.is_null())
        await SigningKey.insert(SigningKey(kid=kid, private_jwk=json.dumps(key.as_dict(private=True))))
    runtime_keys(runtime).forget()
    return kid


def runtime_keys(runtime: Runtime) -> KeyStore:
    """The key store of ``runtime`` (one per booted runtime, made on first use)."""
    store = _STORES.get(runtime)
    if store is None:
        store = _STORES[runtime] = KeyStore(runtime)
    return store


def now_seconds() -> int:
    return int(time.time())
