"""Outbound webhooks, signed per the Standard Webhooks convention (https://www.standardwebhooks.com).

Each request carries ``webhook-id`` (the same on every attempt, so receivers can drop
duplicates), ``webhook-timestamp`` (seconds, per attempt) and ``webhook-signature``:
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed with the endpoint secret's bytes.
Every attempt is written to the delivery log — failed ones by :func:`record_webhook_failure`
after the attempt's transaction was rolled back — and retried with backoff by the job machinery.
Secrets are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from core.errors import PermanentJobFailure
from core.jobs.context import JobContext
from core.jobs.delivery import locked
from core.rules.receivers import ReceiverRefused, resolve_receiver
from core.rules.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from core.runtime import Runtime

TIMEOUT_SECONDS = 10
MAX_RESPONSE_BODY = 2_000
MAX_ERROR = 2_000
USER_AGENT = "Kartoteka-Webhooks/1"
# A receiver answering these asks to be tried again later; any other 4xx refuses the message.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 425, 429})


def webhook_body(event_type: str, occurred_at: datetime, payload: dict[str, Any]) -> str:
    """The JSON body: ``{"type", "timestamp", "data"}`` as Standard Webhooks recommends."""
    document = {"type": event_type, "timestamp": occurred_at.astimezone(UTC).isoformat(), "data": payload}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str)


def sign(secret_key: str, message_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` value; ``secret_key`` is the base64 of the key's bytes."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(base64.b64decode(secret_key), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class AttemptFailed(Exception):
    """One delivery attempt that did not get a 2xx answer; what the log records about it."""

    def __init__(self, status_code: int | None, duration_ms: int, error: str, response_body: str = ""):
        self.status_code = status_code
        self.duration_ms = duration_ms
        self.error = error[:MAX_ERROR]
        self.response_body = response_body[:MAX_RESPONSE_BODY]
        super().__init__(self.error)


class AttemptRefused(AttemptFailed, PermanentJobFailure):
    """The receiver refused the message itself (4xx): retrying cannot help."""


async def deliver_webhook(ctx: JobContext, delivery_id: int) -> None:
    """The ``core.deliver_webhook`` job: one attempt; a 2xx answer finishes the delivery."""
    runtime = ctx.runtime
    rows = await locked(WebhookDelivery.select().where(WebhookDelivery.id == delivery_id), runtime)
    if not rows or rows[0]["status"] != "pending":
        return
    delivery = rows[0]
    endpoint = await WebhookEndpoint.select().where(WebhookEndpoint.id == delivery["endpoint"]).first()
    if not endpoint["is_active"]:
        raise AttemptRefused(None, 0, "the endpoint is inactive")
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery["message_id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint["secret"], delivery["message_id"], timestamp, delivery["body"]),
    }
    started = time.monotonic()
    try:
        url, extensions = await _pinned(endpoint["url"], headers, runtime.settings)
    except ReceiverRefused as refused:
        raise AttemptRefused(None, _elapsed(started), f"address not allowed: {refused}") from None
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = await client.post(url, content=delivery["body"].encode(), headers=headers, extensions=extensions)
    except httpx.HTTPError as error:
        raise AttemptFailed(None, _elapsed(started), f"{type(error).__name__}: {error}") from None
    duration = _elapsed(started)
    code = response.status_code
    if not 200 <= code < 300:
        refused = 400 <= code < 500 and code not in RETRYABLE_CLIENT_ERRORS
        failure = AttemptRefused if refused else AttemptFailed
        raise failure(code, duration, f"HTTP {code}", response.text)
    await WebhookAttempt.insert(
        WebhookAttempt(
            delivery=delivery_id,
            attempt=delivery["attempts"] + 1,
            status_code=code,
            duration_ms=duration,
            response_body=response.text[:MAX_RESPONSE_BODY],
        )
    )
    await WebhookDelivery.update(
        {
            WebhookDelivery.status: "succeeded",
            WebhookDelivery.attempts: delivery["attempts"] + 1,
            WebhookDelivery.finished_at: datetime.now(UTC),
        }
    ).where(WebhookDelivery.id == delivery_id)


async def _pinned(url: str, headers: dict[str, str], settings: Any) -> tuple[str, dict[str, Any]]:
    """The URL to connect to: the address :func:`resolve_receiver` checked (the name keeps going
    in ``Host`` and in TLS), so the connection cannot land anywhere the check did not see."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    receiver = await resolve_receiver(parts.hostname or "", port, settings)
    if receiver is None:
        return url, {}
    address = f"[{receiver.address}]" if ":" in receiver.address else receiver.address
    headers["host"] = parts.netloc.rpartition("@")[2]
    netloc = address if parts.port is None else f"{address}:{parts.port}"
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), extensions


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def record_webhook_failure(runtime: Runtime, kwargs: dict[str, Any], error: BaseException, final: bool) -> None:
    """``on_failure`` of ``core.deliver_webhook``: log the attempt; the last one fails the delivery."""
    delivery_id = kwargs["delivery_id"]
    rows = await locked(WebhookDelivery.select().where(WebhookDelivery.id == delivery_id), runtime)
    if not rows or rows[0]["status"] != "pending":
        return
    attempt = rows[0]["attempts"] + 1
    if isinstance(error, AttemptFailed):
        details = {
            "status_code": error.status_code,
            "duration_ms": error.duration_ms,
            "error": error.error,
            "response_body": error.response_body,
        }
    else:
        details = {"error": f"{type(error).__name__}: {error}"[:MAX_ERROR]}
    await WebhookAttempt.insert(WebhookAttempt(delivery=delivery_id, attempt=attempt, **details))
    await WebhookDelivery.update(
        {
            WebhookDelivery.attempts: attempt,
            WebhookDelivery.status: "failed" if final else "pending",
            WebhookDelivery.finished_at: datetime.now(UTC) if final else None,
        }
    ).where(WebhookDelivery.id == delivery_id)
