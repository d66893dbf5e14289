"""Piccolo engines built from ``KARTOTEKA_DATABASE_URL``."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from core.db.values import escape_like
from core.settings import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        prepare_sqlite_file(str(path))
        # `timeout` is sqlite3's busy timeout: writers wait for the lock instead of failing.
        return KeptConnectionsSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    dsn = settings.database_url.replace("postgres://", "postgresql://", 1)
    return PostgresEngine(config={"dsn": dsn})


FOLD_FUNCTION = "kt_fold"


def fold(value: Any) -> str | None:
    """Text compared without regard to case, for every alphabet (``kt_fold`` in SQLite)."""
    return None if value is None else str(value).casefold()


def contains_text(expression: str, text: str, *args: Any, sqlite: bool) -> QueryString:
    """A where-clause: ``expression`` (SQL, ``{}`` for each of ``args``) contains ``text`` as
    written, ignoring case. SQLite's LIKE has no escape character unless told, and folds ASCII only."""
    pattern = f"%{escape_like(text)}%"
    if sqlite:
        return QueryString(f"{FOLD_FUNCTION}({expression}) LIKE {FOLD_FUNCTION}({{}}) ESCAPE '\\'", *args, pattern)
    return QueryString(f"{expression} ILIKE {{}}", *args, pattern)


class KeptConnectionsSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (and a thread) for every statement outside a
    transaction; a list request runs six. Once started (``Runtime.start``), this one keeps a few
    connections open and lends them out, as the PostgreSQL pool does. Transactions still get a
    connection of their own; WAL lets the kept readers work beside the one writer."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._kept: asyncio.Queue[aiosqlite.Connection] | None = None
        self._opened: list[aiosqlite.Connection] = []
        self._opening = 0
        self._size = 0

    async def get_connection(self) -> aiosqlite.Connection:
        connection = await super().get_connection()
        # SQLite's lower() and LIKE fold ASCII only; filters fold Polish letters with this.
        await connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)
        return connection

    async def start_connection_pool(self, max_size: int = 4, **_: Any) -> None:
        if self._kept is None:
            self._kept, self._size = asyncio.Queue(), max_size

    async def close_connection_pool(self) -> None:
        opened, self._opened, self._kept = self._opened, [], None
        for connection in opened:
            await connection.close()

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        kept = self._kept
        if kept is None or (query_type == "insert" and self.get_version_sync() < 3.35):
            return await super()._run_in_new_connection(query, args, query_type, table)
        if kept.empty() and self._opening + len(self._opened) < self._size:
            self._opening += 1  # counted before the await, or every waiting statement would open one
            try:
                connection = await self.get_connection()
            finally:
                self._opening -= 1
            self._opened.append(connection)
        else:
            connection = await kept.get()
        try:
            async with connection.execute(query, args or []) as cursor:
                rows = await cursor.fetchall()
            await connection.commit()
            return rows
        except BaseException:
            await connection.rollback()
            raise
        finally:
            if self._kept is kept:
                kept.put_nowait(connection)
            else:  # the pool closed meanwhile
                await connection.close()


def prepare_sqlite_file(path: str) -> None:
    """WAL lets readers and the single writer work at once; the mode is stored in the file."""
    connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    finally:
        connection.close()


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


async def release_without_reset(connection: Any) -> None:
    """Given to the asyncpg pool instead of its default reset, which sends ``RESET ALL``,
    ``UNLISTEN *``, ``CLOSE ALL`` and an advisory unlock on every release: a round trip per query,
    for session state Kartoteka never sets (no SET, LISTEN, cursors or advisory locks outside a
    transaction). A transaction left open by an error is still rolled back."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")
