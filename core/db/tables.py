"""Core tables: the transactional outbox, deliveries (dedupe + dead letters) and schedules."""

from piccolo.columns import JSONB, BigInt, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table, tablename="core_outbox"):
    """An event or job request written in the same transaction as the change that caused it."""

    kind = Varchar(length=8)  # "event" | "job"
    name = Varchar(length=200)
    payload = JSONB(default={})
    actor_id = Varchar(length=64, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    dispatched_at = Timestamptz(null=True, default=None)  # partial index in migrations/core


class Delivery(Table, tablename="core_delivery"):
    """One outbox message handed to one target (async subscriber or job).

    The row is the source of truth: the broker message only nudges a worker, which runs the
    target and marks the row ``done`` in the same transaction as the target's own writes. A
    duplicate message therefore finds ``done`` and does nothing; a lost one is re-sent by the
    sweeper. ``dead`` rows are the dead-letter list.
    """

    outbox_id = BigInt()  # indexed by the unique (outbox_id, target) index
    target = Varchar(length=200)
    status = Varchar(length=8, default="pending")  # pending | done | dead
    attempts = Integer(default=0)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    enqueued_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class ScheduleState(Table, tablename="core_schedule"):
    """When each schedule next fires; advanced with compare-and-set so only one process fires it."""

    name = Varchar(length=200, unique=True)
    next_run_at = Timestamptz(default=TimestamptzNow())


class AuditEntry(Table, tablename="core_audit"):
    """Who changed what and when: one row per event, written in the changing transaction.

    Nothing updates or deletes these rows; the API only reads them.
    """

    occurred_at = Timestamptz(default=TimestamptzNow())
    actor_kind = Varchar(length=16)
    actor_id = Varchar(length=64, null=True, default=None)
    event = Varchar(length=200)
    entity_type = Varchar(length=64, default="")
    entity_id = BigInt(null=True, default=None)
    changes = JSONB(default={})
    payload = JSONB(default={})
    # PostgreSQL: the writing transaction's id, set by a trigger (migrations); the delta sync orders
    # by (txid, id) because ids are taken before commit, so they commit out of order. SQLite: 0.
    txid = BigInt(default=0)


class OutgoingMail(Table, tablename="core_mail"):
    """A message queued for sending: the job that sends it reads it here, so a retried or
    re-delivered job sees it already sent and sends nothing (the idempotency of outgoing mail)."""

    idempotency_key = Varchar(length=200, unique=True)  # the sender's: "marketing.campaign:7:person:12"
    to_address = Varchar(length=320)
    subject = Varchar(length=998)
    text_body = Text(default="")
    html_body = Text(null=True, default=None)
    headers = JSONB(default={})  # extra headers: List-Unsubscribe, In-Reply-To…
    message_id = Varchar(length=300)  # fixed when queued, the same for every attempt
    status = Varchar(length=16, default="queued")  # queued | sent | failed | bounced | cancelled
    attempts = Integer(default=0)
    last_error = Text(default="")
    source = Varchar(length=200, default="")  # "<plugin>.<record>:<id>" the message is about
    author = Integer(null=True, default=None)  # the user on whose behalf it goes, for the timeline
    queued_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    bounced_at = Timestamptz(null=True, default=None)  # a delivery status notification came back


class IncomingMail(Table, tablename="core_incoming_mail"):
    """A message read from an IMAP mailbox; (mailbox, uidvalidity, uid) is unique (migrations),
    so however often a poll runs, a message is stored and logged once."""

    mailbox = Varchar(length=63)
    uidvalidity = BigInt()
    uid = BigInt()
    message_id = Varchar(length=300, default="")  # indexed in migrations/core
    in_reply_to = Varchar(length=300, default="")
    reference_ids = JSONB(default=[])  # the References header: Message-IDs, oldest first
    thread_key = Varchar(length=300, index=True)  # the Message-ID the conversation started with
    from_address = Varchar(length=320, default="")
    from_name = Varchar(length=200, default="")
    to_addresses = JSONB(default=[])
    cc_addresses = JSONB(default=[])
    subject = Varchar(length=998, default="")
    sent_at = Timestamptz(null=True, default=None)  # the Date header
    text_body = Text(default="")  # the text part, or the HTML part converted to text
    html_body = Text(null=True, default=None)
    size = BigInt(default=0)
    status = Varchar(length=10, default="unmatched")  # logged | unmatched | assigned | bounce
    bounce_of = JSONB(default=[])  # for a delivery status notification: our Message-IDs that failed
    failed_recipients = JSONB(default=[])
    received_at = Timestamptz(default=TimestamptzNow())
    assigned_by = Integer(null=True, default=None)  # the user who took it from the queue
    assigned_at = Timestamptz(null=True, default=None)


class IncomingMailAttachment(Table, tablename="core_incoming_mail_attachment"):
    """A file attached to an incoming message; its bytes are in the attachment store."""

    mail = BigInt(index=True)
    file_name = Varchar(length=255)
    content_type = Varchar(length=120)
    size = BigInt()
    sha256 = Varchar(length=64)
    storage_key = Varchar(length=200)  # empty when the file was over the size limit and not kept


class MailboxState(Table, tablename="core_mailbox_state"):
    """How far the poller has read a mailbox: advanced in the transaction that stores the batch."""

    mailbox = Varchar(length=63, unique=True)
    uidvalidity = BigInt(default=0)
    last_uid = BigInt(default=0)
    polled_at = Timestamptz(null=True, default=None)
