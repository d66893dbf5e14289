"""The mutations of process rules and webhooks, with their inputs and payloads."""

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import attempt, decode_id
from core.graphql.errors import UserError
from core.graphql.permissions import mutation
from core.rules import services as rule_services
from core.rules.graphql import ids as rule_ids
from core.rules.graphql.types import (
    ENDPOINT_TYPE,
    RULE_TYPE,
    RuleNode,
    WebhookDeliveryType,
    WebhookEndpointNode,
    _endpoint,
    _rule,
    _with_id,
)
from core.rules.tables import Rule, WebhookDelivery


@strawberry.input
class RuleCreateInput:
    name: str
    event_type: str = strawberry.field(description="A name from eventTypes, e.g. sales.opportunity.won.")
    conditions: JSON | None = strawberry.field(default=None, description="None or {} runs on every such event.")
    actions: JSON = strawberry.field(description="A list of actions (see docs/rules.md).")
    enabled: bool = True


@strawberry.input(description="What to change; absent fields stay as they are.")
class RuleUpdateInput:
    name: str | None = None
    event_type: str | None = None
    conditions: JSON | None = None
    actions: JSON | None = None
    enabled: bool | None = None


@strawberry.type
class RulePayload:
    rule: RuleNode | None
    user_errors: list[UserError]


@strawberry.type
class RuleDeletePayload:
    deleted_rule_id: relay.GlobalID | None
    user_errors: list[UserError]


@strawberry.input
class WebhookEndpointCreateInput:
    name: str
    url: str = strawberry.field(description="https:// in production; http:// is accepted elsewhere.")


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpointNode | None
    secret: str | None = strawberry.field(description="whsec_…: shown once, when created or rotated; store it safely.")
    user_errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None
    user_errors: list[UserError]


@strawberry.type
class RuleMutation:
    @mutation(permission=rule_services.RULE_MANAGE, description="Define a rule; it runs for events from now on.")
    async def rule_create(self, info: strawberry.Info, input: RuleCreateInput) -> RulePayload:
        ctx = info.context

        async def create() -> int:
            event_type = ctx.runtime.registry.event_types.get(input.event_type)
            return await rule_services.create_rule(
                ctx.runtime,
                ctx.actor,
                name=input.name,
                event_type=input.event_type,
                conditions=rule_ids.conditions_in(input.conditions, event_type),
                actions=rule_ids.actions_in(input.actions),
                enabled=input.enabled,
            )

        rule_id, errors = await attempt(create())
        return RulePayload(rule=await _rule(info, rule_id), user_errors=errors)

    @mutation(permission=rule_services.RULE_MANAGE, description="Change a rule, or enable / disable it.")
    async def rule_update(self, info: strawberry.Info, id: relay.GlobalID, input: RuleUpdateInput) -> RulePayload:
        ctx = info.context

        async def update(rule_id: int) -> int:
            name = input.event_type
            if name is None:
                current = await Rule.select(Rule.event_type).where(Rule.id == rule_id).first()
                name = current["event_type"] if current else ""
            event_type = ctx.runtime.registry.event_types.get(name)
            await rule_services.update_rule(
                ctx.runtime,
                ctx.actor,
                rule_id,
                name=input.name,
                event_type=input.event_type,
                conditions=rule_ids.conditions_in(input.conditions, event_type),
                actions=None if input.actions is None else rule_ids.actions_in(input.actions),
                enabled=input.enabled,
            )
            return rule_id

        rule_id, errors = await attempt(_with_id(id, RULE_TYPE, update))
        return RulePayload(rule=await _rule(info, rule_id), user_errors=errors)

    @mutation(permission=rule_services.RULE_MANAGE, description="Delete a rule and its run log.")
    async def rule_delete(self, info: strawberry.Info, id: relay.GlobalID) -> RuleDeletePayload:
        async def delete(rule_id: int) -> int:
            await rule_services.delete_rule(info.context.runtime, info.context.actor, rule_id)
            return rule_id

        deleted, errors = await attempt(_with_id(id, RULE_TYPE, delete))
        return RuleDeletePayload(deleted_rule_id=id if deleted is not None else None, user_errors=errors)

    @mutation(
        permission=rule_services.RULE_MANAGE, description="Register a webhook endpoint; its secret is shown once."
    )
    async def webhook_endpoint_create(
        self, info: strawberry.Info, input: WebhookEndpointCreateInput
    ) -> WebhookEndpointPayload:
        ctx = info.context
        created, errors = await attempt(
            rule_services.create_endpoint(ctx.runtime, ctx.actor, name=input.name, url=input.url)
        )
        endpoint_id, secret = created if created else (None, None)
        return WebhookEndpointPayload(endpoint=await _endpoint(info, endpoint_id), secret=secret, user_errors=errors)

    @mutation(
        permission=rule_services.RULE_MANAGE, description="A new signing secret, shown once; the old one stops at once."
    )
    async def webhook_endpoint_rotate_secret(self, info: strawberry.Info, id: relay.GlobalID) -> WebhookEndpointPayload:
        async def rotate(endpoint_id: int) -> tuple[int, str]:
            return endpoint_id, await rule_services.rotate_endpoint_secret(
                info.context.runtime, info.context.actor, endpoint_id
            )

        rotated, errors = await attempt(_with_id(id, ENDPOINT_TYPE, rotate))
        endpoint_id, secret = rotated if rotated else (None, None)
        return WebhookEndpointPayload(endpoint=await _endpoint(info, endpoint_id), secret=secret, user_errors=errors)

    @mutation(
        permission=rule_services.RULE_MANAGE, description="Send a failed webhook delivery again (same id and body)."
    )
    async def webhook_delivery_retry(self, info: strawberry.Info, id: relay.GlobalID) -> WebhookDeliveryPayload:
        async def retry() -> int:
            delivery_id = decode_id(id, "WebhookDeliveryType", ["id"])
            await rule_services.retry_delivery(info.context.runtime, info.context.actor, delivery_id)
            return delivery_id

        delivery_id, errors = await attempt(retry())
        row = (
            await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()
            if delivery_id is not None
            else None
        )
        return WebhookDeliveryPayload(delivery=WebhookDeliveryType.from_row(row) if row else None, user_errors=errors)
