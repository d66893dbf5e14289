"""``create_app()``: the ASGI application for the staff and portal GraphQL surfaces."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, ClassVar

import msgspec
from cross_web import HTTPException
from litestar import Litestar, Request, Response, Router, get
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, ServiceUnavailableException
from strawberry.litestar import make_graphql_controller

from core.admin_ui import admin_ui_routes
from core.db.tables import OutboxMessage
from core.graphql.compose import build_schema
from core.graphql.context import Context
from core.graphql.export import export_route
from core.http import BROWSER_PAGE_HEADERS, resolve_actor
from core.i18n import _, negotiate
from core.identity.routes import identity_routes
from core.identity.services import record_rejection
from core.jobs.inprocess import InProcessJobs
from core.plugins.specs import Surface
from core.runtime import Runtime
from core.settings import Settings

DEFAULT_MAX_BODY = 10_000_000  # Litestar's default request_max_body_size
# Who may use each GraphQL surface: the portal is for client and partner persons only.
SURFACE_ACTORS: dict[str, frozenset[str]] = {
    "staff": frozenset({"anonymous", "staff", "service", "system"}),
    "portal": frozenset({"anonymous", "portal", "partner"}),
}


def _sub_response() -> Response:
    """What ``info.context.response`` starts as (as in strawberry), made on the event loop:
    strawberry's own provider has ``sync_to_thread=True``, a thread-pool round trip per request."""
    return Response({}, background=BackgroundTasks([]))


async def _no_root_value(context: Any) -> None:
    """The root value is None. Taking ``context`` orders it after the context: Litestar resolves
    dependencies of the same level in an anyio task group, which costs more than they do."""
    return None


@lru_cache(maxsize=256)
def _locale(accept_language: str | None) -> str:
    return negotiate(accept_language)  # Babel's negotiation takes about 12 µs; browsers repeat the header


def _context_getter(runtime: Runtime, surface: Surface) -> Callable[[Request, Response | None], Awaitable[Context]]:
    # Takes ``response`` so that the dependencies form one chain (response → this → context →
    # root value): see _no_root_value.
    async def context_getter(request: Request, response: Response | None) -> Context:
        actor = await resolve_actor(request, runtime)
        if actor.kind not in SURFACE_ACTORS[surface]:
            await record_rejection(
                runtime,
                surface,
                "invalid_token",
                f"{actor.kind} actor",
                "",
                request.client.host if request.client else "",
            )
            raise NotAuthorizedException(
                detail=f"The {surface} API does not accept {actor.kind} credentials.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Context(
            request=request,
            response=response,
            runtime=runtime,
            actor=actor,
            surface=surface,
            locale=_locale(request.headers.get("accept-language")),
        )

    return context_getter


# A browser sends a multipart/form-data POST from any site (a plain HTML form) without a CORS
# preflight. Our tokens travel in the Authorization header, which no form can set, so such a
# request would be anonymous today; but a plugin may sign actors in some other way (a cookie, the
# network), and then a forged form could run a mutation. So, as strawberry advises when uploads are
# enabled, a multipart request must also carry a header that only a preflighted request can have.
PREFLIGHT_HEADERS = frozenset({"authorization", "x-kartoteka-csrf", "apollo-require-preflight"})


# The page headers of the other HTML pages (no framing by another site), and a policy that lets
# GraphiQL load only its own scripts from unpkg (pinned by strawberry with integrity hashes) and
# talk only to this server.
GRAPHIQL_HEADERS = {
    "Cache-Control": "no-store",
    **BROWSER_PAGE_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline' https://unpkg.com; "
        "style-src 'unsafe-inline' https://unpkg.com; font-src https://unpkg.com data:; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}


def _graphql_controller(runtime: Runtime, surface: Surface, path: str) -> type:
    schema = build_schema(runtime, surface)
    context_getter = _context_getter(runtime, surface)

    base = make_graphql_controller(
        schema,
        path=path,
        context_getter=context_getter,
        graphql_ide=None if runtime.settings.is_production else "graphiql",
        allow_queries_via_get=False,  # a GET must never change data, and GET responses get cached
        # No subscriptions exist; WebSocket operations would bypass GuardedSchema.execute (cost, deadline).
        subscription_protocols=(),
        multipart_uploads_enabled=surface == "staff",  # CSV imports (core/imports/graphql/types.py)
    )

    class GraphQLController(base):  # type: ignore[valid-type,misc]
        dependencies: ClassVar[dict[str, Provide]] = {
            **base.dependencies,
            "response": Provide(_sub_response, sync_to_thread=False),
            "root_value": Provide(_no_root_value),
        }

        # The multipart envelope (operations, map) on top of the largest file an import takes.
        request_max_body_size = max(DEFAULT_MAX_BODY, runtime.settings.import_max_bytes + 64 * 1024)

        async def parse_multipart(self, request: Any) -> dict[str, str]:
            if not PREFLIGHT_HEADERS & {name.lower() for name in request.headers}:
                message = _("A multipart request must also send an Authorization or x-kartoteka-csrf header.")
                raise HTTPException(
                    400, runtime.translator.text(_locale(request.headers.get("accept-language")), message)
                )
            return await super().parse_multipart(request)

        async def render_graphql_ide(self, request: Any) -> Response[str]:
            return Response(self.graphql_ide_html, media_type="text/html", headers=GRAPHIQL_HEADERS)

        def encode_json(self, data: object) -> bytes:
            # The same JSON as strawberry's json.dumps, about ten times faster; non-ASCII text is
            # sent as UTF-8 instead of \u escapes, as Litestar does for every other response.
            return msgspec.json.encode(data)

    return GraphQLController


def _plugin_runtime_of(runtime: Runtime, plugin: str) -> Provide:
    def plugin_runtime() -> Any:
        return runtime.for_plugin(plugin)

    return Provide(plugin_runtime, sync_to_thread=False)


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

    staff = _graphql_controller(runtime, "staff", "/graphql")
    # The core's routes take attachments up to their own limit; other plugins keep Litestar's default.
    attachment_body = {
        "request_max_body_size": max(DEFAULT_MAX_BODY, runtime.settings.max_attachment_bytes + 64 * 1024)
    }
    # A route takes its own plugin's PluginRuntime as a ``plugin_runtime`` argument.
    plugin_routers = [
        Router(
            path=f"/plugins/{plugin}",
            route_handlers=handlers,
            dependencies={"plugin_runtime": _plugin_runtime_of(runtime, plugin)},
            **(attachment_body if plugin == "core" else {}),
        )
        for plugin, handlers in runtime.registry.routes
    ]
    app = Litestar(
        route_handlers=[
            health,
            staff,
            export_route(staff.schema, _context_getter(runtime, "staff")),
            _graphql_controller(runtime, "portal", "/portal/graphql"),
            *identity_routes(runtime),
            *admin_ui_routes(runtime.settings),
            *plugin_routers,
        ],
        lifespan=[lifespan],
        debug=runtime.settings.debug,
    )
    app.state.runtime = runtime
    app.state.kartoteka_lifespan = lifespan  # tests run it on their own loop and task
    return app
