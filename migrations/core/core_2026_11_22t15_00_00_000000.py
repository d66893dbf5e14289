"""Timelines are read per company or person, newest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Timeline indexes"

STATEMENTS = (
    'CREATE INDEX core_timeline_company ON core_timeline_entry ("company", occurred_at DESC, id DESC)',
    'CREATE INDEX core_timeline_person ON core_timeline_entry ("person", occurred_at DESC, id DESC)',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
