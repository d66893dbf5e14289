"""The core's own contributions, registered through the same hooks every plugin uses."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotAuthorizedException

from core.auth import Actor
from core.plugins.hookspecs import hookimpl
from core.plugins.specs import LoaderSpec, Permission, Plugin, PluginInfo, RoleTemplate, Surface, TypeExtension

BEARER = "bearer "


class CorePlugin(Plugin):
    info = PluginInfo(description="Kartoteka core: plugin host, event bus, jobs and GraphQL.")

    @hookimpl
    def kartoteka_piccolo_apps(self) -> list[str]:
        return ["core.db.piccolo_app"]

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.system.read", "See the version, deployment shape and enabled plugins."),
            Permission("core.jobs.read", "See failed background deliveries (the dead-letter list)."),
            Permission("core.jobs.manage", "Retry failed background deliveries."),
            Permission("core.user.read", "See staff users, roles, teams and territories."),
            Permission("core.user.manage", "Create and change staff users, teams and territories."),
            Permission("core.role.manage", "Create and change roles and what they grant."),
        ]

    @hookimpl
    def kartoteka_role_templates(self) -> list[RoleTemplate]:
        return [
            RoleTemplate("administrator", "Every permission of every enabled plugin, on all records.", ("*",), "all"),
            RoleTemplate(
                "operator",
                "Runs the installation: deployment information and failed background work.",
                ("core.system.read", "core.jobs.read", "core.jobs.manage"),
                "all",
            ),
        ]

    @hookimpl
    async def kartoteka_actor_from_request(self, request: Any, runtime: Any) -> Actor | None:
        """Personal access tokens: ``Authorization: Bearer kt_…``."""
        from core.access.services import InvalidToken, actor_for_token

        header = request.headers.get("authorization", "")
        if not header.lower().startswith(BEARER):
            return None
        try:
            return await actor_for_token(runtime, header[len(BEARER) :].strip())
        except InvalidToken:
            raise NotAuthorizedException(
                detail="Invalid, expired or revoked access token.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None

    @hookimpl
    def kartoteka_dataloaders(self) -> list[LoaderSpec]:
        from core.graphql import access_types as types

        return [
            LoaderSpec(name="core.team", batch=types.load_teams),
            LoaderSpec(name="core.territory", batch=types.load_territories),
            LoaderSpec(name="core.roles_by_user", batch=types.load_roles_by_user),
            LoaderSpec(name="core.territories_by_user", batch=types.load_territories_by_user),
        ]

    @hookimpl
    def kartoteka_graphql_type_extensions(self, surface: Surface) -> list[TypeExtension]:
        from core.graphql.access_types import ViewerAccessFields

        return [TypeExtension(target="Viewer", fields=ViewerAccessFields)] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_types(self, surface: Surface) -> list[type]:
        from core.graphql.core_types import Viewer

        return [Viewer]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.graphql.access_types import AccessQuery
        from core.graphql.core_types import make_queries

        return [make_queries(surface), AccessQuery] if surface == "staff" else [make_queries(surface)]

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.graphql.access_types import AccessMutation
        from core.graphql.core_types import CoreMutation

        return [CoreMutation, AccessMutation] if surface == "staff" else []
