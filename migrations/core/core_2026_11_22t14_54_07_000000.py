"""The audit log is read per record, newest first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T14:54:07:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit log index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl("CREATE INDEX core_audit_subject ON core_audit (entity_type, entity_id, id)")

    manager.add_raw(create_index)
    return manager
