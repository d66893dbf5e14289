"""Architecture rules that code review alone would not keep."""

import ast
import os
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
    for folder in ("plugins", "tests/sample_plugin/kartoteka_sample"):  # its tests: the check below
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
    # the ASGI app itself; `serve` names it by string only; the test kit serves it to a test client
    entry_points = {"core.app", "core.cli", "core.testing"}
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


# --- one plugin shape (issue 13) --------------------------------------------------------------------
FIRST_PARTY = sorted(path.parent for path in (ROOT / "plugins").glob("*/plugin.py"))
# What every first-party plugin has, where a partner's plugin will look for it.
REQUIRED = (
    "__init__.py",
    "plugin.py",
    "tables.py",
    "events.py",
    "jobs.py",
    "permissions.py",
    "piccolo_app.py",
    "locale/pl.po",
    "services/__init__.py",
    "graphql/__init__.py",
    "graphql/types.py",
    "graphql/queries.py",
    "graphql/mutations.py",
    "graphql/loaders.py",
)
# Besides them at the top of a plugin: demo data, the hooks it publishes, its public HTTP routes.
OPTIONAL = {"demo.py", "contracts.py", "routes.py", "http", "locale", "services", "graphql", "__pycache__"}
GRAPHQL_MODULES = {"__init__.py", "types.py", "queries.py", "mutations.py", "loaders.py", "filters.py"}


def _python_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if "__pycache__" not in path.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    """Every module the file imports, at the top or inside a function, but not for type hints."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hints = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in hints:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from plugins.sales.services import leads` imports the module leads when it is one.
            found += [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
    return found


def test_first_party_plugins_have_one_shape():
    assert [path.name for path in FIRST_PARTY] == ["marketing", "sales"]
    for plugin in FIRST_PARTY:
        missing = [name for name in REQUIRED if not (plugin / name).exists()]
        assert missing == [], f"{plugin.name} lacks {missing}"
        extra = sorted(path.name for path in plugin.iterdir() if path.name not in {*REQUIRED, *OPTIONAL})
        assert extra == [], f"{plugin.name}: {extra} belong in services/, graphql/ or http/"
        assert not ((plugin / "routes.py").exists() and (plugin / "http").exists()), "HTTP routes in one place"
        for folder in [plugin / "graphql", *(path for path in (plugin / "graphql").iterdir() if path.is_dir())]:
            if folder.name == "__pycache__":
                continue
            # A subdomain with its own types is a subfolder of the same shape.
            names = {path.name for path in folder.iterdir() if path.is_file()}
            assert names <= GRAPHQL_MODULES, f"{folder.relative_to(ROOT)}: {sorted(names - GRAPHQL_MODULES)}"
            assert "types.py" in names, f"{folder.relative_to(ROOT)} has no types.py"


def test_plugins_name_their_role_templates_alike():
    for plugin in FIRST_PARTY:
        source = (plugin / "plugin.py").read_text(encoding="utf-8")
        assert "permissions.ROLE_TEMPLATES" in source, f"{plugin.name} returns ROLE_TEMPLATES"


def test_services_know_nothing_of_graphql():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for plugin in FIRST_PARTY
        for path in _python_files(plugin / "services")
        for module in _imports(path)
        if module.split(".")[0] in {"strawberry", "graphql", "litestar"} or ".graphql" in module
    ]
    assert offenders == []


def test_plugins_check_permissions_with_the_cores_require_permission():
    offenders = [
        str(path.relative_to(ROOT))
        for plugin in FIRST_PARTY
        for path in _python_files(plugin)
        if re.search(r"^def (require|forbidden)\(", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []


def test_plugins_reach_another_plugin_only_through_its_contracts():
    offenders = []
    for plugin in FIRST_PARTY:
        for path in _python_files(plugin):
            for module in _imports(path):
                parts = module.split(".")
                if parts[0] == "core" and parts[:2] != ["core", "api"]:
                    offenders.append(f"{path.relative_to(ROOT)}: {module}")
                if parts[0] == "plugins" and len(parts) > 1 and parts[1] != plugin.name and parts[2:3] != ["contracts"]:
                    offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_contracts_are_imported_lazily_by_the_plugins_answering_them():
    """A plugin answering another's hooks loads without it: the contract is imported only inside
    the implementation, never when the answering plugin's modules are imported."""
    offenders = []
    for plugin in FIRST_PARTY:
        for path in _python_files(plugin):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                module = node.module if isinstance(node, ast.ImportFrom) else None
                if module and module.startswith("plugins.") and module.split(".")[1] != plugin.name:
                    offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_no_import_cycle_inside_a_plugin():
    for plugin in FIRST_PARTY:
        modules = {_module_name(path): path for path in _python_files(plugin)}
        edges = {
            name: {module for module in _imports(path) if module in modules and module != name}
            for name, path in modules.items()
        }
        state: dict[str, str] = {}

        def visit(name: str, trail: list[str], edges=edges, state=state) -> None:
            state[name] = "open"
            for target in sorted(edges[name]):
                assert state.get(target) != "open", " -> ".join([*trail[trail.index(target) :], target])
                if target not in state:
                    visit(target, [*trail, target])
            state[name] = "done"

        for name in sorted(modules):
            if name not in state:
                visit(name, [name])


def test_every_published_hook_is_documented():
    docs = (ROOT / "docs" / "plugin-hooks.md").read_text(encoding="utf-8")
    for plugin in FIRST_PARTY:
        if not (plugin / "contracts.py").exists():
            continue
        tree = ast.parse((plugin / "contracts.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any("hookspec" in ast.unparse(d) for d in node.decorator_list):
                assert node.name.startswith(f"{plugin.name}_"), f"{node.name} is not named after {plugin.name}"
                assert ast.get_docstring(node), f"{node.name} has no docstring"
                signature = f"{node.name}({', '.join(arg.arg for arg in node.args.args)})"
                assert f"#### {signature}\n" in docs, f"docs/plugin-hooks.md lacks '#### {signature}'"


def test_a_worker_boots_without_graphql_or_the_web_framework(tmp_path):
    """A worker runs jobs and subscribers only: booting one imports no GraphQL type, no strawberry
    and no litestar (every first-party plugin enabled, as in the repository's plugins.toml)."""
    probe = (
        "import sys\n"
        "from core.runtime import Runtime\n"
        "Runtime.boot(role='worker')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('strawberry', 'litestar') or '.graphql' in m]\n"
        "print(sorted(loaded))\n"
    )
    env = {**os.environ, "KARTOTEKA_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}"}
    env["KARTOTEKA_PLUGINS_FILE"] = str(ROOT / "plugins.toml")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


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


def test_plugins_use_only_their_plugin_runtime():
    """A plugin gets its PluginRuntime: never the core's Runtime, the secret key or another
    plugin's object (its own config is ``plugin_runtime.config``; its secrets ``signing_key``).
    A plugin's own tests (a ``tests`` package) may boot the core."""
    forbidden = re.compile(r"(?<!\w)Runtime\b|secret_key|\.plugins\.plugin\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("plugins", "tests/sample_plugin/kartoteka_sample")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "tests" not in path.relative_to(ROOT / folder).parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []
