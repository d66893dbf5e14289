"""What Piccolo cannot declare, for the core's tables: composite, partial and expression indexes,
search (trigram on PostgreSQL, FTS5 on SQLite), the byte order of sort keys and the audit
transaction trigger on PostgreSQL.

Self-contained on purpose: a migration imports nothing from the application (only Piccolo), so
that later changes to the code cannot change what it does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T20:09:37:000000"
VERSION = "1.38.0"
DESCRIPTION = "Core indexes, search, sort key order and audit trigger (squashed history)"
# The hand-written migrations of the squashed history (their data updates had no rows to change on
# a new database and are gone).
REPLACES = (
    "2026-11-22T14:12:14:000000",
    "2026-11-22T14:34:22:000000",
    "2026-11-22T14:42:26:000000",
    "2026-11-22T14:54:07:000000",
    "2026-11-22T15:00:00:000000",
    "2026-11-22T15:10:00:000000",
    "2026-11-22T15:12:00:000000",
    "2026-11-22T15:13:00:000000",
    "2026-11-22T15:20:00:000000",
    "2026-11-22T15:40:00:000000",
    "2026-11-22T16:40:00:000000",
    "2026-11-22T19:32:21:000000",
    "2026-11-22T22:29:09:000000",
    "2026-12-03T18:28:51:000000",
    "2026-12-03T18:30:46:000000",
    "2026-12-03T19:59:11:000000",
)

STATEMENTS = (
    # Delivery: one per outbox message and target, so the relay can never fan out twice; the
    # relay and the sweeper read undispatched, pending and dead rows.
    "CREATE UNIQUE INDEX core_delivery_outbox_target ON core_delivery (outbox_id, target)",
    "CREATE INDEX core_outbox_undispatched ON core_outbox (id) WHERE dispatched_at IS NULL",
    "CREATE INDEX core_delivery_pending ON core_delivery (enqueued_at) WHERE status = 'pending'",
    "CREATE INDEX core_delivery_dead ON core_delivery (id) WHERE status = 'dead'",
    # One row per user and role, and per user and territory.
    'CREATE UNIQUE INDEX core_user_role_pair ON core_user_role ("user", "role")',
    'CREATE UNIQUE INDEX core_user_territory_pair ON core_user_territory ("user", "territory")',
    # The client file: unique links, foreign keys used by scoping.
    'CREATE UNIQUE INDEX core_company_tag_pair ON core_company_tag ("company", "tag")',
    'CREATE UNIQUE INDEX core_person_tag_pair ON core_person_tag ("person", "tag")',
    'CREATE UNIQUE INDEX core_employment_pair ON core_employment ("company", "person")',
    'CREATE INDEX core_employment_person ON core_employment ("person")',
    'CREATE INDEX core_person_tag_tag ON core_person_tag ("tag")',
    'CREATE INDEX core_company_tag_tag ON core_company_tag ("tag")',
    'CREATE INDEX core_contact_point_company ON core_contact_point ("company")',
    'CREATE INDEX core_contact_point_person ON core_contact_point ("person")',
    'CREATE INDEX core_address_company ON core_address ("company")',
    'CREATE INDEX core_address_person ON core_address ("person")',
    'CREATE INDEX core_company_owner ON core_company ("owner")',
    'CREATE INDEX core_company_territory ON core_company ("territory")',
    'CREATE INDEX core_person_owner ON core_person ("owner")',
    'CREATE INDEX core_person_territory ON core_person ("territory")',
    # Lists show live records in Polish alphabetical order; the id breaks ties so pages are stable.
    "CREATE INDEX core_company_live_sort ON core_company (sort_name, id) WHERE deleted_at IS NULL",
    "CREATE INDEX core_person_live_sort ON core_person (sort_name, id) WHERE deleted_at IS NULL",
    # The audit log is read per record, newest first, and by the delta sync per (transaction, id).
    "CREATE INDEX core_audit_subject ON core_audit (entity_type, entity_id, id)",
    "CREATE INDEX core_audit_feed ON core_audit (txid, id)",
    # Timelines are read per company or person, newest first.
    'CREATE INDEX core_timeline_company ON core_timeline_entry ("company", occurred_at DESC, id DESC)',
    'CREATE INDEX core_timeline_person ON core_timeline_entry ("person", occurred_at DESC, id DESC)',
    # A custom field's key is unique per entity.
    "CREATE UNIQUE INDEX core_custom_field_key ON core_custom_field (entity, key)",
    "CREATE UNIQUE INDEX core_search_subject ON core_search (entity, entity_id)",
    # Consents are read per person and purpose.
    'CREATE INDEX core_consent_person ON core_consent ("person", purpose)',
    # Calendars read tasks per assignee and time; the reminder job reads due reminders.
    'CREATE INDEX core_task_assignee_due ON core_task ("assignee", due_at, id)',
    "CREATE INDEX core_task_reminders ON core_task (remind_at) WHERE reminded_at IS NULL AND status = 'open'",
    'CREATE INDEX core_task_company ON core_task ("company")',
    'CREATE INDEX core_task_person ON core_task ("person")',
    # Files are listed per record; a user follows a record once.
    'CREATE INDEX core_attachment_company ON core_attachment ("company") WHERE deleted_at IS NULL',
    'CREATE INDEX core_attachment_person ON core_attachment ("person") WHERE deleted_at IS NULL',
    'CREATE UNIQUE INDEX core_follower_company ON core_follower ("user", "company") WHERE "company" IS NOT NULL',
    'CREATE UNIQUE INDEX core_follower_person ON core_follower ("user", "person") WHERE "person" IS NOT NULL',
    # Incoming mail is stored once per IMAP message; lookups by Message-ID (de-duplication after a
    # UIDVALIDITY change, threads, bounces) on incoming and outgoing mail.
    "CREATE UNIQUE INDEX core_incoming_mail_imap_uid ON core_incoming_mail (mailbox, uidvalidity, uid)",
    "CREATE INDEX core_incoming_mail_message_id ON core_incoming_mail (message_id)",
    "CREATE INDEX core_incoming_mail_queue ON core_incoming_mail (status, id)",
    "CREATE INDEX core_mail_message_id ON core_mail (message_id)",
    # The inbox is read per recipient, newest first; its unread count is shown on every page.
    "CREATE INDEX core_notification_inbox ON core_notification (recipient, id)",
    "CREATE INDEX core_notification_unread ON core_notification (recipient, id) WHERE read_at IS NULL",
    # The call queue is read per agent, per team and per person (next call, duplicates, merges).
    "CREATE INDEX core_call_queue_assignee ON core_call_queue_entry (assignee, status, priority, due_at)",
    "CREATE INDEX core_call_queue_team ON core_call_queue_entry (team, status, priority, due_at)",
    "CREATE INDEX core_call_queue_person ON core_call_queue_entry (person, status)",
    "CREATE INDEX core_call_queue_company ON core_call_queue_entry (company)",
)
POSTGRES = (
    # Substring search on names, NIP, e-mails and phones: ILIKE uses a trigram GIN index.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX core_search_trigram ON core_search USING gin (document gin_trgm_ops)",
    # The sort key is built for code-point order; the database's own locale must not reorder it.
    'ALTER TABLE core_company ALTER COLUMN sort_name TYPE text COLLATE "C"',
    'ALTER TABLE core_person ALTER COLUMN sort_name TYPE text COLLATE "C"',
    # The delta sync reads the audit log by (writing transaction, id): a trigger stamps each row
    # with its transaction's id, whoever inserts it. SQLite has one writer: ids are in commit order
    # there and the column stays 0.
    "CREATE FUNCTION core_audit_txid() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN NEW.txid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$",
    "CREATE TRIGGER core_audit_txid BEFORE INSERT ON core_audit FOR EACH ROW EXECUTE FUNCTION core_audit_txid()",
)
SQLITE = (
    # Substring search: an FTS5 table with the trigram tokenizer, kept in step with core_search.
    "CREATE VIRTUAL TABLE core_search_fts USING fts5(document, content='core_search', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER core_search_ai AFTER INSERT ON core_search BEGIN "
    "INSERT INTO core_search_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER core_search_ad AFTER DELETE ON core_search BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, document) VALUES ('delete', old.id, old.document); END",
    "CREATE TRIGGER core_search_au AFTER UPDATE ON core_search BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, document) VALUES ('delete', old.id, old.document); "
    "INSERT INTO core_search_fts(rowid, document) VALUES (new.id, new.document); END",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        for statement in (*STATEMENTS, *(SQLITE if engine.engine_type == "sqlite" else POSTGRES)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
