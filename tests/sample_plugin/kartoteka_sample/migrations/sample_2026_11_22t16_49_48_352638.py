from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSONB
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T16:49:48:352638"
VERSION = "1.38.0"
DESCRIPTION = "Custom field values on notes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sample", description=DESCRIPTION)

    manager.add_column(
        table_class_name="SampleNote",
        tablename="sample_note",
        column_name="custom",
        db_column_name="custom",
        column_class_name="JSONB",
        column_class=JSONB,
        params={
            "default": "{}",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
