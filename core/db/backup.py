"""``kartoteka backup`` / ``kartoteka restore``: a logical backup of every table of the enabled
apps, the same on SQLite and PostgreSQL (so it also moves an installation between them).

The backup is read in one transaction (a snapshot), written as gzip'd JSON lines: a header
with the applied migrations, then one line per row. A restore goes into a freshly migrated,
empty database with the same migrations, in one transaction: all or nothing.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from piccolo.apps.migrations.tables import Migration
from piccolo.columns import JSON, JSONB, ForeignKey
from piccolo.conf.apps import Finder
from piccolo.table import Table

from core.db.values import plain, typed
from core.errors import KartotekaError

if TYPE_CHECKING:
    from core.runtime import Runtime

FORMAT = "kartoteka-backup"
VERSION = 1
BATCH = 500
# `migrate` fills these with built-in roles and first-party OAuth clients; the backup brings its own
# (and the next migrate points the clients' redirect URIs at this deployment's address again).
SEEDED = {"core_role", "core_oauth_client"}
# Bookkeeping of the database the rows came from, not restored: an audit row's transaction id
# means nothing in another cluster (PostgreSQL stamps the restoring transaction's; SQLite 0).
LOCAL_COLUMNS = {"core_audit": {"txid"}}


def tables() -> list[type[Table]]:
    """Every table of the enabled apps, in migration order (referenced tables first)."""
    return [table for app in Finder().get_app_configs() for table in app.table_classes]


def _json_columns(table: type[Table]) -> set[str]:
    return {c._meta.name for c in table._meta.columns if isinstance(c, JSON | JSONB)}


async def backup(runtime: Runtime, path: Path, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with runtime.engine.transaction():
        if runtime.settings.is_postgres:
            await runtime.engine.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        migrations = await Migration.select(Migration.name, Migration.app_name).order_by(Migration.id)
        with gzip.open(path, "wt", encoding="utf-8") as out:
            header = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": datetime.now(UTC).isoformat(),
                "engine": runtime.engine.engine_type,
                "migrations": [m["name"] for m in migrations],
                "tables": [t._meta.tablename for t in tables()],
            }
            out.write(json.dumps(header) + "\n")
            for table in tables():
                rows = await table.select().order_by(table._meta.primary_key).output(load_json=True)
                for row in rows:
                    out.write(
                        json.dumps(
                            {"t": table._meta.tablename, "r": {k: plain(v) for k, v in row.items()}},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                counts[table._meta.tablename] = len(rows)
                if progress:
                    progress(table._meta.tablename, len(rows))
    return counts


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        for line in source:
            yield json.loads(line)


async def restore(runtime: Runtime, path: Path, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    lines = _lines(path)
    try:
        header = next(lines)
    except (OSError, EOFError, json.JSONDecodeError, StopIteration):
        raise KartotekaError(f"{path}: not a Kartoteka backup") from None
    if header.get("format") != FORMAT or header.get("version") != VERSION:
        raise KartotekaError(f"{path}: not a Kartoteka backup of version {VERSION}")
    applied = [m["name"] for m in await Migration.select(Migration.name).order_by(Migration.id)]
    if sorted(applied) != sorted(header["migrations"]):
        raise KartotekaError(
            "the database's migrations differ from the backup's; restore into a database migrated by the same "
            "version of Kartoteka with the same plugins"
        )
    by_name = {table._meta.tablename: table for table in tables()}
    unknown = set(header["tables"]) - set(by_name)
    if unknown:
        raise KartotekaError(f"the backup holds tables of plugins that are not enabled: {', '.join(sorted(unknown))}")
    counts: dict[str, int] = {}
    async with runtime.engine.transaction():
        for table in by_name.values():
            if table._meta.tablename in SEEDED:
                await table.delete(force=True)
            elif await table.count():
                raise KartotekaError(
                    f"the database is not empty ({table._meta.tablename} has rows); restore needs "
                    "a freshly migrated database"
                )
        pending: dict[str, list[dict[str, Any]]] = {}
        for line in lines:
            pending.setdefault(line["t"], []).append(line["r"])
        for name in header["tables"]:
            table = by_name[name]
            rows = pending.get(name, [])
            await _insert(runtime, table, rows)
            counts[name] = len(rows)
            if progress:
                progress(name, len(rows))
    return counts


async def _insert(runtime: Runtime, table: type[Table], rows: list[dict[str, Any]]) -> None:
    columns = {c._meta.name: c for c in table._meta.columns}
    json_columns = _json_columns(table)
    # A table pointing at itself (merged_into, parent) is filled in a second pass.
    self_refs = [
        name
        for name, c in columns.items()
        if isinstance(c, ForeignKey) and c._foreign_key_meta.resolved_references is table
    ]
    later: list[tuple[Any, dict[str, Any]]] = []
    objects = []
    for row in rows:
        local = LOCAL_COLUMNS.get(table._meta.tablename, set())
        values = {
            name: typed(columns[name], value) for name, value in row.items() if name in columns and name not in local
        }
        for name in json_columns & values.keys():
            if isinstance(values[name], str):
                values[name] = json.loads(values[name])
        if self_refs:
            later.append((values["id"], {name: values[name] for name in self_refs if values[name] is not None}))
            values.update({name: None for name in self_refs})
        objects.append(table(_ignore_missing=True, **values))
    for start in range(0, len(objects), BATCH):
        await table.insert(*objects[start : start + BATCH])
    for record_id, references in later:
        if references:
            await table.update(references).where(table._meta.primary_key == record_id)
    if runtime.settings.is_postgres and rows:
        name = table._meta.tablename
        await table.raw(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT MAX(id) FROM \"{name}\"))")
