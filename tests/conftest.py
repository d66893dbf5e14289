"""Shared fixtures: real SQLite files, real PostgreSQL databases, real RabbitMQ.

PostgreSQL and RabbitMQ are not optional: a test that cannot reach them fails (it never skips),
so a CI run without the services is red, not silently green.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from core.app import create_app
from core.db.migrate import migrate
from core.runtime import Runtime
from core.settings import Settings, load_settings

POSTGRES_URL = os.environ.get("KARTOTEKA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQ_URL = os.environ.get("KARTOTEKA_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
TEMPLATE_DB = f"kartoteka_test_template_{os.getpid()}"

SAMPLE_PLUGINS = """
[plugins.sample]
enabled = true
[plugins.sample.config]
trust_test_header = true
"""
STAFF = "staff:sample.note.read,sample.note.write,core.jobs.read,core.jobs.manage,core.system.read"


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


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Any]:
    """A private Dovecot IMAP server on loopback for the whole run (tests/dovecot.py)."""
    from tests.dovecot import INSTALL_HINT, running_dovecot

    try:
        with running_dovecot() as server:
            yield server
    except RuntimeError as error:
        if str(error) == INSTALL_HINT:
            pytest.fail(INSTALL_HINT)
        raise


def postgres_url(database: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + database


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL, timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def write_plugins(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def slow_sample_plugins(folder: Path, slow_seconds: float) -> Path:
    """The sample plugin set up to sleep in its subscriber on "slow" notes and to leave a
    ``started-<note id>`` file (holding the worker's pid) when the subscriber starts."""
    return write_plugins(
        folder / "plugins.toml",
        SAMPLE_PLUGINS + f'slow_seconds = {slow_seconds}\nmarker_dir = "{folder}"\n',
    )


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with every test migration applied; each test copies it (fast)."""
    plugins = write_plugins(tmp_path_factory.mktemp("tpl") / "plugins.toml", SAMPLE_PLUGINS)
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"', f'CREATE DATABASE "{TEMPLATE_DB}"'))
    runtime = Runtime.boot(load_settings(environ={}, database_url=postgres_url(TEMPLATE_DB), plugins_file=plugins))
    asyncio.run(migrate(runtime))
    yield TEMPLATE_DB
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))


@pytest.fixture
def fresh_postgres(postgres_template: str) -> Callable[[], str]:
    """Makes migrated PostgreSQL databases for one test and drops them afterwards."""
    made: list[str] = []

    def make() -> str:
        name = f"kartoteka_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
        made.append(name)
        return postgres_url(name)

    yield make
    for name in made:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", SAMPLE_PLUGINS)


@pytest.fixture
def database_url(engine_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if engine_kind == "sqlite":
        return f"sqlite:///{tmp_path}/kartoteka.sqlite3"
    return request.getfixturevalue("fresh_postgres")()


@pytest.fixture
def settings(database_url: str, plugins_file: Path) -> Settings:
    return load_settings(environ={}, database_url=database_url, plugins_file=plugins_file, relay_interval=0.05)


@pytest.fixture
async def runtime(settings: Settings) -> Runtime:
    runtime = Runtime.boot(settings, role="web")
    await migrate(runtime)  # no-op on a PostgreSQL copy of the template
    return runtime


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(runtime) as test_client:
        yield test_client


@asynccontextmanager
async def serve_app(runtime: Runtime, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan (pool, in-process jobs) on the test's own event loop, so the
    test may query the database with the same pool."""
    app = create_app(runtime=runtime, **options)
    async with app.state.kartoteka_lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as test_client:
            yield test_client


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    actor: str | None = STAFF,
    path: str = "/graphql",
) -> dict[str, Any]:
    headers = {"x-sample-actor": actor} if actor else {}
    response = await client.post(path, json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


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


async def make_user(runtime: Runtime, email: str, **options: Any) -> tuple[int, str]:
    """A staff user (roles, team, territories… as keyword arguments) and a token of theirs."""
    from core.access import services as access
    from core.auth import SYSTEM

    user_id = await access.create_user(
        runtime, SYSTEM, email=email, display_name=email.split("@")[0].title(), **options
    )
    _, token = await access.create_token(runtime, SYSTEM, user_id=user_id, name="tests")
    return user_id, token


async def as_user(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> dict[str, Any]:
    """POST a query with a bearer token; returns the decoded response (status 200 asserted)."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}", **headers},
    )
    assert response.status_code == 200, response.text
    return response.json()
