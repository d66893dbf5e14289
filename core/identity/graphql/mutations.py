"""The mutations of identity (OAuth clients, portal accounts, sign-in security), with their inputs and payloads."""

from typing import Any

import strawberry
from strawberry import relay

from core.access.graphql.types import UserNode, _node, attempt, decode_id
from core.access.services import USER_MANAGE
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.permissions import AUTHENTICATED, mutation
from core.identity import accounts, clients
from core.identity import services as identity
from core.identity.graphql.types import OAuthClientNode, PortalAccountNode, _client


@strawberry.input
class OAuthClientCreateInput:
    name: str
    audience: str = "staff"
    confidential: bool = True
    redirect_uris: list[str] = strawberry.field(default_factory=list)
    grant_types: list[str] = strawberry.field(default_factory=lambda: ["authorization_code", "refresh_token"])
    scopes: list[str] = strawberry.field(default_factory=list)
    skip_consent: bool = False


@strawberry.input
class OAuthClientUpdateInput:
    name: str | None = None
    redirect_uris: list[str] | None = None
    grant_types: list[str] | None = None
    scopes: list[str] | None = None
    skip_consent: bool | None = None
    is_active: bool | None = None


@strawberry.type
class OAuthClientPayload:
    client: OAuthClientNode | None
    client_secret: str | None = strawberry.field(description="Shown once, when created or rotated; store it safely.")
    user_errors: list[UserError]


@strawberry.input
class PortalAccountInviteInput:
    person: relay.GlobalID = strawberry.field(description="The person's global id.")
    company: relay.GlobalID | None = strawberry.field(
        default=None, description="The company's global id; default: the person's first employer."
    )
    email: str | None = strawberry.field(default=None, description="Default: the person's primary e-mail address.")
    rights: list[str] = strawberry.field(default_factory=lambda: ["browse"])
    is_admin: bool = False
    kind: str = "client"


@strawberry.input
class PortalAccountUpdateInput:
    rights: list[str] | None = None
    is_admin: bool | None = None
    is_active: bool | None = None


@strawberry.type
class PortalAccountPayload:
    account: PortalAccountNode | None
    user_errors: list[UserError]


@strawberry.type
class UserLockPayload:
    user: UserNode | None
    user_errors: list[UserError]


@strawberry.type
class TotpPayload:
    enabled: bool
    user_errors: list[UserError]


async def _totp(
    info: strawberry.Info, secret: str | None, code: str = "", user_id: int | None = None, current_code: str = ""
) -> TotpPayload:
    _, errors = await attempt(
        accounts.set_totp(info.context.runtime, info.context.actor, secret, code, user_id, current_code)
    )
    return TotpPayload(enabled=secret is not None and not errors, user_errors=errors)


@strawberry.type(description="One-time codes (TOTP) for the signed-in person's own account.")
class TotpMutation:
    @mutation(
        permission=AUTHENTICATED,
        description="Require a one-time code at sign-in: send a new base32 secret and a code it generates now.",
    )
    async def viewer_totp_enable(
        self, info: strawberry.Info, secret: str, code: str, current_code: str = ""
    ) -> TotpPayload:
        return await _totp(info, secret, code, current_code=current_code)

    @mutation(
        permission=AUTHENTICATED,
        description="Stop asking for a one-time code at sign-in; needs a code from the current secret.",
    )
    async def viewer_totp_disable(self, info: strawberry.Info, current_code: str) -> TotpPayload:
        return await _totp(info, None, current_code=current_code)


@strawberry.type
class IdentityMutation(TotpMutation):
    @mutation(permission=clients.CLIENT_MANAGE, description="Register an OAuth client; its secret is shown once.")
    async def oauth_client_create(self, info: strawberry.Info, input: OAuthClientCreateInput) -> OAuthClientPayload:
        ctx = info.context
        created, errors = await attempt(
            clients.create_client(
                ctx.runtime,
                ctx.actor,
                name=input.name,
                audience=input.audience,
                confidential=input.confidential,
                redirect_uris=input.redirect_uris,
                grant_types=input.grant_types,
                scopes=input.scopes,
                skip_consent=input.skip_consent,
            )
        )
        row_id, _client_id, secret = created if created else (None, None, None)
        return OAuthClientPayload(client=await _client(info, row_id), client_secret=secret, user_errors=errors)

    @mutation(
        permission=clients.CLIENT_MANAGE, description="Change a client's redirect URIs, grants, scopes or status."
    )
    async def oauth_client_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: OAuthClientUpdateInput
    ) -> OAuthClientPayload:
        ctx = info.context

        async def update() -> int:
            row_id = decode_id(id, "OAuthClientNode", ["id"])
            await clients.update_client(
                ctx.runtime,
                ctx.actor,
                row_id,
                name=input.name,
                redirect_uris=input.redirect_uris,
                grant_types=input.grant_types,
                scopes=input.scopes,
                skip_consent=input.skip_consent,
                is_active=input.is_active,
            )
            return row_id

        row_id, errors = await attempt(update())
        return OAuthClientPayload(client=await _client(info, row_id), client_secret=None, user_errors=errors)

    @mutation(
        permission=clients.CLIENT_MANAGE, description="Give a confidential client a new secret; the old one stops."
    )
    async def oauth_client_rotate_secret(self, info: strawberry.Info, id: relay.GlobalID) -> OAuthClientPayload:
        ctx = info.context

        async def rotate() -> tuple[int, str]:
            row_id = decode_id(id, "OAuthClientNode", ["id"])
            return row_id, await clients.rotate_client_secret(ctx.runtime, ctx.actor, row_id)

        rotated, errors = await attempt(rotate())
        row_id, secret = rotated if rotated else (None, None)
        return OAuthClientPayload(client=await _client(info, row_id), client_secret=secret, user_errors=errors)

    @mutation(
        permission=accounts.PORTAL_ACCOUNT_MANAGE,
        description="Give a person of the CRM a portal account and e-mail them an invitation.",
    )
    async def portal_account_invite(
        self, info: strawberry.Info, input: PortalAccountInviteInput
    ) -> PortalAccountPayload:
        return await _invite(info, input)

    @mutation(permission=accounts.PORTAL_ACCOUNT_MANAGE, description="Change a portal account's rights or status.")
    async def portal_account_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: PortalAccountUpdateInput
    ) -> PortalAccountPayload:
        ctx = info.context

        async def update() -> int:
            account_id = decode_id(id, "PortalAccountNode", ["id"])
            await accounts.update_portal_account(
                ctx.runtime,
                ctx.actor,
                account_id,
                rights=input.rights,
                is_admin=input.is_admin,
                is_active=input.is_active,
            )
            return account_id

        account_id, errors = await attempt(update())
        return PortalAccountPayload(account=await _node(PortalAccountNode, info, account_id), user_errors=errors)

    @mutation(
        permission=accounts.PORTAL_ACCOUNT_MANAGE,
        description="Lock a portal account: it cannot sign in and its tokens stop at once.",
    )
    async def portal_account_lock(self, info: strawberry.Info, id: relay.GlobalID) -> PortalAccountPayload:
        return await _portal_lock(info, id, True)

    @mutation(permission=accounts.PORTAL_ACCOUNT_MANAGE, description="Unlock a portal account.")
    async def portal_account_unlock(self, info: strawberry.Info, id: relay.GlobalID) -> PortalAccountPayload:
        return await _portal_lock(info, id, False)

    @mutation(permission=USER_MANAGE, description="Lock a staff user: no sign-in, and their tokens stop at once.")
    async def user_lock(self, info: strawberry.Info, id: relay.GlobalID) -> UserLockPayload:
        return await _user_lock(info, id, True)

    @mutation(permission=USER_MANAGE, description="Turn off a staff user's one-time codes (a lost phone).")
    async def user_totp_reset(self, info: strawberry.Info, id: relay.GlobalID) -> TotpPayload:
        try:
            user_id = decode_id(id, "UserNode", ["id"])
        except DomainError as error:
            return TotpPayload(enabled=False, user_errors=[UserError.from_domain(error)])
        return await _totp(info, None, user_id=user_id)

    @mutation(permission=USER_MANAGE, description="Unlock a staff user (also forgets their failed sign-ins).")
    async def user_unlock(self, info: strawberry.Info, id: relay.GlobalID) -> UserLockPayload:
        return await _user_lock(info, id, False)


async def _invite(info: strawberry.Info, input: PortalAccountInviteInput) -> PortalAccountPayload:
    ctx = info.context

    async def invite() -> Any:
        return await accounts.invite_portal_person(
            ctx.runtime,
            ctx.actor,
            person_id=decode_id(input.person, "Person", ["input", "person"]),
            company_id=None if input.company is None else decode_id(input.company, "Company", ["input", "company"]),
            email=input.email,
            rights=input.rights,
            is_admin=input.is_admin,
            kind=input.kind,
            locale=ctx.locale,
        )

    invitation, errors = await attempt(invite())
    account_id = invitation.account_id if invitation else None
    account = (await PortalAccountNode.resolve_nodes(info=info, node_ids=[account_id]))[0] if account_id else None
    return PortalAccountPayload(account=account, user_errors=errors)


async def _portal_lock(info: strawberry.Info, id: relay.GlobalID, locked: bool) -> PortalAccountPayload:
    ctx = info.context

    async def change() -> int:
        account_id = decode_id(id, "PortalAccountNode", ["id"])
        await accounts.set_lock(ctx.runtime, ctx.actor, "portal", account_id, locked)
        return account_id

    account_id, errors = await attempt(change())
    return PortalAccountPayload(account=await _node(PortalAccountNode, info, account_id), user_errors=errors)


async def _user_lock(info: strawberry.Info, id: relay.GlobalID, locked: bool) -> UserLockPayload:
    ctx = info.context

    async def change() -> int:
        user_id = decode_id(id, "UserNode", ["id"])
        await accounts.set_lock(ctx.runtime, ctx.actor, "staff", user_id, locked)
        return user_id

    user_id, errors = await attempt(change())
    return UserLockPayload(user=await _node(UserNode, info, user_id), user_errors=errors)


@strawberry.type(description="Invitations by a client's own portal administrator.")
class PortalIdentityMutation(TotpMutation):
    @mutation(
        permission=identity.PORTAL_ADMIN,
        description="Invite a colleague of your company to the portal, with no more rights than yours.",
    )
    async def portal_account_invite(
        self, info: strawberry.Info, input: PortalAccountInviteInput
    ) -> PortalAccountPayload:
        return await _invite(info, input)
