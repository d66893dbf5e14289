"""The `kartoteka` command as an operator uses it (each run is a fresh process)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_plugins

ROOT = Path(__file__).resolve().parents[1]
sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])


def kartoteka(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KARTOTEKA_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], env=environment, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cli_env(tmp_path, plugins_file):
    return {
        "KARTOTEKA_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
        "KARTOTEKA_PLUGINS_FILE": str(plugins_file),
    }


def test_help_explains_every_command():
    result = kartoteka("--help")
    assert result.returncode == 0
    for command in (
        "serve",
        "worker",
        "migrate",
        "plugins",
        "schema",
        "demo",
        "demo-data",
        "user",
        "token",
        "import",
        "export",
        "backup",
        "restore",
    ):
        assert command in result.stdout
    for args in (
        ("serve",),
        ("worker",),
        ("migrate",),
        ("plugins", "list"),
        ("schema", "export"),
        ("schema", "check"),
        ("user", "create"),
        ("token", "create"),
        ("import", "companies"),
        ("import", "persons"),
        ("export",),
        ("backup",),
        ("restore",),
    ):
        sub = kartoteka(*args, "--help")
        assert sub.returncode == 0 and "Usage:" in sub.stdout, args


def test_migrate_check_and_demo(cli_env):
    assert kartoteka("migrate", "--check", env=cli_env).returncode == 1
    migrated = kartoteka("migrate", env=cli_env)
    assert migrated.returncode == 0, migrated.stderr
    sample = ROOT / "tests" / "sample_plugin" / "kartoteka_sample" / "migrations"
    expected = len(list((ROOT / "migrations" / "core").glob("core_*.py"))) + len(list(sample.glob("sample_*.py")))
    assert f"Applied {expected} migration(s)" in migrated.stdout
    assert kartoteka("migrate", "--check", env=cli_env).returncode == 0
    first = kartoteka("demo", "--if-empty", "--companies", "25", env=cli_env)
    assert "Demo data loaded by 2 plugin(s)" in first.stdout, first.stderr
    assert "Demo organisation loaded: 25 companies" in first.stdout
    second = kartoteka("demo-data", "--if-empty", env=cli_env)
    assert "already holds data" in second.stdout
    assert kartoteka("sample-count", env=cli_env).stdout.strip() == "sample notes: 1"


def test_plugins_list_shows_enabled_and_disabled(cli_env):
    result = kartoteka("plugins", "list", env={**cli_env, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 5}
    assert "kartoteka-sample-plugin" in lines["sample"] and "0.3.0" in lines["sample"] and "yes" in lines["sample"]
    assert "kartoteka_event_subscribers" in result.stdout
    assert "no" in lines["sample_addon"]


def test_schema_check_passes_and_fails_with_a_diff(tmp_path):
    assert kartoteka("schema", "check").returncode == 0
    copy = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", copy)
    (copy / "schema.graphql").write_text((copy / "schema.graphql").read_text().replace("deadLetters", "deadLetterz"))
    failed = kartoteka("schema", "check", "--dir", str(copy))
    assert failed.returncode == 1
    assert "-  deadLetterz" in failed.stdout and "+  deadLetters" in failed.stdout
    assert "kartoteka schema export" in failed.stderr
    assert kartoteka("schema", "export", "--out-dir", str(copy)).returncode == 0
    assert (copy / "schema.graphql").read_text() == (ROOT / "schema" / "schema.graphql").read_text()


def test_committed_schema_matches_the_code():
    from core.cli import SCHEMA_FILES, _first_party_sdl

    for surface, text in _first_party_sdl().items():
        assert (ROOT / "schema" / SCHEMA_FILES[surface]).read_text(encoding="utf-8") == text, (
            "run kartoteka schema export"
        )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("serve", "--workers", "2"), {}, "KARTOTEKA_DATABASE_URL: SQLite serves one app process only"),
        (("worker",), {}, "KARTOTEKA_BROKER_URL: separate worker processes need RabbitMQ"),
        (("migrate",), {"KARTOTEKA_PORT": "http"}, "KARTOTEKA_PORT: expected an integer"),
        (("migrate",), {"KARTOTEKA_PROFILE": "production"}, "KARTOTEKA_SECRET_KEY: must be set"),
    ],
)
def test_unsafe_or_invalid_set_ups_stop_with_the_key_named(cli_env, args, env, message):
    result = kartoteka(*args, env={**cli_env, **env})
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())


def test_malformed_plugins_toml_stops_start_up(cli_env, tmp_path):
    bad = write_plugins(
        tmp_path / "bad.toml", "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ngreting = 1\n"
    )
    result = kartoteka("migrate", env={**cli_env, "KARTOTEKA_PLUGINS_FILE": str(bad)})
    assert result.returncode == 2
    assert "plugins.sample.config" in result.stderr and "greting" in result.stderr


def test_user_and_token_create(cli_env):
    import asyncio

    from core.access.services import actor_for_token
    from core.runtime import Runtime
    from core.settings import load_settings

    assert kartoteka("migrate", env=cli_env).returncode == 0
    created = kartoteka("user", "create", "Kasia@Firma.pl", "--name", "Kasia", "--role", "sample_editor", env=cli_env)
    assert created.returncode == 0, created.stderr
    issued = kartoteka("token", "create", "kasia@firma.pl", "--name", "skrypt", "--expires-in-days", "30", env=cli_env)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("kt_") and "cannot be shown again" in issued.stderr
    runtime = Runtime.boot(load_settings(environ=cli_env))
    actor = asyncio.run(actor_for_token(runtime, token))
    assert (actor.kind, actor.display_name) == ("staff", "Kasia")
    assert actor.permissions == {"sample.note.read", "sample.note.write"}
    unknown = kartoteka("token", "create", "nobody@firma.pl", "--name", "x", env=cli_env)
    assert unknown.returncode == 1 and "No such user" in unknown.stderr
    bad_role = kartoteka("user", "create", "x@firma.pl", "--name", "X", "--role", "wizard", env=cli_env)
    assert bad_role.returncode == 1 and "roles: UNKNOWN_ROLE" in bad_role.stderr
