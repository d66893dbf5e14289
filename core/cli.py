"""The ``kartoteka`` command."""

from __future__ import annotations

import asyncio
import difflib
import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.errors import KartotekaError
from core.plugins.scaffold import plugin_commands
from core.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)
SCHEMA_FILES = {"staff": "schema.graphql", "portal": "portal.graphql"}


def _settings(**overrides: Any) -> Settings:
    return load_settings(**overrides)


def _boot(role: str = "cli", **overrides: Any):
    from core.runtime import Runtime

    return Runtime.boot(_settings(**overrides), role=role)


class KartotekaGroup(click.Group):
    """Adds the commands plugins contribute (``kartoteka_cli_commands``) next to the core's."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        try:
            runtime = _boot(database_url="sqlite:///:memory:")
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
    runtime = _boot("web")
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
    runtime = _boot("worker")
    runtime.check_process_shape(external_worker=True)
    Supervisor(processes=processes, threads=threads or runtime.settings.worker_threads).run()


# --- migrate / demo ------------------------------------------------------------------------------
async def _pending(runtime) -> list:
    from core.db.migrate import pending_migrations

    return await pending_migrations(runtime)


def _run_migrations(runtime) -> int:
    from core.db.migrate import migrate as apply

    async def run() -> int:
        pending = await _pending(runtime)
        if not pending:
            console.print("Database is up to date.")
            return 0
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("Migrating", total=len(pending))

            def step(item) -> None:
                bar.update(task, advance=1, description=f"{item.app_name}: {item.migration_id}")

            await apply(runtime, progress=step)
        console.print(f"Applied {len(pending)} migration(s).")
        return len(pending)

    return asyncio.run(run())


@cli.command()
@click.option("--check", is_flag=True, help="Only report pending migrations; exit 1 if there are any.")
def migrate(check: bool) -> None:
    """Apply the migrations of the core and of every enabled plugin, in dependency order."""
    runtime = _boot()
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
    runtime = _boot()

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


# --- incoming mail -----------------------------------------------------------------------------
@cli.group()
def mail() -> None:
    """E-mail: read the IMAP mailboxes (KARTOTEKA_IMAP_MAILBOXES) now."""


@mail.command("poll")
@click.option("--mailbox", "names", multiple=True, help="Only this mailbox (repeatable); default: all.")
def mail_poll(names: tuple[str, ...]) -> None:
    """Read new mail from the IMAP mailboxes into the client file now, batch by batch."""
    from core.auth import SYSTEM
    from core.imap import MailboxError
    from core.inbox import poll_batch

    runtime = _boot()
    configured = runtime.settings.imap_mailboxes
    unknown = [name for name in names if runtime.settings.mailbox(name) is None]
    if unknown:
        known = ", ".join(m.name for m in configured) or "none configured"
        raise click.ClickException(f"no mailbox {unknown[0]!r} in KARTOTEKA_IMAP_MAILBOXES ({known})")
    mailboxes = [m for m in configured if not names or m.name in names]
    if not mailboxes:
        raise click.ClickException("no mailboxes: set KARTOTEKA_IMAP_MAILBOXES")

    async def run() -> None:
        await runtime.start()
        try:
            await read_all()
        finally:
            await runtime.stop()

    async def read_all() -> None:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            for mailbox in mailboxes:
                task = bar.add_task(f"Mailbox {mailbox.name}", total=None)
                stored = skipped = done = 0
                while True:
                    # One transaction per batch, as the job does: an interrupted run keeps what it stored.
                    async with runtime.unit_of_work(SYSTEM) as uow:
                        result = await poll_batch(runtime, uow, mailbox)
                    stored, skipped = stored + result.stored, skipped + result.skipped
                    done += result.stored + result.skipped
                    bar.update(task, total=done + result.remaining, completed=done)
                    if not result.remaining:
                        break
                bar.update(task, description=f"Mailbox {mailbox.name}: {stored} new, {skipped} known")

    try:
        asyncio.run(run())
    except MailboxError as error:
        raise click.ClickException(str(error)) from None  # the name the product documents; `demo` for short


async def _has_data() -> bool:
    from core.access.tables import User
    from core.db.tables import OutboxMessage

    return await User.exists() or await OutboxMessage.exists()


# --- users and tokens --------------------------------------------------------------------------
def _service(call) -> Any:
    """Run a service coroutine; a refused request becomes a CLI error naming the field."""
    from core.errors import DomainError

    try:
        return asyncio.run(call)
    except DomainError as error:
        where = ".".join(error.field[1:] if error.field[:1] == ["input"] else error.field)
        raise click.ClickException(f"{where + ': ' if where else ''}{error}") from None


@cli.group()
def user() -> None:
    """Staff users."""


@user.command("create")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="Name shown to other users.")
@click.option("--role", "roles", multiple=True, help="Role name (repeatable), e.g. administrator.")
@click.option("--team", default=None, help="Team name.")
@click.option("--territory", "territories", multiple=True, help="Territory code (repeatable).")
@click.option("--superuser", is_flag=True, help="Every staff permission, on all records.")
@click.option("--password", is_flag=True, help="Ask for a password (argon2id-hashed) for interactive sign-in.")
def user_create(email: str, display_name: str, roles, team, territories, superuser: bool, password: bool) -> None:
    """Create a staff user."""
    from core.access.services import create_user
    from core.auth import SYSTEM

    secret = click.prompt("Password", hide_input=True, confirmation_prompt=True) if password else None
    runtime = _boot()
    user_id = _service(
        create_user(
            runtime,
            SYSTEM,
            email=email,
            display_name=display_name,
            password=secret,
            roles=roles,
            team=team,
            territories=territories,
            superuser=superuser,
        )
    )
    console.print(f"Created user {user_id} <{email}>.")


@cli.group()
def token() -> None:
    """Personal access tokens for scripts and integrations."""


@token.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'ERP sync'.")
@click.option("--scope", "scopes", multiple=True, help="Limit the token to this permission (repeatable).")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None, help="Expire after this many days.")
def token_create(email: str, name: str, scopes, expires_in_days: int | None) -> None:
    """Create a token for the user EMAIL and print it (it is shown only once)."""
    from datetime import UTC, datetime, timedelta

    from core.access.services import create_token, user_id_by_email
    from core.auth import SYSTEM

    runtime = _boot()
    user_id = _service(user_id_by_email(email))
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    _, secret = _service(
        create_token(runtime, SYSTEM, user_id=user_id, name=name, scopes=scopes, expires_at=expires_at)
    )
    err_console.print("Store this token now; it cannot be shown again. Send it as 'Authorization: Bearer <token>'.")
    click.echo(secret)


@cli.group()
def keys() -> None:
    """Keys that sign OAuth access tokens and OpenID Connect ID tokens."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key; the previous one keeps verifying until its tokens have expired."""
    from core.identity.keys import rotate

    kid = asyncio.run(rotate(_boot()))
    console.print(f"New signing key {kid}.")


@cli.group("oauth-client")
def oauth_client() -> None:
    """OAuth clients (also managed through GraphQL: oauthClientCreate…)."""


@oauth_client.command("create")
@click.argument("name")
@click.option("--audience", type=click.Choice(["staff", "portal"]), default="staff", help="Who signs in.")
@click.option("--public", is_flag=True, help="A browser or native app without a secret (PKCE only).")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Exact redirect URI (repeatable).")
@click.option("--grant", "grant_types", multiple=True, help="authorization_code, refresh_token, client_credentials.")
@click.option("--scope", "scopes", multiple=True, help="openid, profile, email, api or a permission code (repeatable).")
@click.option("--skip-consent", is_flag=True, help="A first-party front end: no consent page.")
def oauth_client_create(
    name: str, audience: str, public: bool, redirect_uris, grant_types, scopes, skip_consent
) -> None:
    """Register an OAuth client; prints its client_id and secret (the secret is shown only once)."""
    from core.auth import SYSTEM
    from core.identity.clients import create_client

    runtime = _boot()
    _, client_id, secret = _service(
        create_client(
            runtime,
            SYSTEM,
            name=name,
            audience=audience,
            confidential=not public,
            redirect_uris=redirect_uris,
            grant_types=grant_types or ("authorization_code", "refresh_token"),
            scopes=scopes,
            skip_consent=skip_consent,
        )
    )
    click.echo(f"client_id: {client_id}")
    if secret:
        err_console.print("Store this secret now; it cannot be shown again.")
        click.echo(f"client_secret: {secret}")


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

    runtime = _boot()
    bar, step = _table_progress("Backing up")
    with bar:
        counts = asyncio.run(write_backup(runtime, path, step))
    console.print(f"Wrote {path}: {sum(counts.values())} rows from {len(counts)} tables.")


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(path: Path) -> None:
    """Restore a backup into a freshly migrated, empty database (all or nothing)."""
    from core.db.backup import restore as read_backup

    runtime = _boot()
    bar, step = _table_progress("Restoring")
    with bar:
        counts = asyncio.run(read_backup(runtime, path, step))
    console.print(f"Restored {sum(counts.values())} rows into {len(counts)} tables.")


# --- import ------------------------------------------------------------------------------------------
@cli.group("import")
def import_() -> None:
    """Import records from CSV files."""


def _import_options(command):
    """The arguments both import commands take (decorators apply bottom-up, hence the order)."""
    command = click.option(
        "--as", "as_user", default=None, metavar="EMAIL", help="Import as this user (owner of the new records)."
    )(command)
    command = click.option("--dry-run", is_flag=True, help="Check every row and report, but keep nothing.")(command)
    command = click.option(
        "--map",
        "mappings",
        multiple=True,
        metavar="COLUMN=FIELD",
        help="Map a CSV column to a field (repeatable); common Polish and English headers are recognised.",
    )(command)
    return click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


async def _actor(runtime, email: str | None):
    """The user ``email`` as an actor (their roles and record scope), or the system."""
    from core.access.services import actor_for_user, user_id_by_email
    from core.access.tables import User
    from core.auth import SYSTEM

    if not email:
        return SYSTEM
    user = await User.select().where(User.id == await user_id_by_email(email)).first()
    return await actor_for_user(runtime, user)


def _run_import(target_name: str, path: Path, mappings: tuple[str, ...], dry_run: bool, as_user: str | None) -> None:
    from core.crm import importer

    target = importer.TARGETS[target_name]
    runtime = _boot()
    headers, rows = importer.read_csv(importer.decode(path.read_bytes()))
    mapping = importer.guess_mapping(headers, target)
    for item in mappings:
        column, _, field_name = item.partition("=")
        mapping[column.strip()] = field_name.strip()

    async def run() -> importer.ImportReport:
        importer.check_mapping(mapping, headers, target)
        actor = await _actor(runtime, as_user)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            task = bar.add_task("Importing" if not dry_run else "Checking", total=len(rows))
            return await importer.import_rows(
                runtime, actor, target, rows, mapping, dry_run=dry_run, progress=lambda n: bar.update(task, advance=n)
            )

    report = _service(run())
    if report.problems:
        table = Table("row", "field", "code", "problem")
        for problem in report.problems:
            table.add_row(str(problem.row), ".".join(problem.field[1:]), problem.code, problem.message)
        console.print(table)
    console.print(
        f"{report.rows} row(s): {report.created} new, {len(report.matched)} already in the file, "
        f"{len(report.problems)} with problems."
    )
    if report.problems:
        console.print("Nothing was imported; fix the rows above and run again.")
        sys.exit(1)
    console.print("Dry run: nothing was kept." if dry_run else "Imported.")


@import_.command("companies")
@_import_options
def import_companies(path: Path, mappings: tuple[str, ...], dry_run: bool, as_user: str | None) -> None:
    """Import companies from a CSV file: all rows or none, duplicates (NIP, e-mail, phone) matched."""
    _run_import("companies", path, mappings, dry_run, as_user)


@import_.command("persons")
@_import_options
def import_persons(path: Path, mappings: tuple[str, ...], dry_run: bool, as_user: str | None) -> None:
    """Import persons from a CSV file: all rows or none, duplicates (e-mail, phone) matched.

    A column with the company's NIP or exact name (firma, NIP firmy) makes the person an
    employee of that existing company, with the position from the stanowisko column.
    """
    _run_import("persons", path, mappings, dry_run, as_user)


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

    runtime = _boot()
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
        actor = await _actor(runtime, as_user)

        async def context() -> Context:
            return Context(runtime=runtime, actor=actor, surface="staff")

        chunks = await export_csv(executor(schema, wanted, context), wanted, runtime.settings.export_max_rows)
        with output.open("wb") as file:
            async for chunk in chunks:
                file.write(chunk)

    try:
        _service(run())
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
def plugins_list() -> None:
    """Installed plugins: name, version, enabled, requires and the hooks each implements."""
    from core.plugins.loader import read_plugins_file

    settings = _settings()
    plugins_file = read_plugins_file(settings.plugins_file)
    runtime = _boot(database_url="sqlite:///:memory:")
    manager = runtime.plugins.manager
    table = Table("plugin", "distribution", "version", "enabled", "requires", "hooks")
    import core

    for name in runtime.plugin_names:
        plugin = manager.get_plugin(name)
        entry = plugins_file.plugins.get(name)
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        table.add_row(
            name,
            entry.distribution if entry else "kartoteka",
            entry.version if entry else core.__version__,
            "yes",
            ", ".join(plugin.info.requires) or "—",
            "\n".join(hooks),
        )
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
