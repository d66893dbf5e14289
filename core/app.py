"""``create_app()``: the ASGI application for the staff and portal GraphQL surfaces."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

from litestar import Litestar, Request, Response, Router, get
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.exceptions import ServiceUnavailableException
from strawberry.litestar import make_graphql_controller

from core.auth import ANONYMOUS, Actor
from core.db.tables import OutboxMessage
from core.graphql.compose import build_schema
from core.graphql.context import Context
from core.i18n import negotiate
from core.jobs.inprocess import InProcessJobs
from core.plugins.specs import Surface
from core.runtime import Runtime
from core.settings import Settings


async def resolve_actor(request: Request, runtime: Runtime) -> Actor:
    found = runtime.plugins.manager.hook.kartoteka_actor_from_request(request=request, runtime=runtime)
    if inspect.isawaitable(found):
        found = await found
    return found or ANONYMOUS


def _sub_response() -> Response:
    return Response({}, background=BackgroundTasks([]))


def _graphql_controller(runtime: Runtime, surface: Surface, path: str) -> type:
    schema = build_schema(runtime, surface)

    async def context_getter(request: Request) -> Context:
        return Context(
            request=request,
            runtime=runtime,
            actor=await resolve_actor(request, runtime),
            surface=surface,
            locale=negotiate(request.headers.get("accept-language")),
        )

    controller = make_graphql_controller(
        schema,
        path=path,
        context_getter=context_getter,
        graphql_ide=None if runtime.settings.is_production else "graphiql",
        allow_queries_via_get=False,  # a GET must never change data, and GET responses get cached
    )

    class GraphQLController(controller):
        dependencies: ClassVar[dict[str, Provide]] = {
            **controller.dependencies,
            "response": Provide(_sub_response, sync_to_thread=False),
        }

    return GraphQLController


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, run_jobs: bool | None = None
) -> Litestar:
    """Build the app. Jobs run in-process when the broker is in memory (embedded shape)."""
    runtime = runtime or Runtime.boot(settings, role="web")
    run_jobs = runtime.settings.broker_in_memory if run_jobs is None else run_jobs

    @get("/healthz", include_in_schema=False)
    async def health() -> dict[str, Any]:
        try:
            await OutboxMessage.count()
        except Exception:
            raise ServiceUnavailableException("database unreachable") from None
        return {"status": "ok"}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        jobs = InProcessJobs(runtime) if run_jobs else None
        await runtime.start()
        if jobs:
            await jobs.start()
        app.state.jobs = jobs
        try:
            yield
        finally:
            if jobs:
                await jobs.stop()
            await runtime.stop()

    plugin_routers = [
        Router(path=f"/plugins/{plugin}", route_handlers=handlers) for plugin, handlers in runtime.registry.routes
    ]
    app = Litestar(
        route_handlers=[
            health,
            _graphql_controller(runtime, "staff", "/graphql"),
            _graphql_controller(runtime, "portal", "/portal/graphql"),
            *plugin_routers,
        ],
        lifespan=[lifespan],
        debug=runtime.settings.debug,
    )
    app.state.runtime = runtime
    app.state.kartoteka_lifespan = lifespan  # tests run it on their own loop and task
    return app
