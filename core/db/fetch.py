"""Read statements of the request path, written out in SQL with ``{}`` placeholders.

On PostgreSQL they go straight to the asyncpg pool: Piccolo's ``raw`` builds a query string and
turns every row into a dict, which costs more than the statement itself for the few small reads
each request makes (the token, owners, tags, latest entries). Inside a transaction, on SQLite, or
before the pool is open, they go through Piccolo as before. Rows are read by column name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """``{}`` placeholders as asyncpg's ``$1, $2 …``."""
    parts = sql.split("{}")
    return "".join(part + (f"${index}" if index < len(parts) else "") for index, part in enumerate(parts, 1))


async def fetch(table: Any, sql: str, *args: Any) -> Sequence[Mapping[str, Any]]:
    """Run ``sql`` on the database of ``table`` (for which engine)."""
    engine = table._meta.db
    pool = getattr(engine, "pool", None)
    if pool is None or engine.transaction_exists():
        return await table.raw(sql, *args)
    async with pool.acquire() as connection:
        return await connection.fetch(_numbered(sql), *args)
