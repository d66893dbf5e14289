"""Architecture rules that code review alone would not keep."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    for folder in ("plugins", "tests/sample_plugin"):
        for path in (ROOT / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                match = re.match(r"\s*(?:from|import) (core(?:\.\w+)*)", line)
                if match and match.group(1) != "core.api":
                    offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert offenders == []


def _import_graph():
    """tools/import_graph.py, the tool the issue notes quote, as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _feature_packages() -> set[str]:
    from core.plugins.loader import BUILTIN_PLUGINS

    return {target.partition(":")[0].rpartition(".")[0] for _, target in BUILTIN_PLUGINS}


def test_the_plugin_host_imports_no_feature():
    """The loader finds the built-ins by name: booting the host (even a worker) imports no feature
    until a hook is called, and the host does not know where a feature is wired."""
    tool = _import_graph()
    edges = tool.graph(lazy=True, hints=True)
    features = _feature_packages()
    host = [name for name in edges if name.startswith("core.plugins.") and "scaffold" not in name]
    host.append("core.runtime")
    reached: set[str] = set()
    todo = list(host)
    while todo:
        for other in edges.get(todo.pop(), ()):
            if other not in reached:
                reached.add(other)
                todo.append(other)
    offenders = sorted(m for m in reached if any(m == f or m.startswith(f + ".") for f in features))
    assert offenders == []


def test_core_graphql_holds_only_the_machinery():
    """Each feature's GraphQL lives beside its services (``core/<feature>/graphql/``)."""
    machinery = {
        "__init__.py",
        "batching.py",
        "compose.py",
        "composed/__init__.py",
        "composed/portal.py",
        "composed/staff.py",
        "context.py",
        "errors.py",
        "export.py",
        "guards.py",
        "ids.py",
        "keyset.py",
        "pagination.py",
        "permissions.py",
    }
    folder = ROOT / "core" / "graphql"
    found = {path.relative_to(folder).as_posix() for path in folder.rglob("*.py")}
    assert found - machinery == set()


def test_no_core_module_imports_the_app():
    """The app sits on top; a feature needing something of it gets it moved down (resolve_actor)."""
    tool = _import_graph()
    edges = tool.graph(lazy=True, hints=True)
    entry_points = {"core.app", "core.cli"}  # the ASGI app itself; `serve` names it by string only
    offenders = sorted(name for name, targets in edges.items() if "core.app" in targets and name not in entry_points)
    assert offenders == []


def test_the_core_has_no_import_knot():
    tool = _import_graph()
    knots = [knot for knot in tool.knots(tool.graph(lazy=True)) if knot[0].startswith("core")]
    assert knots == []


def test_plugins_toml_cannot_configure_a_built_in(tmp_path):
    from core.errors import ConfigError
    from core.plugins.loader import BUILTIN_PLUGINS, read_plugins_file

    for name in ("core", *(name for name, _ in BUILTIN_PLUGINS)):
        path = tmp_path / "plugins.toml"
        path.write_text(f'[plugins."{name}"]\nenabled = true\n', encoding="utf-8")
        with pytest.raises(ConfigError, match="the core is always enabled"):
            read_plugins_file(path, installed={})
