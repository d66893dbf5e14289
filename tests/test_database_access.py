"""The request path's database access: kept SQLite connections and written-out reads."""

import asyncio

from core.access.tables import User
from core.db.fetch import _numbered, fetch
from core.runtime import SQLITE_KEPT_CONNECTIONS


def test_placeholders_are_numbered_for_asyncpg():
    assert _numbered("SELECT 1") == "SELECT 1"
    assert _numbered("SELECT a FROM t WHERE b = {} AND c IN ({}, {})") == (
        "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
    )


async def test_reads_run_alike_with_and_without_the_pool(runtime, engine_kind):
    sql = "SELECT COUNT(*) AS n FROM core_user WHERE id > {}"
    before = [dict(row) for row in await fetch(User, sql, 0)]  # not started: through Piccolo
    await runtime.start()
    try:
        started = [dict(row) for row in await fetch(User, sql, 0)]
        async with runtime.engine.transaction():  # a transaction's statements stay on its connection
            inside = [dict(row) for row in await fetch(User, sql, 0)]
    finally:
        await runtime.stop()
    assert before == started == inside == [{"n": 0}]


async def test_sqlite_keeps_a_few_connections_and_closes_them(runtime, engine_kind):
    if engine_kind != "sqlite":
        return
    engine = runtime.engine
    await runtime.start()
    try:
        results = await asyncio.gather(*(User.raw("SELECT {} AS n", n) for n in range(20)))
        opened = list(engine._opened)
    finally:
        await runtime.stop()  # an open aiosqlite connection's thread would keep the process alive
    assert [rows[0]["n"] for rows in results] == list(range(20))
    assert 1 <= len(opened) <= SQLITE_KEPT_CONNECTIONS
    assert engine._opened == []
    assert all(connection._connection is None for connection in opened)  # closed, their threads ended
    assert (await User.raw("SELECT 7 AS n"))[0]["n"] == 7  # and without them, as before
