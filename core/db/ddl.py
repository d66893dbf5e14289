"""Hand-written migrations that only run DDL Piccolo cannot express (composite, partial and
trigram indexes, FTS tables). A migration module sets ``forwards = ddl_forwards(...)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def ddl_forwards(
    migration_id: str,
    app_name: str,
    description: str,
    statements: Sequence[str] = (),
    *,
    postgres: Sequence[str] = (),
    sqlite: Sequence[str] = (),
) -> Callable[[], Awaitable[MigrationManager]]:
    """``statements`` run on both engines, then the ones for the engine in use."""

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name=app_name, description=description)

        async def run() -> None:
            engine = engine_finder()
            for statement in (*statements, *(sqlite if engine.engine_type == "sqlite" else postgres)):
                await engine.run_ddl(statement)

        manager.add_raw(run)
        return manager

    return forwards
