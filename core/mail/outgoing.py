"""Outgoing e-mail: one service for the core and every plugin, SMTP in production (aiosmtplib:
TLS, STARTTLS when the server offers it, login), ``.eml`` files without a server.

Mail that belongs to the client file goes through :func:`queue_mail`: a row in ``core_mail`` and
a job in the same transaction as the change that caused it. The job (``core.send_mail``) reads
the row; once it is marked sent, a retried or re-delivered job sends nothing. The sent message
lands on the timeline of every person and company its recipient matches. The only gap left is
the moment between the SMTP server accepting a message and the job's commit: a worker killed
exactly then sends it again, with the same Message-ID.

Messages may carry one-time links (invitations, password resets), so they are never logged;
without ``KARTOTEKA_SMTP_URL`` they are written to ``KARTOTEKA_MAIL_DIR``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import aiosmtplib

from core.crm.tables import Company, ContactPoint, Employment, Person
from core.db.tables import OutgoingMail
from core.errors import DomainError
from core.i18n import _
from core.settings import Settings

if TYPE_CHECKING:
    from core.events.bus import UnitOfWork
    from core.jobs.context import JobContext

SMTP_TIMEOUT = 30
SEND_JOB = "core.send_mail"
# Mail to our own staff (notifications) is about no client: it stays off the client timelines.
STAFF_ONLY_SOURCE = "core.notification:"
# Addresses at these domains belong to people, not to the company the domain would suggest.
FREE_MAIL = frozenset(
    (
        "gmail.com",
        "googlemail.com",
        "wp.pl",
        "o2.pl",
        "onet.pl",
        "op.pl",
        "interia.pl",
        "poczta.fm",
        "tlen.pl",
        "gazeta.pl",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "proton.me",
    )
)


def build_message(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    message_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or new_message_id(settings)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def new_message_id(settings: Settings) -> str:
    return make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)


async def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    await aiosmtplib.send(
        message,
        hostname=parts.hostname or "127.0.0.1",
        port=parts.port or (465 if secure else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password or "") if parts.username else None,
        use_tls=secure,
        start_tls=None if not secure else False,  # None: STARTTLS when the server offers it
        timeout=SMTP_TIMEOUT,
    )


def _write_file(folder: Path, message: EmailMessage) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{secrets.token_hex(8)}.eml").write_bytes(message.as_bytes())


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the SMTP server, or write it as a file without one."""
    if settings.smtp_url:
        await _send_smtp(settings.smtp_url, message)
    else:
        await asyncio.to_thread(_write_file, settings.mail_dir, message)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send at once (sign-in links the user waits for on the page); client mail uses queue_mail."""
    await deliver(settings, build_message(settings, to, subject, body))


# --- queued mail ----------------------------------------------------------------------------------
async def queue_mail(
    uow: UnitOfWork,
    *,
    to: str,
    subject: str,
    text: str,
    key: str,
    html: str | None = None,
    headers: Mapping[str, str] | None = None,
    source: str = "",
    author_id: int | None = None,
) -> int:
    """Queue one message to one recipient in ``uow``'s transaction and return its id.

    ``key`` names the message for its sender ("marketing.campaign:7:person:12"): queuing the same
    key again returns the first message and sends nothing more."""
    from core.validation import normalise_email

    address = normalise_email(to, ["to"])
    if not subject.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["subject"])
    existing = await OutgoingMail.select(OutgoingMail.id).where(OutgoingMail.idempotency_key == key).first()
    if existing:
        return existing["id"]
    settings = uow.runtime.settings
    [row] = await OutgoingMail.insert(
        OutgoingMail(
            idempotency_key=key,
            to_address=address,
            subject=subject.strip(),
            text_body=text,
            html_body=html,
            headers=dict(headers or {}),
            message_id=new_message_id(settings),
            source=source,
            author=author_id,
        )
    ).returning(OutgoingMail.id)
    await uow.defer(SEND_JOB, mail_id=row["id"])
    return row["id"]


async def cancel_mail(mail_ids: list[int]) -> list[int]:
    """Stop queued messages (an unsubscribe, a cancelled campaign); those already sent stay sent.

    On PostgreSQL the sending job holds the row's lock while it talks to the SMTP server, so a
    message is either cancelled here or sent there, never both."""
    if not mail_ids:
        return []
    rows = (
        await OutgoingMail.update({OutgoingMail.status: "cancelled"})
        .where(OutgoingMail.id.is_in(mail_ids) & (OutgoingMail.status == "queued"))
        .returning(OutgoingMail.id)
    )
    return [row["id"] for row in rows]


async def send_queued_mail(ctx: JobContext, mail_id: int) -> None:
    """The ``core.send_mail`` job: send a queued message unless it went already, then log it on
    the timelines of the persons and companies it was sent to."""
    runtime = ctx.runtime
    query = OutgoingMail.select().where(OutgoingMail.id == mail_id).output(load_json=True)
    if runtime.settings.is_postgres:
        query = query.lock_rows()  # a second delivery of the job waits, then finds it sent
    mail = await query.first()
    if mail is None or mail["status"] != "queued":
        return
    attempts = mail["attempts"] + 1
    try:
        message = build_message(
            runtime.settings,
            mail["to_address"],
            mail["subject"],
            mail["text_body"] or "",
            html=mail["html_body"],
            message_id=mail["message_id"],  # the same on every attempt
            headers=mail["headers"],
        )
        await deliver(runtime.settings, message)
    except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as error:
        if isinstance(error, aiosmtplib.SMTPResponseException) and error.code < 500:
            raise  # 4xx: the server asks to try later; the job is retried with backoff
        await OutgoingMail.update(
            {OutgoingMail.status: "failed", OutgoingMail.attempts: attempts, OutgoingMail.last_error: str(error)[:2000]}
        ).where(OutgoingMail.id == mail_id)
        return
    await OutgoingMail.update(
        {OutgoingMail.status: "sent", OutgoingMail.attempts: attempts, OutgoingMail.sent_at: datetime.now(UTC)}
    ).where(OutgoingMail.id == mail_id)
    if not mail["source"].startswith(STAFF_ONLY_SOURCE):
        await _log_on_timelines(ctx, mail)


async def recipients_in_file(address: str, *, by_domain: bool = True) -> list[tuple[int | None, int | None]]:
    """(company, person) pairs an address belongs to: persons with the address (and the company
    each works at), companies with it, and failing both the companies using its domain (not a
    free-mail one), so mail to someone new at a known client still lands on the client.

    ``by_domain=False`` skips that last step: our own domain belongs to no client."""
    found: list[tuple[int | None, int | None]] = []
    points = await ContactPoint.select(ContactPoint.company, ContactPoint.person).where(
        (ContactPoint.kind == "email") & (ContactPoint.value == address)
    )
    persons = [p["person"] for p in points if p["person"] is not None]
    live_persons = {
        row["id"]
        for row in await Person.select(Person.id).where(Person.id.is_in(persons or [-1]) & Person.deleted_at.is_null())
    }
    for person_id in sorted(live_persons):
        employer = (
            await Employment.select(Employment.company)
            .where((Employment.person == person_id) & Employment.company.deleted_at.is_null())
            .order_by(Employment.is_primary, ascending=False)
            .first()
        )
        found.append((employer["company"] if employer else None, person_id))
    companies = {p["company"] for p in points if p["company"] is not None} - {c for c, _p in found}
    domain = address.rpartition("@")[2]
    if by_domain and not found and not companies and domain and domain not in FREE_MAIL:
        rows = await ContactPoint.select(ContactPoint.company).where(
            (ContactPoint.kind == "email") & ContactPoint.company.is_not_null() & ContactPoint.value.like(f"%@{domain}")
        )
        companies = {row["company"] for row in rows}
    if companies:
        live = await Company.select(Company.id).where(
            Company.id.is_in(sorted(companies)) & Company.deleted_at.is_null()
        )
        found += [(row["id"], None) for row in sorted(live, key=lambda r: r["id"])]
    return found


def outgoing_thread_key(mail: Mapping[str, Any]) -> str:
    """The conversation a sent message belongs to: the first Message-ID its References (or
    In-Reply-To) header names, else its own — the rule incoming mail follows (core.mail.inbox)."""
    from core.mail.parse import message_ids

    headers = {name.lower(): value for name, value in (mail.get("headers") or {}).items()}
    chain = message_ids(headers.get("references")) or message_ids(headers.get("in-reply-to"))
    return chain[0] if chain else mail["message_id"]


async def _log_on_timelines(ctx: JobContext, mail: Mapping[str, Any]) -> None:
    from core.crm.timeline import record

    for company_id, person_id in await recipients_in_file(mail["to_address"]):
        await record(
            ctx.runtime,
            ctx.uow,
            kind="core.email",
            company_id=company_id,
            person_id=person_id,
            subject=mail["subject"],
            body=mail["text_body"] or "",
            author_id=mail["author"],
            source=mail["source"] or f"core.mail.outgoing:{mail['id']}",
            data={
                "direction": "out",
                "mail_id": mail["id"],
                "message_id": mail["message_id"],
                "thread_key": outgoing_thread_key(mail),
                "to": mail["to_address"],
            },
        )
