"""The root queries of identity (OAuth clients, portal accounts, sign-in security)."""

import strawberry
from strawberry import relay

from core.access.graphql.types import maximum
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import field
from core.identity import accounts, clients
from core.identity.graphql.types import OAuthClientNode, PortalAccountNode, _client_node, _client_query
from core.identity.tables import OAuthClient, PortalAccount


@strawberry.type
class IdentityQuery:
    @field(permission=clients.CLIENT_MANAGE, description="Registered OAuth clients, oldest first.")
    async def oauth_clients(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[OAuthClientNode]:
        return await paginate_by_id(
            _client_query().output(load_json=True),
            OAuthClient.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=_client_node,
        )

    @field(permission=accounts.PORTAL_ACCOUNT_MANAGE, description="Portal accounts, oldest first.")
    async def portal_accounts(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[PortalAccountNode]:
        query = PortalAccount.select(
            *PortalAccount.all_columns(exclude=[PortalAccount.password_hash, PortalAccount.totp_secret])
        ).output(load_json=True)
        return await paginate_by_id(
            query, PortalAccount.id, first=first, after=after, maximum=maximum(info), to_node=PortalAccountNode.from_row
        )
