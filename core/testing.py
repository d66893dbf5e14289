"""The test kit for plugin authors: a pytest plugin shipped with the distribution.

Installing kartoteka registers it (entry point ``pytest11: kartoteka``); it only adds fixtures,
two markers and one option, so a project that uses none of them sees no change. A plugin's tests
import only :mod:`core.api` and this module::

    import pytest
    from core.testing import gql, make_user

    @pytest.mark.kartoteka_plugins("crm_notes")
    async def test_a_rep_adds_a_note(kartoteka_runtime, kartoteka_client):
        rep = await make_user(kartoteka_runtime, roles=["crm_notes_editor"])
        data = await gql(kartoteka_client, "{ crmNotes { totalCount } }", as_=rep)
        assert data == {"crmNotes": {"totalCount": 0}}

Every test that uses a runtime runs on both engines: a SQLite file under ``tmp_path`` and a
PostgreSQL database copied from a migrated template (one template per set of enabled plugins and
per session, so each test's copy is quick), dropped after the test. ``--kartoteka-engines=sqlite``
runs one. PostgreSQL is ``KARTOTEKA_TEST_POSTGRES_URL`` (default ``postgres@127.0.0.1:5432``);
a test that cannot reach it fails rather than skips.

Fixtures: ``kartoteka_engine``, ``kartoteka_postgres``, ``kartoteka_fresh_postgres``,
``kartoteka_make_runtime``, ``kartoteka_runtime``, ``kartoteka_client``, ``kartoteka_gql``,
``kartoteka_smtp``. Helpers: :func:`make_user`, :func:`gql`, :func:`gql_errors`,
:func:`serve_app`, :func:`drain`, :func:`wait_for`, :func:`gid`, :func:`node_id`,
:class:`SmtpSink` with :func:`running_smtp`, :func:`migration_drift`,
:func:`untranslated_messages`. The kit is part of the core, so it may use the
core's internals; the tests that use it need not.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email
import email.policy
import itertools
import json
import os
import socket
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

try:  # async fixtures that work in pytest-asyncio's strict mode as well as in auto mode
    from pytest_asyncio import fixture as async_fixture
except ImportError:  # without pytest-asyncio the async fixtures cannot run; the rest still loads
    async_fixture = pytest.fixture

if TYPE_CHECKING:
    import httpx

    from core.auth import Actor
    from core.plugins.specs import Plugin
    from core.runtime import Runtime

POSTGRES_URL = os.environ.get("KARTOTEKA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQ_URL = os.environ.get("KARTOTEKA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
ENGINES = ("sqlite", "postgres")
TEST_SECRET_KEY = "kartoteka-test-kit-secret-key-0123456789"  # tests only: signs links in tests

PluginsArgument = str | Mapping[str, Mapping[str, Any] | None] | Iterable[str] | None


# --- pytest hooks: one option, two markers ---------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--kartoteka-engines",
        default=",".join(ENGINES),
        help="comma-separated engines the kartoteka_* fixtures run on (default: sqlite,postgres)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "kartoteka_plugins(*names, **configs): plugins kartoteka_runtime enables (config per name)"
    )
    config.addinivalue_line("markers", "kartoteka_settings(**overrides): settings kartoteka_runtime uses")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "kartoteka_engine" in metafunc.fixturenames:
        chosen = [name.strip() for name in metafunc.config.getoption("kartoteka_engines").split(",") if name.strip()]
        unknown = set(chosen) - set(ENGINES)
        if unknown:
            raise pytest.UsageError(
                f"--kartoteka-engines: unknown engine {sorted(unknown)[0]!r} (known: sqlite, postgres)"
            )
        metafunc.parametrize("kartoteka_engine", chosen)


# --- plugins.toml ------------------------------------------------------------------------------
def write_plugins(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def plugins_toml(plugins: PluginsArgument) -> str:
    """plugins.toml text enabling ``plugins``: a ready TOML text, plugin names, or a mapping of
    names to their config tables."""
    if plugins is None:
        return ""
    if isinstance(plugins, str):
        return textwrap.dedent(plugins)
    configs = dict(plugins) if isinstance(plugins, Mapping) else dict.fromkeys(plugins)
    lines: list[str] = []
    for name, config in configs.items():
        lines += [f"[plugins.{name}]", "enabled = true"]
        if config:
            lines.append(f"[plugins.{name}.config]")
            lines += [f"{key} = {_toml_value(value)}" for key, value in config.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {_toml_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} to plugins.toml")


def enabled_plugins(text: str) -> tuple[str, ...]:
    import tomllib

    tables = tomllib.loads(text).get("plugins", {})
    return tuple(sorted(name for name, table in tables.items() if table.get("enabled")))


# --- PostgreSQL: migrated templates, quick copies ------------------------------------------------
def postgres_url(database: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + database


async def admin_sql(*statements: str) -> None:
    """Run statements on the server's maintenance database (CREATE / DROP DATABASE)."""
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


class PostgresDatabases:
    """Migrated template databases, one per set of enabled plugins, made on first use and
    dropped at the end of the session; each test gets a copy (``CREATE DATABASE … TEMPLATE``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.templates: dict[tuple[str, ...], str] = {}
        self._numbers = itertools.count()

    def template(self, plugins_text: str, extra_plugins: Mapping[str, Plugin] | None = None) -> str:
        key = (*enabled_plugins(plugins_text), *sorted(extra_plugins or {}))
        if key not in self.templates:
            from core.db.migrate import migrate
            from core.runtime import Runtime
            from core.settings import load_settings

            number = next(self._numbers)
            name = f"kartoteka_test_template_{os.getpid()}_{number}"
            plugins = write_plugins(self.folder / f"template-{number}.toml", plugins_text)
            asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
            self.templates[key] = name  # dropped at the end even if migrating fails
            settings = load_settings(
                environ={}, database_url=postgres_url(name), plugins_file=plugins, secret_key=TEST_SECRET_KEY
            )
            asyncio.run(migrate(Runtime.boot(settings, extra_plugins=extra_plugins)))
        return self.templates[key]

    def copy(self, plugins_text: str, extra_plugins: Mapping[str, Plugin] | None = None) -> str:
        """A new database copied from the template; returns its name."""
        template = self.template(plugins_text, extra_plugins)
        name = f"kartoteka_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def drop_templates(self) -> None:
        for name in self.templates.values():
            asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.templates.clear()


@pytest.fixture(scope="session")
def kartoteka_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(tmp_path_factory.mktemp("kartoteka-templates"))
    yield databases
    databases.drop_templates()


@pytest.fixture
def kartoteka_fresh_postgres(kartoteka_postgres: PostgresDatabases) -> Iterator[Callable[..., str]]:
    """``make(plugins_text, extra_plugins=None)`` → the URL of a migrated database, dropped after the test."""
    made: list[str] = []

    def make(plugins_text: str = "", extra_plugins: Mapping[str, Plugin] | None = None) -> str:
        made.append(kartoteka_postgres.copy(plugins_text, extra_plugins))
        return postgres_url(made[-1])

    yield make
    for name in made:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- runtimes ---------------------------------------------------------------------------------
@pytest.fixture
def kartoteka_engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``: the kit parametrises every test that uses it over both."""
    return getattr(request, "param", ENGINES[0])


@pytest.fixture
def kartoteka_make_runtime(
    kartoteka_engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[..., Awaitable[Runtime]]:
    """``await make(plugins=…, extra_plugins=…, **settings)`` → a migrated runtime on the test's
    engine. ``plugins``: names, ``{name: config}`` or plugins.toml text; ``extra_plugins``:
    ``{name: Plugin class or instance}`` for a plugin not installed as a distribution."""
    numbers = itertools.count()

    async def make(
        plugins: PluginsArgument = None,
        *,
        extra_plugins: Mapping[str, type[Plugin] | Plugin] | None = None,
        role: str = "web",
        **overrides: Any,
    ) -> Runtime:
        from core.db.migrate import migrate
        from core.runtime import Runtime
        from core.settings import load_settings

        folder = tmp_path / f"kartoteka-{next(numbers)}"
        folder.mkdir()
        text = plugins_toml(plugins)
        extras = _plugin_instances(extra_plugins or {}, folder)
        if kartoteka_engine == "sqlite":
            database_url = f"sqlite:///{folder}/kartoteka.sqlite3"
        else:
            fresh_postgres = request.getfixturevalue("kartoteka_fresh_postgres")
            # Making databases runs its own event loops (asyncio.run); keep them off this one.
            database_url = await asyncio.to_thread(fresh_postgres, text, extras)
        settings = load_settings(
            environ={},
            **{
                "database_url": database_url,
                "plugins_file": write_plugins(folder / "plugins.toml", text),
                "relay_interval": 0.05,
                "secret_key": TEST_SECRET_KEY,
                "secret_key_file": folder / "secret_key",
                "attachments_dir": folder / "attachments",
                "mail_dir": folder / "mail",
                **overrides,
            },
        )
        runtime = Runtime.boot(settings, role=role, extra_plugins=extras or None)
        await migrate(runtime)  # a no-op on a PostgreSQL copy of the template
        return runtime

    return make


def _plugin_instances(plugins: Mapping[str, type[Plugin] | Plugin], folder: Path) -> dict[str, Plugin]:
    """Plugin classes become instances with their default config, validated as plugins.toml's is."""
    from core.plugins.loader import PluginEntry, validate_config

    instances = {}
    for name, plugin in plugins.items():
        if isinstance(plugin, type):
            plugin = plugin(name, validate_config(plugin, PluginEntry(name=name, enabled=True), str(folder)))
        instances[name] = plugin
    return instances


@async_fixture
async def kartoteka_runtime(
    kartoteka_make_runtime: Callable[..., Awaitable[Runtime]], request: pytest.FixtureRequest
) -> Runtime:
    """A migrated runtime with the plugins of ``@pytest.mark.kartoteka_plugins(...)`` enabled and
    the settings of ``@pytest.mark.kartoteka_settings(...)``."""
    plugins: dict[str, Mapping[str, Any] | None] = {}
    for marker in reversed(list(request.node.iter_markers("kartoteka_plugins"))):
        plugins.update(dict.fromkeys(marker.args))
        plugins.update(marker.kwargs)
    overrides: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("kartoteka_settings"))):
        overrides.update(marker.kwargs)
    return await kartoteka_make_runtime(plugins, **overrides)


@contextlib.asynccontextmanager
async def serve_app(runtime: Runtime, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (pool, in-process jobs) on the test's own event loop, so the
    test may query the database with the same pool."""
    import httpx

    from core.app import create_app

    app = create_app(runtime=runtime, **options)
    async with app.state.kartoteka_lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
            yield test_client


@async_fixture
async def kartoteka_client(kartoteka_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app on ``kartoteka_runtime``; the app's jobs run in the background."""
    async with serve_app(kartoteka_runtime) as client:
        yield client


@pytest.fixture
def kartoteka_gql(kartoteka_client: httpx.AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    """:func:`gql` bound to ``kartoteka_client``: ``await kartoteka_gql(query, variables, as_=user)``."""

    async def bound(query: str, variables: Mapping[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        return await gql(kartoteka_client, query, variables, **options)

    return bound


# --- users and GraphQL -----------------------------------------------------------------------
@dataclass(frozen=True)
class StaffUser:
    """A staff user made by :func:`make_user`: pass it as ``as_=`` to :func:`gql`, or its
    ``actor`` to services."""

    id: int
    email: str
    token: str = field(repr=False)
    actor: Actor


_user_numbers = itertools.count(1)


async def make_user(
    runtime: Runtime,
    email: str | None = None,
    *,
    roles: Iterable[str] = (),
    team: str | None = None,
    territories: Iterable[str] = (),
    **options: Any,
) -> StaffUser:
    """A staff user with ``roles`` (role names: builtin templates such as ``administrator`` or a
    plugin's), optionally in ``team`` and ``territories`` (which must exist), and a token of theirs."""
    from core.access import services as access
    from core.access.tables import User
    from core.auth import SYSTEM

    email = email or f"user{next(_user_numbers)}@example.com"
    user_id = await access.create_user(
        runtime,
        SYSTEM,
        email=email,
        display_name=email.split("@")[0].title(),
        roles=list(roles),
        team=team,
        territories=list(territories),
        **options,
    )
    _, token = await access.create_token(runtime, SYSTEM, user_id=user_id, name="tests")
    row = await User.select().where(User.id == user_id).first()
    return StaffUser(id=user_id, email=email, token=token, actor=await access.actor_for_user(runtime, row))


SURFACE_PATHS = {"staff": "/graphql", "portal": "/portal/graphql"}


async def graphql_response(
    client: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    as_: StaffUser | str | None = None,
    surface: str = "staff",
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """POST ``query`` to the surface as a user (or a bearer token, or anonymously); the decoded body."""
    token = as_.token if isinstance(as_, StaffUser) else as_
    sent = {**({"authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    response = await client.post(
        SURFACE_PATHS[surface], json={"query": query, "variables": dict(variables or {})}, headers=sent
    )
    if response.status_code != 200:
        pytest.fail(f"GraphQL answered HTTP {response.status_code}: {response.text}", pytrace=False)
    return response.json()


async def gql(
    client: httpx.AsyncClient, query: str, variables: Mapping[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    """The ``data`` of a query (see :func:`graphql_response` for the options); fails the test,
    listing the errors, when the answer has any."""
    body = await graphql_response(client, query, variables, **options)
    if body.get("errors"):
        pytest.fail("GraphQL errors:\n" + json.dumps(body["errors"], indent=2, ensure_ascii=False), pytrace=False)
    return body["data"]


async def gql_errors(
    client: httpx.AsyncClient, query: str, variables: Mapping[str, Any] | None = None, **options: Any
) -> list[dict[str, Any]]:
    """The ``errors`` of a query that must fail; fails the test when there are none."""
    body = await graphql_response(client, query, variables, **options)
    if not body.get("errors"):
        pytest.fail(f"expected GraphQL errors, got {json.dumps(body, ensure_ascii=False)}", pytrace=False)
    return body["errors"]


def gid(type_name: str, row_id: int) -> str:
    """The public (Relay global) id of a row, as the API shows it: ``gid("Company", 7)``."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


def node_id(global_id: str) -> int:
    """The row id inside a public id."""
    return int(base64.b64decode(global_id).decode().split(":")[1])


# --- jobs and events ---------------------------------------------------------------------------
async def drain(runtime: Runtime, *, rounds: int = 50) -> int:
    """Run everything the outbox holds — events to async subscribers, queued jobs, and what
    those publish in turn — here and now, without a broker; returns how many deliveries ran.
    A handler's exception propagates, so the test shows it."""
    from core.jobs import relay

    sent: list[int] = []

    async def capture(target: str, delivery_id: int) -> None:
        sent.append(delivery_id)

    dispatcher = runtime.dispatcher
    replaced = dispatcher.__dict__.get("send")  # a test may have replaced it already
    dispatcher.send = capture  # the relay hands deliveries to us instead of to dramatiq
    ran = 0
    try:
        for _ in range(rounds):
            while await relay.relay_once(runtime):
                pass
            if not sent:
                return ran
            batch, sent[:] = list(sent), []
            for delivery_id in batch:
                await dispatcher.run_delivery(delivery_id)
                ran += 1
        raise AssertionError(f"the outbox still grows after {rounds} rounds: do handlers publish forever?")
    finally:
        if replaced is None:
            del dispatcher.send
        else:
            dispatcher.send = replaced


async def wait_for(condition: Callable[[], Awaitable[Any]], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await condition()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


# --- a plugin's package: migrations and translations ----------------------------------------------
async def migration_drift(runtime: Runtime, app_name: str) -> list[str]:
    """What Piccolo's auto-migration would change for ``app_name``: empty when every table
    matches its migrations (otherwise run ``tools/makemigration.py``, which needs PostgreSQL)."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    runtime.activate()
    [app_config] = [app for app in runtime.registry.piccolo_apps.values() if app.app_name == app_name]
    statements = await AutoMigrationManager().get_alter_statements(app_config=app_config)
    return [statement for alter in statements for statement in alter.statements]


def untranslated_messages(package: Path) -> list[str]:
    """The texts wrapped in ``_()`` under ``package`` that neither its ``locale/pl.po`` nor the
    core's catalog translates into Polish."""
    from babel.messages.extract import extract_from_dir

    from core.i18n import Translator

    messages = {
        message
        for _, _, message, *_ in extract_from_dir(package, method_map=[("**.py", "python")], keywords={"_": None})
    }
    core_locale = Path(__file__).resolve().parent / "locale"
    translator = Translator.load([core_locale, package / "locale"])
    return sorted(message for message in messages if message not in translator.catalogs["pl"])


# --- mail ---------------------------------------------------------------------------------------
class SmtpSink:
    """An SMTP handler keeping every message it accepts (``messages``, ``envelopes``); refuses
    recipients in ``refuse_domains``. Subclasses may change ``policy`` or slow ``handle_DATA``."""

    policy: email.policy.Policy = email.policy.default
    refuse_domains: tuple[str, ...] = ()
    url: str = ""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.envelopes: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.rpartition("@")[2] in self.refuse_domains:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=self.policy))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if m["To"] == address]


@contextlib.contextmanager
def smtp_server(handler: Any) -> Iterator[str]:
    """A real SMTP server (aiosmtpd) on a free loopback port, serving ``handler``; yields its URL."""
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@contextlib.contextmanager
def running_smtp(sink: SmtpSink | None = None) -> Iterator[SmtpSink]:
    """``sink`` (a plain :class:`SmtpSink` by default) served on loopback, its ``url`` set."""
    sink = sink or SmtpSink()
    with smtp_server(sink) as url:
        sink.url = url
        yield sink


@pytest.fixture
def kartoteka_smtp() -> Iterator[SmtpSink]:
    """A running SMTP sink; give ``kartoteka_smtp.url`` to the runtime as ``smtp_url``."""
    with running_smtp() as sink:
        yield sink
