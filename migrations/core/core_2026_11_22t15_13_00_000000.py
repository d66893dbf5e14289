"""Consents are read per person and purpose."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T15:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Consent index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl('CREATE INDEX core_consent_person ON core_consent ("person", purpose)')

    manager.add_raw(create_index)
    return manager
