"""Architecture rules that code review alone would not keep."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_never_imports_plugins():
    result = subprocess.run([Path(sys.executable).parent / "lint-imports"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports plugins KEPT" in result.stdout


def test_plugins_never_declare_dramatiq_actors_themselves():
    """`@dramatiq.actor` binds to whatever broker exists at import time; the core declares actors."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("plugins", "tests/sample_plugin")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"dramatiq\.actor|from dramatiq import .*actor", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_plugins_import_only_the_public_core_api():
    offenders = []
    for folder in ("plugins", "tests/sample_plugin/kartoteka_sample"):  # its tests: the check below
        for path in (ROOT / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                match = re.match(r"\s*(?:from|import) (core(?:\.\w+)*)", line)
                if match and match.group(1) != "core.api":
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def test_the_sample_plugin_and_its_tests_use_only_core_api_and_the_test_kit():
    """As a partner's package must: it cannot import the suite's conftest nor core internals."""
    offenders = []
    for path in (ROOT / "tests/sample_plugin").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:from|import) ((?:core|tests)(?:\.\w+)*)", line)
            if match and match.group(1) not in ("core.api", "core.testing"):
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []
    assert list((ROOT / "tests/sample_plugin/tests").glob("test_*.py"))  # the plugin has tests of its own
