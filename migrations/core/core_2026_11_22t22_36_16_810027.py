from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-22T22:36:16:810027"
VERSION = "1.38.0"
DESCRIPTION = "Outgoing mail may be cancelled (status fits cancelled)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="core", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="OutgoingMail",
        tablename="core_mail",
        column_name="status",
        db_column_name="status",
        params={"length": 16},
        old_params={"length": 8},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
