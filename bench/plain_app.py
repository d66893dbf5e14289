"""The plain baseline for ``graphql_throughput.py``: Litestar JSON endpoints, no GraphQL.

It boots the same :class:`core.runtime.Runtime` from the same ``KARTOTEKA_*`` environment as the
real app, so Piccolo's tables point at the same database, and opens the PostgreSQL pool in its
lifespan exactly like ``core.app.create_app`` does (``runtime.start()``).

Serve it with ``uvicorn plain_app:create_app --factory --app-dir bench``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, get

from core.http import resolve_actor
from core.runtime import Runtime
from kartoteka_sample.tables import SampleNote

PAGE = 100


def create_app() -> Litestar:
    runtime = Runtime.boot(role="web")

    @get("/healthz")
    async def health() -> dict[str, Any]:
        await SampleNote.count()
        return {"status": "ok"}

    @get("/notes")
    async def notes() -> list[dict[str, Any]]:
        """The rows ``sampleNotes(first: 100) { edges { node { id text touched } } }`` returns."""
        return await (
            SampleNote.select(SampleNote.id, SampleNote.text, SampleNote.touched).order_by(SampleNote.id).limit(PAGE)
        )

    @get("/viewer")
    async def viewer(request: Request) -> dict[str, Any]:
        """What ``{ viewer { kind } }`` returns, with the actor resolved by the same plugin hook."""
        actor = await resolve_actor(request, runtime)
        return {"data": {"viewer": {"kind": actor.kind}}}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return Litestar(route_handlers=[health, notes, viewer], lifespan=[lifespan])
