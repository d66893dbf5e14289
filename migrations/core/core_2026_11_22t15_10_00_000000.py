"""A key is unique per entity."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Custom field key per entity"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX core_custom_field_key ON core_custom_field (entity, key)")

    manager.add_raw(create_index)
    return manager
