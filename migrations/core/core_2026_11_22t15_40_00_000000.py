"""Files are listed per record; a user follows a record once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Attachment and follower indexes"

STATEMENTS = (
    'CREATE INDEX core_attachment_company ON core_attachment ("company") WHERE deleted_at IS NULL',
    'CREATE INDEX core_attachment_person ON core_attachment ("person") WHERE deleted_at IS NULL',
    'CREATE UNIQUE INDEX core_follower_company ON core_follower ("user", "company") WHERE "company" IS NOT NULL',
    'CREATE UNIQUE INDEX core_follower_person ON core_follower ("user", "person") WHERE "person" IS NOT NULL',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
