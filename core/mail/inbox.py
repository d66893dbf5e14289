"""Incoming e-mail (MISSION F4): IMAP mailboxes read into the client file.

A schedule fires ``core.poll_mailboxes`` every minute; it defers one ``core.poll_mailbox`` job
per mailbox that is due (``KARTOTEKA_IMAP_POLL_MINUTES``). Each run reads one batch of new
messages and stores it in the job's own transaction, together with the mailbox's new read
position (UIDVALIDITY and last UID) and the delivery's ``done`` mark; while more messages wait,
the job defers itself again. So a batch is stored entirely or not at all, and however often a
job is re-run or a process restarts, a message is logged once: the unique (mailbox, UIDVALIDITY,
UID) index guards the rare race, and Message-ID de-duplication covers a mailbox whose
UIDVALIDITY changed (rebuilt or moved server) and now shows old messages under new UIDs.

Each stored message lands on the timeline (``core.email``, ``data.direction = "in"``) of every
person and company its sender and recipients match — exact address first, then the company's
domain — never through our own addresses and domains. A message nobody matches waits in the queue
(status ``unmatched``) until a user assigns it. A delivery status notification (a bounce) marks
the outgoing message it reports on as bounced. Every stored message publishes
``core.email_received`` (see docs/mail.md) for plugins: replies and bounces of campaigns.

The IMAP session is opened inside the job's transaction (jobs run in one); on SQLite that holds
the write lock while a batch is fetched, so ``KARTOTEKA_IMAP_BATCH_SIZE`` bounds that time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from core.crm.tables import Company, Person
from core.db.tables import IncomingMail, IncomingMailAttachment, MailboxState, OutgoingMail
from core.errors import DomainError
from core.events.base import Event
from core.i18n import _
from core.mail.imap import Fetched, Session
from core.mail.outgoing import FREE_MAIL, outgoing_thread_key, recipients_in_file
from core.mail.parse import ParsedMail, parse_mail
from core.settings import Mailbox

if TYPE_CHECKING:
    from core.auth import Actor
    from core.events.bus import UnitOfWork
    from core.jobs.context import JobContext
    from core.runtime import Runtime

log = logging.getLogger("kartoteka.mail")

READ = "core.mail.read"
MANAGE = "core.mail.manage"
POLL_ALL_JOB = "core.poll_mailboxes"
POLL_JOB = "core.poll_mailbox"
STATUSES = ("logged", "unmatched", "assigned", "bounce")
TIMELINE_BODY = 20_000  # core.crm.timeline.MAX_BODY

Match = tuple[int | None, int | None]


class EmailReceived(Event, frozen=True):
    """An incoming message was stored (once per message, whatever the retries).

    ``replied_mail_ids`` are the ``core_mail`` rows (our outgoing messages) it answers, by
    In-Reply-To/References. For a bounce, ``bounce_of`` holds the Message-IDs of our messages
    that failed, ``failed_recipients`` the addresses, ``bounced_mail_ids`` the ``core_mail``
    rows now marked ``bounced``."""

    name: ClassVar[str] = "core.email_received"
    incoming_mail_id: int
    mailbox: str
    message_id: str
    in_reply_to: str
    references: list[str]
    thread_key: str
    from_address: str
    status: str  # logged | unmatched | bounce
    company_ids: list[int]
    person_ids: list[int]
    replied_mail_ids: list[int]
    bounce_of: list[str]
    failed_recipients: list[str]
    bounced_mail_ids: list[int]


class IncomingMailAssigned(Event, frozen=True):
    """A user took a message from the unmatched queue and logged it on a client's timeline."""

    name: ClassVar[str] = "core.email_assigned"
    incoming_mail_id: int
    company_id: int | None
    person_id: int | None


EVENT_TYPES = [EmailReceived, IncomingMailAssigned]


@dataclass
class BatchResult:
    stored: int = 0
    skipped: int = 0  # already stored (same Message-ID seen before in this mailbox)
    remaining: int = 0  # new messages left for the next batch
    total: int = 0  # new messages the mailbox held when the batch started
    stored_ids: list[int] = field(default_factory=list)


# --- matching ------------------------------------------------------------------------------------
class Matcher:
    """Finds the clients of a message's addresses; remembers answers for the batch."""

    def __init__(self, runtime: Runtime, mailbox: Mailbox):
        settings = runtime.settings
        own = {settings.mail_from.lower(), *(m.address for m in settings.imap_mailboxes), mailbox.address}
        self.own_addresses = {a for a in own if a}
        # Mail between colleagues and clients belongs on the client's card, never on ours (even
        # if we are in our own file); a free-mail domain is not ours, only the address itself.
        self.own_domains = {a.rpartition("@")[2] for a in self.own_addresses} - FREE_MAIL
        self.cache: dict[str, list[Match]] = {}

    def ours(self, address: str) -> bool:
        return address in self.own_addresses or address.rpartition("@")[2] in self.own_domains

    async def matches(self, addresses: list[str]) -> list[Match]:
        found: list[Match] = []
        for address in dict.fromkeys(addresses):
            if not address or self.ours(address):
                continue
            if address not in self.cache:
                self.cache[address] = await recipients_in_file(address)
            found += self.cache[address]
        unique = list(dict.fromkeys(found))
        # A company reached through a person is not logged a second time on its own.
        through_person = {company for company, person in unique if person is not None and company is not None}
        return [(c, p) for c, p in unique if p is not None or c not in through_person]


# --- threads ---------------------------------------------------------------------------------------
async def thread_key(parsed: ParsedMail, fallback: str) -> str:
    """The Message-ID a conversation started with. A reply names its parents (In-Reply-To, then
    References newest first); the first one we hold — incoming or our own outgoing mail — gives
    the thread, so replies join it even when their References header was cut short."""
    chain = list(dict.fromkeys([x for x in (parsed.in_reply_to, *reversed(parsed.references)) if x]))
    if not chain:
        return parsed.message_id or fallback
    known = {
        row["message_id"]: row["thread_key"]
        for row in await IncomingMail.select(IncomingMail.message_id, IncomingMail.thread_key).where(
            IncomingMail.message_id.is_in(chain)
        )
    }
    sent = {
        row["message_id"]: row
        for row in await OutgoingMail.select(OutgoingMail.message_id, OutgoingMail.headers)
        .where(OutgoingMail.message_id.is_in(chain))
        .output(load_json=True)
    }
    for parent in chain:
        if parent in known:
            return known[parent]
        if parent in sent:
            return outgoing_thread_key(sent[parent])
    return parsed.references[0] if parsed.references else parsed.in_reply_to


# --- storing one message -----------------------------------------------------------------------------
async def _store_files(runtime: Runtime, mail_id: int, parsed: ParsedMail) -> None:
    from core.attachments.services import _write

    limit = runtime.settings.max_attachment_bytes
    for item in parsed.files:
        keep = 0 < len(item.content) <= limit  # over the limit: listed, not kept
        digest, key = await asyncio.to_thread(_write, runtime, item.content) if keep else ("", "")
        await IncomingMailAttachment.insert(
            IncomingMailAttachment(
                mail=mail_id,
                file_name=item.file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "attachment",
                content_type=item.content_type[:120],
                size=len(item.content),
                sha256=digest,
                storage_key=key,
            )
        )


async def _log(
    runtime: Runtime, uow: UnitOfWork, mail: dict[str, Any], matches: list[Match], author_id: int | None = None
) -> None:
    from core.crm.timeline import record

    for company_id, person_id in matches:
        await record(
            runtime,
            uow,
            kind="core.email",
            company_id=company_id,
            person_id=person_id,
            subject=mail["subject"],
            body=mail["text_body"][:TIMELINE_BODY],
            occurred_at=mail["sent_at"] or mail["received_at"],
            author_id=author_id,
            source=f"core.incoming_mail:{mail['id']}",
            data={
                "direction": "in",
                "incoming_mail_id": mail["id"],
                "message_id": mail["message_id"],
                "thread_key": mail["thread_key"],
                "from": mail["from_address"],
                "to": mail["to_addresses"],
                "mailbox": mail["mailbox"],
            },
        )


async def store_message(
    runtime: Runtime, uow: UnitOfWork, mailbox: Mailbox, uidvalidity: int, fetched: Fetched, matcher: Matcher
) -> int | None:
    """Store, log and announce one message; None when this mailbox holds it already."""
    try:
        parsed = parse_mail(fetched.raw)
    except Exception:  # one unreadable message must not stop the mailbox: keep it, empty, in the queue
        log.exception("mailbox %s: message UID %s could not be parsed", mailbox.name, fetched.uid)
        parsed = ParsedMail()
    if parsed.message_id and await IncomingMail.exists().where(
        (IncomingMail.mailbox == mailbox.name) & (IncomingMail.message_id == parsed.message_id)
    ):
        return None
    fallback = f"<{mailbox.name}.{uidvalidity}.{fetched.uid}@kartoteka.invalid>"
    key = await thread_key(parsed, fallback)
    if parsed.is_bounce:
        matches = await matcher.matches(parsed.failed_recipients)  # whose address failed
        status = "bounce"  # never in the queue: it is about our mail, not from a client
    else:
        matches = await matcher.matches([parsed.from_address, *parsed.to, *parsed.cc])
        status = "logged" if matches else "unmatched"
    now = datetime.now(UTC)
    row = IncomingMail(
        mailbox=mailbox.name,
        uidvalidity=uidvalidity,
        uid=fetched.uid,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        reference_ids=parsed.references,
        thread_key=key[:300],
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to_addresses=parsed.to,
        cc_addresses=parsed.cc,
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        text_body=parsed.text,
        html_body=parsed.html,
        size=fetched.size,
        status=status,
        bounce_of=parsed.bounce_of,
        failed_recipients=parsed.failed_recipients,
        received_at=now,
    )
    [inserted] = await IncomingMail.insert(row).returning(IncomingMail.id)
    mail_id = inserted["id"]
    await _store_files(runtime, mail_id, parsed)
    mail = {
        "id": mail_id,
        "mailbox": mailbox.name,
        "message_id": parsed.message_id,
        "thread_key": row.thread_key,
        "from_address": parsed.from_address,
        "to_addresses": parsed.to,
        "subject": parsed.subject or "(no subject)",
        "text_body": parsed.text,
        "sent_at": parsed.sent_at,
        "received_at": now,
    }
    await _log(runtime, uow, mail, matches)
    parents = [x for x in (parsed.in_reply_to, *parsed.references) if x]
    replied = (
        [r["id"] for r in await OutgoingMail.select(OutgoingMail.id).where(OutgoingMail.message_id.is_in(parents))]
        if parents and not parsed.is_bounce
        else []
    )
    bounced = await _mark_bounced(parsed.bounce_of, now) if parsed.bounce_of else []
    await uow.publish(
        EmailReceived(
            incoming_mail_id=mail_id,
            mailbox=mailbox.name,
            message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            thread_key=row.thread_key,
            from_address=parsed.from_address,
            status=status,
            company_ids=sorted({c for c, _p in matches if c is not None}),
            person_ids=sorted({p for _c, p in matches if p is not None}),
            replied_mail_ids=sorted(replied),
            bounce_of=parsed.bounce_of,
            failed_recipients=parsed.failed_recipients,
            bounced_mail_ids=bounced,
        )
    )
    return mail_id


async def _mark_bounced(message_ids: list[str], now: datetime) -> list[int]:
    rows = await OutgoingMail.select(OutgoingMail.id).where(
        OutgoingMail.message_id.is_in(message_ids) & OutgoingMail.status.is_in(["sent", "bounced"])
    )
    ids = sorted(r["id"] for r in rows)
    if ids:
        await OutgoingMail.update({OutgoingMail.status: "bounced", OutgoingMail.bounced_at: now}).where(
            OutgoingMail.id.is_in(ids) & (OutgoingMail.status == "sent")
        )
    return ids


# --- polling ---------------------------------------------------------------------------------------
async def _locked_state(runtime: Runtime, name: str) -> dict[str, Any]:
    """The mailbox's read position, locked for this transaction: a second poller of the same
    mailbox waits here, then reads the advanced position (SQLite's write lock does the same)."""
    await MailboxState.insert(MailboxState(mailbox=name)).on_conflict(target=MailboxState.mailbox, action="DO NOTHING")
    query = MailboxState.select().where(MailboxState.mailbox == name)
    if runtime.settings.is_postgres:
        query = query.lock_rows()
    return (await query)[0]


async def poll_batch(runtime: Runtime, uow: UnitOfWork, mailbox: Mailbox, batch_size: int | None = None) -> BatchResult:
    """Read and store the next batch of new messages, all in ``uow``'s transaction."""
    size = batch_size or runtime.settings.imap_batch_size
    state = await _locked_state(runtime, mailbox.name)
    session = await asyncio.to_thread(Session, mailbox)
    try:
        last_uid = state["last_uid"] if state["uidvalidity"] == session.uidvalidity else 0
        if state["uidvalidity"] not in (0, session.uidvalidity):
            log.warning("mailbox %s: UIDVALIDITY changed, reading it again from the start", mailbox.name)
        uids = await asyncio.to_thread(session.uids_after, last_uid)
        batch = await asyncio.to_thread(session.fetch, uids[:size])
    finally:
        await asyncio.to_thread(session.close)
    result = BatchResult(total=len(uids), remaining=max(0, len(uids) - size))
    matcher = Matcher(runtime, mailbox)
    for fetched in batch:
        mail_id = await store_message(runtime, uow, mailbox, session.uidvalidity, fetched, matcher)
        if mail_id is None:
            result.skipped += 1
        else:
            result.stored += 1
            result.stored_ids.append(mail_id)
    new_last = max([last_uid, *(uid for uid in uids[:size])])
    await MailboxState.update({MailboxState.uidvalidity: session.uidvalidity, MailboxState.last_uid: new_last}).where(
        MailboxState.mailbox == mailbox.name
    )
    return result


def _mailbox(runtime: Runtime, name: str) -> Mailbox | None:
    mailbox = runtime.settings.mailbox(name)
    if mailbox is None:
        log.warning("mailbox %s is no longer configured; poll skipped", name)
    return mailbox


async def poll_mailbox(ctx: JobContext, mailbox: str) -> None:
    """The ``core.poll_mailbox`` job: one batch; while more wait, the job comes again."""
    configured = _mailbox(ctx.runtime, mailbox)
    if configured is None:
        return
    result = await poll_batch(ctx.runtime, ctx.uow, configured)
    if result.stored or result.skipped:
        log.info("mailbox %s: %s stored, %s left", mailbox, result.stored, result.remaining)
    if result.remaining:
        await ctx.uow.defer(POLL_JOB, mailbox=mailbox)


async def poll_due_mailboxes(ctx: JobContext) -> None:
    """The ``core.poll_mailboxes`` job (every minute): a poll for each mailbox that is due."""
    settings = ctx.runtime.settings
    now = datetime.now(UTC)
    # A little slack: the schedule fires about once a minute, not to the second.
    due_before = now - timedelta(minutes=settings.imap_poll_minutes) + timedelta(seconds=5)
    for mailbox in settings.imap_mailboxes:
        state = await _locked_state(ctx.runtime, mailbox.name)
        polled = state["polled_at"]
        if polled is not None and (polled if polled.tzinfo else polled.replace(tzinfo=UTC)) > due_before:
            continue
        await MailboxState.update({MailboxState.polled_at: now}).where(MailboxState.mailbox == mailbox.name)
        await ctx.uow.defer(POLL_JOB, mailbox=mailbox.name)


# --- the queue ---------------------------------------------------------------------------------------
async def assign(runtime: Runtime, actor: Actor, mail_id: int, company_id: int | None, person_id: int | None) -> int:
    """Log an unmatched message on a company's and/or person's timeline and take it off the queue."""
    from core.crm.scoping import require_reachable

    if not actor.can(MANAGE):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=MANAGE)
    if company_id is None and person_id is None:
        raise DomainError("NO_SUBJECT", _("Say which company or person this is about."), ["companyId"])
    async with runtime.unit_of_work(actor) as uow:
        query = IncomingMail.select().where(IncomingMail.id == mail_id).output(load_json=True)
        if runtime.settings.is_postgres:
            query = query.lock_rows()  # two users assigning at once: the second finds it assigned
        mail = await query.first()
        if mail is None:
            raise DomainError("NOT_FOUND", _("No such message."), ["id"])
        if mail["status"] != "unmatched":
            raise DomainError("NOT_IN_QUEUE", _("This message is not waiting in the unmatched queue."), ["id"])
        if company_id is not None:
            await require_reachable(Company, company_id, actor, "core.company.write", ["companyId"])
        if person_id is not None:
            await require_reachable(Person, person_id, actor, "core.person.write", ["personId"])
        author = int(actor.id) if actor.kind == "staff" and actor.id and actor.id.isdecimal() else None
        mail["subject"] = mail["subject"] or "(no subject)"
        await _log(runtime, uow, mail, [(company_id, person_id)], author_id=author)
        await IncomingMail.update(
            {
                IncomingMail.status: "assigned",
                IncomingMail.assigned_by: author,
                IncomingMail.assigned_at: datetime.now(UTC),
            }
        ).where(IncomingMail.id == mail_id)
        await uow.publish(IncomingMailAssigned(incoming_mail_id=mail_id, company_id=company_id, person_id=person_id))
    return mail_id


async def attachment_content(runtime: Runtime, actor: Actor, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    """A file of an incoming message, for a user who may read incoming mail."""
    from core.attachments.services import read

    if not actor.can(READ):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=READ)
    row = await IncomingMailAttachment.select().where(IncomingMailAttachment.id == attachment_id).first()
    if row is None or not row["storage_key"]:
        raise DomainError("NOT_FOUND", _("No such file."), ["id"])
    return row, await asyncio.to_thread(read, runtime, row["storage_key"])
