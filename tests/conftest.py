"""Shared fixtures: real SQLite files, real PostgreSQL databases, real RabbitMQ.

PostgreSQL and RabbitMQ are not optional: a test that cannot reach them fails (it never skips),
so a CI run without the services is red, not silently green.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.db.migrate import migrate
from core.runtime import Runtime
from core.settings import Settings, load_settings
from core.testing import POSTGRES_URL as POSTGRES_URL
from core.testing import RABBITMQ_URL as RABBITMQ_URL
from core.testing import PostgresDatabases, admin_sql, serve_app, write_plugins
from core.testing import make_user as make_staff_user
from core.testing import postgres_url as postgres_url
from core.testing import smtp_server as smtp_server
from core.testing import wait_for as wait_for

# The suite's tests import the test kit's helpers (``X as X`` above) from here, and ``_admin``.
_admin = admin_sql

SAMPLE_PLUGINS = """
[plugins.sample]
enabled = true
[plugins.sample.config]
trust_test_header = true
"""
STAFF = "staff:sample.note.read,sample.note.write,core.jobs.read,core.jobs.manage,core.system.read"


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


def slow_sample_plugins(folder: Path, slow_seconds: float) -> Path:
    """The sample plugin set up to sleep in its subscriber on "slow" notes and to leave a
    ``started-<note id>`` file (holding the worker's pid) when the subscriber starts."""
    return write_plugins(
        folder / "plugins.toml",
        SAMPLE_PLUGINS + f'slow_seconds = {slow_seconds}\nmarker_dir = "{folder}"\n',
    )


@pytest.fixture(scope="session")
def postgres_template(kartoteka_postgres: PostgresDatabases) -> str:
    """A database with every test migration applied; each test copies it (fast)."""
    return kartoteka_postgres.template(SAMPLE_PLUGINS)


@pytest.fixture
def fresh_postgres(postgres_template: str, kartoteka_fresh_postgres: Callable[..., str]) -> Callable[[], str]:
    """Makes migrated PostgreSQL databases for one test and drops them afterwards."""
    return lambda: kartoteka_fresh_postgres(SAMPLE_PLUGINS)


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


async def make_user(runtime: Runtime, email: str, **options: Any) -> tuple[int, str]:
    """A staff user (roles, team, territories… as keyword arguments) and a token of theirs."""
    user = await make_staff_user(runtime, email, **options)
    return user.id, user.token


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
