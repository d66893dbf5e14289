"""Apply the migrations of the core and of every enabled plugin, in dependency order."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration

from core.access.services import sync_builtin_roles
from core.errors import KartotekaError
from core.runtime import Runtime


@dataclass(frozen=True)
class PendingMigration:
    app_name: str
    migration_id: str
    # The migrations it replaces (``REPLACES`` in a squashed migration) are all recorded: the
    # database has its tables already and only its row is written.
    record_only: bool = False


class SquashedHistoryError(KartotekaError):
    """The database recorded part of a migration history that has since been squashed."""


async def pending_migrations(runtime: Runtime) -> list[PendingMigration]:
    manager = BaseMigrationManager()
    await manager.create_migration_table()
    pending = []
    for app_name in manager.get_sorted_app_names():
        app_config = manager.get_app_config(app_name)
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        already_ran = set(await Migration.get_migrations_which_ran(app_name=app_name))
        replaced = {old_id for module in modules.values() for old_id in getattr(module, "REPLACES", ())}
        squashed_history_ran = _check_squashed_history(app_name, replaced, already_ran)
        pending += [
            PendingMigration(
                app_name,
                migration_id,
                record_only=squashed_history_ran and bool(getattr(modules[migration_id], "REPLACES", ())),
            )
            for migration_id in sorted(set(manager.get_migration_ids(modules)) - already_ran)
        ]
    return pending


def _check_squashed_history(app_name: str, replaced: set[str], already_ran: set[str]) -> bool:
    """Whether the database was migrated with the whole history the squashed migrations replace
    (a developer's database from before the squash); part of it cannot be told apart safely."""
    recorded = replaced & already_ran
    if recorded and recorded != replaced:
        raise SquashedHistoryError(
            f"The database holds {app_name} migrations from before they were squashed, but not all of"
            f" them ({len(replaced - recorded)} missing). Recreate the database (e.g. rm -rf var/, then"
            " kartoteka migrate)."
        )
    return bool(replaced) and recorded == replaced


async def migrate(
    runtime: Runtime, progress: Callable[[PendingMigration], None] | None = None
) -> list[PendingMigration]:
    """Run every pending migration; each one and its bookkeeping row commit together."""
    manager = BaseMigrationManager()
    pending = await pending_migrations(runtime)
    modules_by_app = {}
    for item in pending:
        if item.app_name not in modules_by_app:
            folder = manager.get_app_config(item.app_name).resolved_migrations_folder_path
            modules_by_app[item.app_name] = manager.get_migration_modules(folder)
        if progress:
            progress(item)
        module = modules_by_app[item.app_name][item.migration_id]
        async with runtime.engine.transaction():
            # Piccolo prints its own chatter; the CLI reports progress instead.
            with contextlib.redirect_stdout(io.StringIO()):
                response = None if item.record_only else await module.forwards()
                if isinstance(response, MigrationManager):
                    await response.run()
            await Migration.insert(Migration(name=item.migration_id, app_name=item.app_name))
    await sync_builtin_roles(runtime)
    return pending
