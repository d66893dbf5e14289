"""Identity as a built-in plugin: the OAuth 2.1 / OpenID Connect server, OAuth clients, portal
accounts and the bearer tokens (personal access tokens and OAuth access tokens) of requests."""

from __future__ import annotations

from typing import Any

from core.auth import Actor
from core.plugins.hookspecs import hookimpl
from core.plugins.specs import Permission, Plugin, PluginInfo, Surface

BEARER = "bearer "


class IdentityPlugin(Plugin):
    info = PluginInfo(description="Sign-in: OAuth 2.1 / OpenID Connect, OAuth clients and portal accounts.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.oauth_client.manage", "Register OAuth clients, change them and rotate their secrets."),
            Permission("core.portal_account.manage", "Invite persons to the portal, set their rights, lock them."),
            Permission("core.portal.admin", "A client's portal administrator: invites colleagues (portal accounts)."),
        ]

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.identity.events import EVENT_TYPES

        return list(EVENT_TYPES)

    @hookimpl
    async def kartoteka_actor_from_request(self, request: Any, runtime: Any) -> Actor | None:
        """Personal access tokens (``Bearer kt_…``) and OAuth access tokens (JWTs) of this server."""
        from core.access.services import TOKEN_PREFIX, InvalidToken, actor_for_token
        from core.identity.services import TokenRejected, actor_for_access_token, record_rejection

        header = request.headers.get("authorization", "")
        if not header.lower().startswith(BEARER):
            return None
        token = header[len(BEARER) :].strip()
        try:
            if token.startswith(TOKEN_PREFIX):
                return await actor_for_token(runtime, token)
            # Each API is its own audience: a portal token never opens the staff API, nor the reverse.
            audience = "portal" if request.url.path.startswith("/portal/") else "staff"
            return await actor_for_access_token(runtime, token, audience)
        except (InvalidToken, TokenRejected) as error:
            reason = getattr(error, "reason", "personal access token")
            address = request.client.host if request.client else ""
            await record_rejection(runtime, "api", "invalid_token", reason, "", address)
            from litestar.exceptions import NotAuthorizedException  # only a web process gets here

            raise NotAuthorizedException(
                detail="Invalid, expired or revoked access token.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.identity.graphql.queries import IdentityQuery

        return [IdentityQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.identity.graphql.mutations import IdentityMutation, PortalIdentityMutation

        return [IdentityMutation] if surface == "staff" else [PortalIdentityMutation]

    @hookimpl
    def kartoteka_cli_commands(self) -> list:
        from core.identity.cli import keys, oauth_client

        return [keys, oauth_client]
