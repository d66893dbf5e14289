"""One row per user and role, and per user and territory."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T14:34:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique role and territory assignments"

STATEMENTS = (
    'CREATE UNIQUE INDEX core_user_role_pair ON core_user_role ("user", "role")',
    'CREATE UNIQUE INDEX core_user_territory_pair ON core_user_territory ("user", "territory")',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
