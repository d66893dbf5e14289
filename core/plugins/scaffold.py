"""``kartoteka plugin new NAME``: a partner package in the one plugin shape, with its migration
app, a Polish catalog and tests on the test kit that pass as generated."""

from __future__ import annotations

import keyword
import re
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import click

TEMPLATES = Path(__file__).with_name("scaffold_templates")
NAME = re.compile(r"[a-z][a-z0-9_]*")
RESERVED = {"core", "plugins", "migrations", "tests", "kartoteka"}


def check_name(name: str) -> str:
    """A plugin name is a lower-case Python identifier: it prefixes the package, tables,
    permissions, events and GraphQL names."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise click.BadParameter(f"{name!r} is not a lower-case identifier such as 'crm_notes'", param_hint="NAME")
    if name in RESERVED:
        raise click.BadParameter(f"{name!r} is a name Kartoteka uses itself", param_hint="NAME")
    return name


def scaffold(name: str, folder: Path, *, now: datetime | None = None) -> Path:
    """Write the package for plugin ``name`` into ``folder/<distribution>``; returns that folder."""
    import jinja2

    now = now or datetime.now(UTC)
    camel = "".join(part.capitalize() for part in name.split("_"))
    values = {
        "name": name,
        "camel": camel,
        "lower_camel": camel[0].lower() + camel[1:],
        "dist": "kartoteka-" + name.replace("_", "-"),
        "migration_id": now.strftime("%Y-%m-%dT%H:%M:%S:%f"),
        "piccolo_version": version("piccolo"),
    }
    target = folder / values["dist"]
    if target.exists():
        raise click.ClickException(f"{target} already exists")
    outputs = {
        "pyproject.toml.jinja": "pyproject.toml",
        "README.md.jinja": "README.md",
        "package/migrations/initial.py.jinja": f"{name}/migrations/{name}_{now.strftime('%Y_%m_%dt%H_%M_%S_%f')}.py",
        "tests/test_package.py.jinja": f"tests/test_{name}.py",
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    for template in sorted(path for path in TEMPLATES.rglob("*.jinja")):
        relative = template.relative_to(TEMPLATES).as_posix()
        output = outputs.get(relative) or relative.removesuffix(".jinja").replace("package/", f"{name}/", 1)
        path = target / output
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment.get_template(relative).render(values), encoding="utf-8")
    return target


@click.group("plugin")
def plugin_commands() -> None:
    """Write plugins for Kartoteka."""


@plugin_commands.command("new")
@click.argument("name", callback=lambda ctx, param, value: check_name(value))
@click.option(
    "--path",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Folder to write the package into.",
)
def new(name: str, folder: Path) -> None:
    """Write a plugin package NAME: plugin, services, GraphQL, a table with its migration,
    the Polish catalog and passing tests on the test kit."""
    target = scaffold(name, folder)
    click.echo(f"wrote {target}")
    click.echo(f'next: pip install -e "{target}[test]" && pytest {target}')
    click.echo(f"then enable it in plugins.toml: [plugins.{name}] enabled = true")
