"""The audit log is read per record, newest first."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T14:54:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit log index"


forwards = ddl_forwards(ID, "core", DESCRIPTION, ["CREATE INDEX core_audit_subject ON core_audit (entity_type, entity_id, id)"])
