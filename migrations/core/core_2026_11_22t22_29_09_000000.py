"""Incoming mail is stored once per IMAP message: (mailbox, UIDVALIDITY, UID) is unique. Lookups
by Message-ID (de-duplication after a UIDVALIDITY change, threads, bounces) use indexes on both
incoming and outgoing mail."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T22:29:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "Incoming mail: unique IMAP message, Message-ID indexes on incoming and outgoing mail"

forwards = ddl_forwards(
    ID,
    "core",
    DESCRIPTION,
    (
        "CREATE UNIQUE INDEX core_incoming_mail_imap_uid ON core_incoming_mail (mailbox, uidvalidity, uid)",
        "CREATE INDEX core_incoming_mail_message_id ON core_incoming_mail (message_id)",
        "CREATE INDEX core_incoming_mail_queue ON core_incoming_mail (status, id)",
        "CREATE INDEX core_mail_message_id ON core_mail (message_id)",
    ),
)
