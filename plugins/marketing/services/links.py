"""Signed links in marketing mail: unsubscribe (RFC 8058 one-click) and tracked clicks.

A link carries what it is about (a campaign recipient or an occasion send), the day it was
made and, for clicks, the destination; an HMAC under a key derived from the deployment's secret
proves Kartoteka wrote it. A forged link is refused, an old unsubscribe link expires, and a
click link can only lead where the mail itself pointed (no open redirect).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

UNSUBSCRIBE_ROUTE = "/plugins/marketing/unsubscribe/"
CLICK_ROUTE = "/plugins/marketing/click/"
MAC_BYTES = 16
EPOCH = date(2020, 1, 1)
HREF = re.compile(r'href="(https?://[^"]+)"', re.IGNORECASE)

RECIPIENT = "r"  # a campaign's recipient row
OCCASION = "o"  # an occasion send row


@dataclass(frozen=True)
class LinkSubject:
    kind: str  # RECIPIENT | OCCASION
    row_id: int
    issued_on: date
    url: str = ""


class BadLink(Exception):
    """Forged, damaged or expired."""

    def __init__(self, expired: bool = False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def _key(secret: str) -> bytes:
    return hashlib.sha256(f"{secret}|marketing-links".encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(secret: str, kind: str, row_id: int, url: str = "", today: date | None = None) -> str:
    day = ((today or datetime.now(UTC).date()) - EPOCH).days
    payload = f"{kind}.{row_id}.{day}.{url}".encode()
    mac = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:MAC_BYTES]
    return f"{_b64(payload)}.{_b64(mac)}"


def read_token(secret: str, token: str, *, valid_days: int | None = None, today: date | None = None) -> LinkSubject:
    try:
        payload_text, mac_text = token.split(".", 1)
        payload = _unb64(payload_text)
        mac = _unb64(mac_text)
    except (ValueError, UnicodeEncodeError):
        raise BadLink() from None
    expected = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        raise BadLink()
    try:
        kind, row_id, day, url = payload.decode().split(".", 3)
        subject = LinkSubject(kind, int(row_id), EPOCH + timedelta(days=int(day)), url)
    except (ValueError, UnicodeDecodeError):
        raise BadLink() from None
    if valid_days is not None and ((today or datetime.now(UTC).date()) - subject.issued_on).days > valid_days:
        raise BadLink(expired=True)
    return subject


def unsubscribe_url(base_url: str, secret: str, kind: str, row_id: int) -> str:
    return f"{base_url}{UNSUBSCRIBE_ROUTE}{make_token(secret, kind, row_id)}"


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def track_clicks(body_html: str, base_url: str, secret: str, recipient_id: int) -> str:
    """Point every web link of a rendered HTML body through the click counter."""

    def replace(match: re.Match[str]) -> str:
        target = html.unescape(match.group(1))
        if target.startswith(base_url + UNSUBSCRIBE_ROUTE):
            return match.group(0)  # the unsubscribe link is not a click
        token = make_token(secret, RECIPIENT, recipient_id, target)
        return f'href="{html.escape(base_url + CLICK_ROUTE + token)}"'

    return HREF.sub(replace, body_html)
