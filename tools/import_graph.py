"""The import graph of `core` and `plugins`: its knots (import cycles) and line counts per area.

`python tools/import_graph.py` prints the strongly connected components with more than one
module (a knot: every module in it reaches every other) and the lines of code of each area.
Imports under ``if TYPE_CHECKING:`` are type hints, not run-time ties, and are left out unless
``--hints`` is given; imports inside functions are left out unless ``--lazy`` is given.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "plugins")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or "templates" in path.parts:
                continue
            found[module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str], lazy: bool, hints: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def resolve(target: str) -> None:
        # the longest known module that is the target or contains it
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child) and not hints:
                for other in child.orelse:
                    visit(other, in_function)
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import) and (lazy or not in_function):
                for alias in child.names:
                    resolve(alias.name)
            elif isinstance(child, ast.ImportFrom) and (lazy or not in_function):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    resolve(f"{base}.{alias.name}")
            visit(child, inner)

    visit(tree, False)
    return found


def graph(lazy: bool = False, hints: bool = False) -> dict[str, set[str]]:
    known = modules()
    names = set(known)
    return {name: imports_of(name, path, names, lazy, hints) for name, path in known.items()}


def knots(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, biggest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(10000)

    def connect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return sorted(found, key=len, reverse=True)


def line_counts() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for name, path in modules().items():
        parts = name.split(".")
        area = ".".join(parts[:2]) if len(parts) > 1 else parts[0]
        counts[area] += len(path.read_text(encoding="utf-8").splitlines())
    return dict(sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lazy", action="store_true", help="count imports inside functions too")
    parser.add_argument("--hints", action="store_true", help="count imports made only for type hints too")
    args = parser.parse_args()
    edges = graph(args.lazy, args.hints)
    found = knots(edges)
    print(f"{len(edges)} modules, {sum(len(v) for v in edges.values())} imports")
    for component in found:
        print(f"knot of {len(component)}: {', '.join(component)}")
    if not found:
        print("no knots")
    print("\nlines per area")
    for area, lines in line_counts().items():
        print(f"{lines:7d}  {area}")


if __name__ == "__main__":
    main()
