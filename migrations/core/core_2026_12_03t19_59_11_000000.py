"""The delta sync reads the audit log by (writing transaction, id); on PostgreSQL a trigger stamps
each row with its transaction's id, whoever inserts it. SQLite has one writer: ids are in commit
order there and the column stays 0. Rows written before this migration keep 0: they are older
than any transaction still running, so they sort first, by id, as before."""

from core.db.ddl import ddl_forwards

ID = "2026-12-03T19:59:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit entries: transaction id trigger on PostgreSQL, sync feed index"

POSTGRES = (
    "CREATE FUNCTION core_audit_txid() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN NEW.txid := pg_current_xact_id()::text::bigint; RETURN NEW; END $$",
    "CREATE TRIGGER core_audit_txid BEFORE INSERT ON core_audit FOR EACH ROW EXECUTE FUNCTION core_audit_txid()",
)

forwards = ddl_forwards(
    ID, "core", DESCRIPTION, ("CREATE INDEX core_audit_feed ON core_audit (txid, id)",), postgres=POSTGRES
)
