"""Outgoing e-mail: one small interface, SMTP in production, ``.eml`` files without a server.

Messages carry one-time links (invitations, password resets), so they are never logged; without
``KARTOTEKA_SMTP_URL`` they are written to ``KARTOTEKA_MAIL_DIR``, where an operator of an
embedded installation can read them.
"""

from __future__ import annotations

import asyncio
import secrets
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from core.settings import Settings

SMTP_TIMEOUT = 30


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    smtp_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", port, timeout=SMTP_TIMEOUT) as client:
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _write_file(folder: Path, message: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{secrets.token_hex(8)}.eml").write_bytes(message.as_bytes())


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    message = build_message(settings, to, subject, body)
    if settings.smtp_url:
        await asyncio.to_thread(_send_smtp, settings.smtp_url, message)
    else:
        await asyncio.to_thread(_write_file, settings.mail_dir, message)
