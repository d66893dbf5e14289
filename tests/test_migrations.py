"""Migrations of the core and enabled plugins run on both engines, in dependency order, and no
table changes without its migration."""

import asyncio
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

import kartoteka_sample.migrations
from core.db.migrate import migrate, pending_migrations
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
