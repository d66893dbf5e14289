"""Timelines are read per company or person, newest first."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Timeline indexes"

STATEMENTS = (
    'CREATE INDEX core_timeline_company ON core_timeline_entry ("company", occurred_at DESC, id DESC)',
    'CREATE INDEX core_timeline_person ON core_timeline_entry ("person", occurred_at DESC, id DESC)',
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, STATEMENTS)
