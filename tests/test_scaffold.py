"""``kartoteka plugin new``: the package it writes passes lint and its own tests on both engines."""

import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import cli

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def installed_without_pip(package: Path, site: Path) -> None:
    """What ``pip install`` would leave for Kartoteka to find the plugin — a dist-info with the
    package's entry points — without building a wheel or touching the test virtualenv."""
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    lines = []
    for group, entries in project["entry-points"].items():
        lines += [f"[{group}]", *(f"{name} = {target}" for name, target in entries.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_a_new_plugin_passes_its_own_tests_on_both_engines(tmp_path):
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["plugin", "new", "crm_notes", "--path", str(tmp_path)])
    assert result.exit_code == 0, result.output
    package = tmp_path / "kartoteka-crm-notes"
    assert f"wrote {package}" in result.output
    files = {path.relative_to(package).as_posix() for path in package.rglob("*") if path.is_file()}
    assert {
        "pyproject.toml",
        "crm_notes/plugin.py",
        "crm_notes/permissions.py",
        "crm_notes/tables.py",
        "crm_notes/events.py",
        "crm_notes/jobs.py",
        "crm_notes/piccolo_app.py",
        "crm_notes/services/items.py",
        "crm_notes/graphql/types.py",
        "crm_notes/graphql/queries.py",
        "crm_notes/graphql/mutations.py",
        "crm_notes/graphql/loaders.py",
        "crm_notes/locale/pl.po",
        "tests/test_crm_notes.py",
    } <= files
    assert [f for f in files if re.fullmatch(r"crm_notes/migrations/crm_notes_\d{4}_\d\d_\d\dt[\d_]+\.py", f)]

    installed_without_pip(package, tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(package)])}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.monotonic() - started
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert re.search(r"\b7 passed\b", tests.stdout), tests.stdout[-2000:]  # 3 tests on 2 engines + translations
    print(f"from `kartoteka plugin new` to passing tests: {elapsed:.1f}s")

    config = str(ROOT / "pyproject.toml")  # the partner's code follows the same lint rules as ours
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        lint = subprocess.run([BIN / "ruff", *command, "--config", config, "."], cwd=package, capture_output=True)
        assert lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode()


@pytest.mark.parametrize("name", ["Notes", "2fa", "class", "core", "crm-notes", "notes_"])
def test_a_plugin_name_must_be_a_lower_case_identifier(tmp_path, name):
    result = CliRunner().invoke(cli, ["plugin", "new", name, "--path", str(tmp_path)])
    assert result.exit_code == 2 and "NAME" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    (tmp_path / "kartoteka-notes").mkdir()
    result = CliRunner().invoke(cli, ["plugin", "new", "notes", "--path", str(tmp_path)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert list((tmp_path / "kartoteka-notes").iterdir()) == []
