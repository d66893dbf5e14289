"""Migrations of the core and enabled plugins run on both engines, in dependency order, and no
table changes without its migration."""

import ast
import asyncio
import sys
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder

import kartoteka_sample.migrations
from core.db.migrate import SquashedHistoryError, migrate, pending_migrations
from core.runtime import Runtime
from core.settings import load_settings
from kartoteka_sample.tables import SampleNote
from tests.conftest import _admin, postgres_url

ROOT = Path(__file__).resolve().parents[1]


SAMPLE_MIGRATIONS = Path(kartoteka_sample.migrations.__file__).parent


@pytest.fixture
def empty_database_url(engine_kind, tmp_path):
    if engine_kind == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
        return
    name = f"kartoteka_empty_{tmp_path.name[-20:].replace('-', '_').lower()}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    yield postgres_url(name)
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_migrate_applies_core_then_plugins_once(empty_database_url, plugins_file, engine_kind):
    runtime = Runtime.boot(load_settings(environ={}, database_url=empty_database_url, plugins_file=plugins_file))
    applied = await migrate(runtime)
    apps = [item.app_name for item in applied]
    core_migrations = len(list((ROOT / "migrations" / "core").glob("core_*.py")))
    sample_migrations = len(list(SAMPLE_MIGRATIONS.glob("sample_*.py")))
    # the plugin's migrations depend on the core's
    assert apps == ["core"] * core_migrations + ["sample"] * sample_migrations
    assert await SampleNote.count() == 0
    assert await pending_migrations(runtime) == []
    assert await migrate(runtime) == []


async def test_no_table_differs_from_its_migrations(plugins_file):
    """Piccolo's auto-migration diff finds nothing to do for any enabled app."""
    Runtime.boot(load_settings(environ={}, database_url="sqlite:///:memory:", plugins_file=plugins_file))
    app_configs = Finder().get_app_configs()
    assert {app.app_name for app in app_configs} >= {"core", "sample"}
    for app_config in app_configs:
        statements = await AutoMigrationManager().get_alter_statements(app_config=app_config)
        changes = [s for alter in statements for s in alter.statements]
        assert changes == [], f"{app_config.app_name}: tables differ from migrations, run tools/makemigration.py"


async def test_drift_check_notices_a_model_change(plugins_file):
    """The check above can fail: a column added to a table without a migration is reported."""
    from piccolo.columns import Varchar

    Runtime.boot(load_settings(environ={}, database_url="sqlite:///:memory:", plugins_file=plugins_file))
    [app_config] = [app for app in Finder().get_app_configs() if app.app_name == "sample"]
    column = Varchar(length=20, null=True, default=None)
    column._meta._name = "colour"
    column._meta._table = SampleNote
    SampleNote._meta.non_default_columns.append(column)
    try:
        statements = await AutoMigrationManager().get_alter_statements(app_config=app_config)
        changes = [s for alter in statements for s in alter.statements]
        assert any("colour" in change for change in changes), changes
    finally:
        SampleNote._meta.non_default_columns.remove(column)


def test_migrations_import_nothing_from_the_application():
    """A migration runs the same years later: it may import Piccolo and the standard library, not
    the code it migrates for (``core``, ``plugins``, a plugin's package), which keeps changing."""
    files = [*(ROOT / "migrations").glob("*/*.py"), *SAMPLE_MIGRATIONS.glob("*.py")]
    assert len(files) > 4
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}: {name}"
                for name in names
                if name.split(".")[0] not in {"piccolo", *sys.stdlib_module_names}
            ]
    assert offenders == []


async def _replace_recorded_history(runtime: Runtime, keep_old: int | None = None) -> None:
    """Make a migrated database look migrated with the history the squashed migrations replace
    (``keep_old`` of its ids per app when given): a developer's database from before the squash."""
    manager = BaseMigrationManager()
    for app_name in ("core", "sample"):
        folder = manager.get_app_config(app_name).resolved_migrations_folder_path
        modules = manager.get_migration_modules(folder).values()
        replaced = sorted(old_id for module in modules for old_id in getattr(module, "REPLACES", ()))
        assert replaced, f"{app_name}: its squashed migrations name what they replace"
        await Migration.delete().where(Migration.app_name == app_name)
        for old_id in replaced[:keep_old]:
            await Migration.insert(Migration(name=old_id, app_name=app_name))


async def test_database_migrated_before_the_squash_is_not_migrated_again(empty_database_url, plugins_file):
    runtime = Runtime.boot(load_settings(environ={}, database_url=empty_database_url, plugins_file=plugins_file))
    applied = await migrate(runtime)
    await _replace_recorded_history(runtime)
    # The squashed migrations would fail on the tables that exist: they are only recorded.
    again = await migrate(runtime)
    assert [item.migration_id for item in again] == [item.migration_id for item in applied]
    assert all(item.record_only for item in again)
    assert await pending_migrations(runtime) == []


async def test_database_with_part_of_the_squashed_history_is_refused(empty_database_url, plugins_file):
    runtime = Runtime.boot(load_settings(environ={}, database_url=empty_database_url, plugins_file=plugins_file))
    await migrate(runtime)
    await _replace_recorded_history(runtime, keep_old=1)
    with pytest.raises(SquashedHistoryError, match="Recreate the database"):
        await migrate(runtime)
