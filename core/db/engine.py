"""Piccolo engines built from ``KARTOTEKA_DATABASE_URL``."""

from __future__ import annotations

import sqlite3
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from core.settings import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        prepare_sqlite_file(str(path))
        # `timeout` is sqlite3's busy timeout: writers wait for the lock instead of failing.
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    dsn = settings.database_url.replace("postgres://", "postgresql://", 1)
    return PostgresEngine(config={"dsn": dsn})


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
