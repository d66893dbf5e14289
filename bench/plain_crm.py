"""The limit for ``crm_list.py``: a plain Litestar handler, one SQL statement, asyncpg, orjson.

``GET /companies`` answers what the administrator's
``companies(first: 50) { edges { node { id name nip customFields owner { id displayName } tags
lastActivity { kind title occurredAt } } } }`` answers, byte for byte in content (the same
global ids, the same order: ``sort_name, id``), from one statement with LATERAL joins. No
GraphQL, no Piccolo, no authentication: the floor under any server answering this page.

Serve it with ``KARTOTEKA_DATABASE_URL=postgresql://… uvicorn plain_crm:create_app --factory --app-dir bench``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from litestar import Litestar, Response, get

PAGE = 50
POOL_SIZE = 10  # as the app's KARTOTEKA_DATABASE_POOL_SIZE default
PAGE_SQL = """
SELECT c.id, c.name, c.nip, c.custom, u.id AS owner_id, u.display_name AS owner_name, t.tags,
       a.kind AS activity_kind, a.subject AS activity_subject, a.occurred_at AS activity_at
FROM core_company c
LEFT JOIN core_user u ON u.id = c.owner
LEFT JOIN LATERAL (
    SELECT array_agg(g.name) AS tags
    FROM core_company_tag ct JOIN core_tag g ON g.id = ct.tag
    WHERE ct.company = c.id
) t ON true
LEFT JOIN LATERAL (
    SELECT e.kind, e.subject, e.occurred_at
    FROM core_timeline_entry e
    WHERE e.company = c.id
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT 1
) a ON true
WHERE c.deleted_at IS NULL
ORDER BY c.sort_name, c.id
LIMIT $1
"""


def global_id(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def node(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": global_id("Company", row["id"]),
        "name": row["name"],
        "nip": row["nip"],
        "customFields": row["custom"],
        "owner": None
        if row["owner_id"] is None
        else {"id": global_id("UserNode", row["owner_id"]), "displayName": row["owner_name"]},
        # Sorted as Kartoteka sorts them (case-insensitively, in Python).
        "tags": sorted(row["tags"] or (), key=str.casefold),
        "lastActivity": None
        if row["activity_kind"] is None
        else {
            "kind": row["activity_kind"],
            "title": row["activity_subject"],
            "occurredAt": row["activity_at"].isoformat(),
        },
    }


def create_app() -> Litestar:
    dsn = os.environ["KARTOTEKA_DATABASE_URL"]
    state: dict[str, asyncpg.Pool] = {}

    async def init(connection: asyncpg.Connection) -> None:
        await connection.set_type_codec("jsonb", encoder=orjson.dumps, decoder=orjson.loads, schema="pg_catalog")

    @get("/healthz")
    async def health() -> Response[bytes]:
        await state["pool"].fetchval("SELECT 1")
        return Response(b'{"status":"ok"}', media_type="application/json")

    @get("/companies")
    async def companies() -> Response[bytes]:
        rows = await state["pool"].fetch(PAGE_SQL, PAGE)
        body = {"data": {"companies": {"edges": [{"node": node(row)} for row in rows]}}}
        return Response(orjson.dumps(body), media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE, init=init)
        try:
            yield
        finally:
            await state["pool"].close()

    return Litestar(route_handlers=[health, companies], lifespan=[lifespan])
