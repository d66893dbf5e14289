"""Lists in Polish alphabetical order: fill the sort keys, compare them byte by byte, index them."""

from collections.abc import Callable
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from core.crm.collation import person_sort_key, sort_key

ID = "2026-11-22T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Polish order for company and person lists"
BATCH = 2000

STATEMENTS = (
    "DROP INDEX core_company_live_name",
    "DROP INDEX core_person_live_name",
    "CREATE INDEX core_company_live_sort ON core_company (sort_name, id) WHERE deleted_at IS NULL",
    "CREATE INDEX core_person_live_sort ON core_person (sort_name, id) WHERE deleted_at IS NULL",
)
# The key is built for code-point order; the database's own locale must not reorder it.
POSTGRES = (
    'ALTER TABLE core_company ALTER COLUMN sort_name TYPE text COLLATE "C"',
    'ALTER TABLE core_person ALTER COLUMN sort_name TYPE text COLLATE "C"',
)
SOURCES: tuple[tuple[str, str, Callable[[dict[str, Any]], str]], ...] = (
    ("core_company", "name", lambda row: sort_key(row["name"])),
    ("core_person", "last_name, first_name", lambda row: person_sort_key(row["last_name"], row["first_name"])),
)


async def _fill_sort_keys() -> None:
    engine = engine_finder()
    for table, columns, key in SOURCES:
        last = 0
        while rows := await engine.run_querystring(
            QueryString(f"SELECT id, {columns} FROM {table} WHERE id > {{}} ORDER BY id LIMIT {BATCH}", last)
        ):
            for row in rows:
                await engine.run_querystring(
                    QueryString(f"UPDATE {table} SET sort_name = {{}} WHERE id = {{}}", key(row), row["id"])
                )
            last = rows[-1]["id"]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        await _fill_sort_keys()
        for statement in (*STATEMENTS, *(() if engine.engine_type == "sqlite" else POSTGRES)):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
