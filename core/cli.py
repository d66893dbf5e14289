"""The ``kartoteka`` command: the machinery's commands (serve, worker, migrate, demo, backup,
restore, export, plugins, schema); each feature's come from its plugin (``kartoteka_cli_commands``)."""

from __future__ import annotations

import asyncio
import difflib
import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.commands import actor_for_email, boot, console, err_console, run_service
from core.commands import settings as _settings
from core.errors import KartotekaError
from core.plugins.scaffold import plugin_commands

SCHEMA_FILES = {"staff": "schema.graphql", "portal": "portal.graphql"}


class KartotekaGroup(click.Group):
    """Adds the commands plugins contribute (``kartoteka_cli_commands``) next to the core's."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        try:
            runtime = boot(database_url="sqlite:///:memory:")
        except KartotekaError:
            return {}  # the core commands still work (and report the problem themselves)
        return {name: command for name, (_, command) in runtime.registry.cli_commands.items()}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._plugin_commands().get(name)


@click.group(cls=KartotekaGroup)
def cli() -> None:
    """Kartoteka: a plugin-based, headless CRM with a GraphQL API.

    Settings come from KARTOTEKA_* environment variables (KARTOTEKA_DATABASE_URL,
    KARTOTEKA_BROKER_URL, KARTOTEKA_PROFILE, ...); the enabled plugins from plugins.toml
    (KARTOTEKA_PLUGINS_FILE).
    """


# --- serve / worker ----------------------------------------------------------------------------
@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default KARTOTEKA_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default KARTOTEKA_PORT or 8000).")
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="App processes; more than one needs PostgreSQL and RabbitMQ.",
)
@click.option(
    "--migrate/--no-migrate",
    default=None,
    help="Apply pending migrations first (default: yes in the embedded profile).",
)
def serve(host: str | None, port: int | None, workers: int, migrate: bool | None) -> None:
    """Serve the staff GraphQL API at /graphql and the portal API at /portal/graphql.

    With the in-memory broker (the default) jobs, the outbox relay and the scheduler run inside
    this process; with RabbitMQ they run in `kartoteka worker` processes.
    """
    import uvicorn

    from core.logging import configure_logging

    configure_logging()
    runtime = boot("web")
    runtime.check_process_shape(web_processes=workers)
    settings = runtime.settings
    if migrate if migrate is not None else not settings.is_production:
        _run_migrations(runtime)
    elif asyncio.run(_pending(runtime)):
        raise click.ClickException("there are pending migrations; run `kartoteka migrate` first")
    host = host or settings.host
    port = port or settings.port
    console.print(
        f"[bold]Kartoteka[/] on http://{host}:{port}/graphql ({settings.profile}, "
        f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'}, "
        f"{'in-process jobs' if settings.broker_in_memory else 'RabbitMQ workers'})"
    )
    uvicorn.run(
        "core.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )


@cli.command()
@click.option("--processes", type=int, default=2, show_default=True, help="Worker processes to keep alive.")
@click.option(
    "--threads", type=int, default=None, help="Worker threads per process (default KARTOTEKA_WORKER_THREADS)."
)
def worker(processes: int, threads: int | None) -> None:
    """Run jobs and event subscribers from RabbitMQ (production shape).

    Each process also relays the outbox and fires schedules; a process that dies is replaced.
    """
    from core.jobs.worker import Supervisor
    from core.logging import configure_logging

    configure_logging()
    runtime = boot("worker")
    runtime.check_process_shape(external_worker=True)
    Supervisor(processes=processes, threads=threads or runtime.settings.worker_threads).run()


# --- migrate / demo ------------------------------------------------------------------------------
async def _pending(runtime) -> list:
    from core.db.migrate import pending_migrations

    return await pending_migrations(runtime)


async def _register_first_party_clients(runtime) -> None:
    """The admin UI's OAuth client follows the public address, so it is checked on every migrate."""
    from core.identity.clients import ADMIN_UI_CALLBACK, ADMIN_UI_CLIENT_ID, register_admin_ui_client

    done = await register_admin_ui_client(runtime)
    if done != "unchanged":
        console.print(f"OAuth client {ADMIN_UI_CLIENT_ID} {done}: {runtime.settings.issuer}{ADMIN_UI_CALLBACK}")


def _run_migrations(runtime) -> int:
    from core.db.migrate import migrate as apply

    async def run() -> int:
        pending = await _pending(runtime)
        if not pending:
            console.print("Database is up to date.")
            await _register_first_party_clients(runtime)
            return 0
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("Migrating", total=len(pending))

            def step(item) -> None:
                bar.update(task, advance=1, description=f"{item.app_name}: {item.migration_id}")

            await apply(runtime, progress=step)
        console.print(f"Applied {len(pending)} migration(s).")
        await _register_first_party_clients(runtime)
        return len(pending)

    return asyncio.run(run())


@cli.command()
@click.option("--check", is_flag=True, help="Only report pending migrations; exit 1 if there are any.")
def migrate(check: bool) -> None:
    """Apply the migrations of the core and of every enabled plugin, in dependency order."""
    runtime = boot()
    if check:
        pending = asyncio.run(_pending(runtime))
        for item in pending:
            console.print(f"pending: {item.app_name} {item.migration_id}")
        if pending:
            sys.exit(1)
        console.print("Database is up to date.")
        return
    _run_migrations(runtime)


@cli.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds data.")
@click.option(
    "--companies",
    type=click.IntRange(1, 1_000_000),
    default=200,
    show_default=True,
    help="How many companies (each with 1-5 persons) to generate.",
)
def demo(if_empty: bool, companies: int) -> None:
    """Load a Polish demo organisation and the demo data of the enabled plugins."""
    runtime = boot()

    async def run() -> None:
        if if_empty and await _has_data():
            console.print("The database already holds data; demo data not loaded.")
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("Demo companies", total=companies)
            # Plugin by plugin in registration order: the core's companies exist before a
            # plugin's opportunities refer to them.
            messages = await runtime.call_each(
                "kartoteka_demo_data", runtime=runtime, scale=companies, progress=lambda n: bar.update(task, advance=n)
            )
        for _plugin, message in messages:
            if message:
                console.print(message)
        console.print(f"Demo data loaded by {len(messages)} plugin(s).")

    asyncio.run(run())


cli.add_command(demo, name="demo-data")
cli.add_command(plugin_commands)


async def _has_data() -> bool:
    from core.access.tables import User
    from core.db.tables import OutboxMessage

    return await User.exists() or await OutboxMessage.exists()


# --- backup and restore --------------------------------------------------------------------------------
def _table_progress(label: str) -> tuple[Progress, Any]:
    bar = Progress(TextColumn("{task.description}"), console=console)
    task = bar.add_task(label)
    return bar, lambda table, rows: bar.update(task, description=f"{label}: {table} ({rows} rows)")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent backup of the database to PATH (gzip'd JSON lines; works on both engines)."""
    from core.db.backup import backup as write_backup

    runtime = boot()
    bar, step = _table_progress("Backing up")
    with bar:
        counts = asyncio.run(write_backup(runtime, path, step))
    console.print(f"Wrote {path}: {sum(counts.values())} rows from {len(counts)} tables.")


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(path: Path) -> None:
    """Restore a backup into a freshly migrated, empty database (all or nothing)."""
    from core.db.backup import restore as read_backup

    runtime = boot()
    bar, step = _table_progress("Restoring")
    with bar:
        counts = asyncio.run(read_backup(runtime, path, step))
    console.print(f"Restored {sum(counts.values())} rows into {len(counts)} tables.")


# --- export ------------------------------------------------------------------------------------------
@cli.command()
@click.option(
    "--query-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="A GraphQL query with one connection, declaring $after: String and passing it to the connection.",
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The CSV file.")
@click.option("--variables", default="{}", metavar="JSON", help="Variables of the query, as a JSON object.")
@click.option("--as", "as_user", default=None, metavar="EMAIL", help="Export what this user may see.")
@click.option("--delimiter", type=click.Choice([",", ";"]), default=",", show_default=True)
@click.option("--bom/--no-bom", default=True, show_default=True, help="Start with a UTF-8 byte order mark (Excel).")
def export(query_file: Path, output: Path, variables: str, as_user: str | None, delimiter: str, bom: bool) -> None:
    """Write every page of a list query (staff API, same permissions and scoping) as CSV."""
    import json

    from core.graphql.compose import build_schema
    from core.graphql.context import Context
    from core.graphql.export import ExportError, ExportRequest, executor, export_csv

    runtime = boot()
    schema = build_schema(runtime, "staff")

    async def run() -> None:
        wanted = ExportRequest.from_json(
            {
                "query": query_file.read_text(encoding="utf-8"),
                "variables": json.loads(variables),
                "bom": bom,
                "delimiter": delimiter,
            }
        )
        actor = await actor_for_email(runtime, as_user)

        async def context() -> Context:
            return Context(runtime=runtime, actor=actor, surface="staff")

        chunks = await export_csv(executor(schema, wanted, context), wanted, runtime.settings.export_max_rows)
        with output.open("wb") as file:
            async for chunk in chunks:
                file.write(chunk)

    try:
        run_service(run())
    except (ExportError, json.JSONDecodeError) as error:
        output.unlink(missing_ok=True)  # never leave a partial file behind
        if isinstance(error, ExportError):
            messages = error.errors(lambda template, params: runtime.translator.text("en", template, params))
            raise click.ClickException("; ".join(str(item.get("message")) for item in messages)) from None
        raise click.ClickException(f"--variables: {error}") from None
    console.print(f"Wrote {output}.")


# --- plugins -----------------------------------------------------------------------------------------
@cli.group()
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list")
@click.option("--all", "show_builtins", is_flag=True, help="List each of the core's built-in plugins too.")
def plugins_list(show_builtins: bool) -> None:
    """Installed plugins: name, version, enabled, requires and the hooks each implements."""
    from core.plugins.loader import read_plugins_file

    settings = _settings()
    plugins_file = read_plugins_file(settings.plugins_file)
    runtime = boot(database_url="sqlite:///:memory:")
    manager = runtime.plugins.manager
    table = Table("plugin", "distribution", "version", "enabled", "requires", "hooks")
    import core

    def hooks_of(*names: str) -> str:
        callers = {caller.name for name in names for caller in manager.get_hookcallers(manager.get_plugin(name)) or []}
        return "\n".join(sorted(callers))

    for name in runtime.plugin_names:
        plugin = manager.get_plugin(name)
        entry = plugins_file.plugins.get(name)
        # `core` stands for every built-in plugin, as the `system` query shows it.
        builtins = runtime.plugins.builtins if name == "core" else [name]
        table.add_row(
            name,
            entry.distribution if entry else "kartoteka",
            entry.version if entry else core.__version__,
            "yes",
            ", ".join(plugin.info.requires) or "—",
            hooks_of(*builtins),
        )
        if name == "core" and show_builtins:
            for builtin in builtins:
                table.add_row(f"  {builtin}", "kartoteka", core.__version__, "built-in", "—", hooks_of(builtin))
    for name, entry in sorted(plugins_file.plugins.items()):
        if not entry.enabled:
            # Disabled plugins are never imported, so their requirements and hooks are unknown.
            table.add_row(name, entry.distribution, entry.version, "no", "?", "—")
    console.print(table)


# --- schema ----------------------------------------------------------------------------------------
def _first_party_sdl() -> dict[str, str]:
    from core.graphql.compose import build_schema
    from core.plugins.loader import first_party_plugins_file
    from core.runtime import Runtime

    runtime = Runtime.boot(_settings(database_url="sqlite:///:memory:"), plugins_file=first_party_plugins_file())
    return {surface: build_schema(runtime, surface).as_str() + "\n" for surface in SCHEMA_FILES}


@cli.group()
def schema() -> None:
    """The committed GraphQL contract in schema/ (all first-party plugins enabled)."""


@schema.command("export")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schema"), show_default=True)
def schema_export(out_dir: Path) -> None:
    """Write schema.graphql (staff) and portal.graphql (portal)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for surface, text in _first_party_sdl().items():
        path = out_dir / SCHEMA_FILES[surface]
        path.write_text(text, encoding="utf-8")
        console.print(f"wrote {path}")


@schema.command("check")
@click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("schema"), show_default=True
)
def schema_check(directory: Path) -> None:
    """Fail with a diff when the committed schema files differ from the code."""
    differs = False
    for surface, text in _first_party_sdl().items():
        path = directory / SCHEMA_FILES[surface]
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed != text:
            differs = True
            diff = difflib.unified_diff(
                committed.splitlines(True), text.splitlines(True), str(path), f"{path} (from code)"
            )
            sys.stdout.writelines(diff)
    if differs:
        raise click.ClickException("the committed schema differs from the code; run `kartoteka schema export`")
    console.print("schema is up to date")


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KartotekaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "core.db.piccolo_conf")
    main()
