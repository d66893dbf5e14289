"""GraphQL of process rules and outbound webhooks (staff surface).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import attempt, decode_id, maximum
from core.graphql.errors import UserError
from core.graphql.ids import global_id, id_of
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import field, mutation
from core.plugins.specs import owner_of
from core.rules import services as rule_services
from core.rules.conditions import OPERATORS, condition_fields
from core.rules.graphql import ids as rule_ids
from core.rules.tables import Rule, RuleRun, WebhookAttempt, WebhookDelivery, WebhookEndpoint

RULE_TYPE = "Rule"
ENDPOINT_TYPE = "WebhookEndpoint"


async def _nodes(query: Any, id_column: Any, cls: Any, node_ids: list[Any]) -> list[Any]:
    """Nodes in the order of ``node_ids``; None for ids that are not digits or not found."""
    ids = [int(i) for i in node_ids if str(i).isdecimal()]
    rows = await query.where(id_column.is_in(ids)) if ids else []
    found = {row["id"]: cls.from_row(row) for row in rows}
    return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


@strawberry.type(name=RULE_TYPE, description="When an event happens and its conditions hold, run the actions.")
class RuleNode(relay.Node):
    node_permission: ClassVar[str] = rule_services.RULE_READ

    id: relay.NodeID[int]
    name: str
    event_type: str
    stored_conditions: strawberry.Private[dict[str, Any]]
    stored_actions: strawberry.Private[list[Any]]
    enabled: bool
    active_since: datetime = strawberry.field(description="Events from before this moment never run the rule.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "RuleNode":
        return cls(
            id=row["id"],
            name=row["name"],
            event_type=row["event_type"],
            stored_conditions=row["conditions"],
            stored_actions=row["actions"],
            enabled=bool(row["enabled"]),
            active_since=row["active_since"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    @strawberry.field(description='{"all" | "any": [{field, op, value} | group, …]}; {} = always. Ids are global ids.')
    def conditions(self, info: strawberry.Info) -> JSON:
        event_type = info.context.runtime.registry.event_types.get(self.event_type)
        return rule_ids.conditions_out(self.stored_conditions, event_type)

    @strawberry.field(
        description="Ordered actions: email, task, set_field, webhook (see docs/rules.md). Ids are global ids."
    )
    def actions(self) -> JSON:
        return rule_ids.actions_out(self.stored_actions)

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _nodes(Rule.select().output(load_json=True), Rule.id, cls, node_ids)


@strawberry.type(description="One run of a rule for one event.")
class RuleRunType:
    id: relay.GlobalID
    event_id: strawberry.ID = strawberry.field(description="The event's outbox message.")
    event_type: str
    status: str = strawberry.field(description="succeeded, retrying or failed.")
    attempts: int
    error: str
    notes: list[str] = strawberry.field(description="What each action did, or why it was skipped.")
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "RuleRunType":
        return cls(
            id=global_id("RuleRunType", row["id"]),
            event_id=strawberry.ID(str(row["outbox_id"])),
            event_type=row["event_type"],
            status=row["status"],
            attempts=row["attempts"],
            error=row["error"],
            notes=list(row["notes"] or []),
            created_at=row["created_at"],
            finished_at=row["finished_at"],
        )


@strawberry.type(description="A payload field a condition can test.")
class EventFieldInfo:
    name: str
    kind: str = strawberry.field(description="number, text, boolean, datetime, list, object or any.")
    nullable: bool
    operators: list[str]


@strawberry.type(description="An event a rule can react to.")
class EventTypeInfo:
    name: str
    plugin: str
    fields: list[EventFieldInfo]


@strawberry.type(name=ENDPOINT_TYPE, description="Where webhook actions post; requests are signed with its secret.")
class WebhookEndpointNode(relay.Node):
    node_permission: ClassVar[str] = rule_services.RULE_READ

    id: relay.NodeID[int]
    name: str
    url: str
    is_active: bool
    secret_rotated_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "WebhookEndpointNode":
        return cls(
            id=row["id"],
            name=row["name"],
            url=row["url"],
            is_active=bool(row["is_active"]),
            secret_rotated_at=row["secret_rotated_at"],
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _nodes(_endpoints(), WebhookEndpoint.id, cls, node_ids)


def _endpoints() -> Any:
    """Endpoint rows without the secret: it is never read back."""
    return WebhookEndpoint.select(*WebhookEndpoint.all_columns(exclude=[WebhookEndpoint.secret]))


@strawberry.type(description="One attempt to deliver a webhook.")
class WebhookAttemptType:
    attempt: int
    status_code: int | None = strawberry.field(description="Null when no answer came (refused, timeout).")
    duration_ms: int
    error: str
    response_body: str = strawberry.field(description="The start of the receiver's answer.")
    attempted_at: datetime


@strawberry.type(description="One message to one endpoint, with every attempt to deliver it.")
class WebhookDeliveryType:
    id: relay.GlobalID
    row_id: strawberry.Private[int]
    message_id: str = strawberry.field(description="The webhook-id header, the same on every attempt.")
    event_type: str
    status: str = strawberry.field(description="pending, succeeded or failed.")
    attempt_count: int
    created_at: datetime
    finished_at: datetime | None

    @strawberry.field(description="Oldest first.")
    async def attempts(self) -> list[WebhookAttemptType]:
        rows = await (
            WebhookAttempt.select()
            .where(WebhookAttempt.delivery == self.row_id)
            .order_by(WebhookAttempt.attempt)
            .order_by(WebhookAttempt.id)
        )
        return [
            WebhookAttemptType(
                attempt=row["attempt"],
                status_code=row["status_code"],
                duration_ms=row["duration_ms"],
                error=row["error"],
                response_body=row["response_body"],
                attempted_at=row["attempted_at"],
            )
            for row in rows
        ]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "WebhookDeliveryType":
        return cls(
            id=global_id("WebhookDeliveryType", row["id"]),
            row_id=row["id"],
            message_id=row["message_id"],
            event_type=row["event_type"],
            status=row["status"],
            attempt_count=row["attempts"],
            created_at=row["created_at"],
            finished_at=row["finished_at"],
        )


def _event_types(info: strawberry.Info) -> list[EventTypeInfo]:
    registered = info.context.runtime.registry.event_types
    return [
        EventTypeInfo(
            name=name,
            plugin=owner_of(name),
            fields=[
                EventFieldInfo(name=f.name, kind=f.kind, nullable=f.nullable, operators=list(OPERATORS[f.kind]))
                for f in condition_fields(event_type)
            ],
        )
        for name, event_type in sorted(registered.items())
    ]


_id_or_none = id_of


@strawberry.type
class RuleQuery:
    @field(permission=rule_services.RULE_READ, description="Process rules, oldest first.")
    async def rules(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[RuleNode]:
        return await paginate_by_id(
            Rule.select().output(load_json=True),
            Rule.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=RuleNode.from_row,
        )

    @field(permission=rule_services.RULE_READ, description="One rule; null when there is none.")
    async def rule(self, info: strawberry.Info, id: relay.GlobalID) -> RuleNode | None:
        rule_id = _id_or_none(id, RULE_TYPE)
        if rule_id is None:
            return None
        [found] = await RuleNode.resolve_nodes(info=info, node_ids=[rule_id])
        return found

    @field(
        permission=rule_services.RULE_READ, description="Runs of a rule (what it did, or why it failed), oldest first."
    )
    async def rule_runs(
        self, info: strawberry.Info, rule_id: relay.GlobalID, first: int | None = None, after: str | None = None
    ) -> relay.Connection[RuleRunType]:
        return await paginate_by_id(
            RuleRun.select().where(RuleRun.rule == (_id_or_none(rule_id, RULE_TYPE) or 0)).output(load_json=True),
            RuleRun.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=RuleRunType.from_row,
        )

    @field(
        permission=rule_services.RULE_READ,
        description="Events a rule can react to, with the fields conditions can test.",
    )
    def event_types(self, info: strawberry.Info) -> list[EventTypeInfo]:
        return _event_types(info)

    @field(permission=rule_services.RULE_READ, description="Webhook endpoints, oldest first.")
    async def webhook_endpoints(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[WebhookEndpointNode]:
        return await paginate_by_id(
            _endpoints(),
            WebhookEndpoint.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=WebhookEndpointNode.from_row,
        )

    @field(permission=rule_services.RULE_READ, description="The delivery log of an endpoint, oldest first.")
    async def webhook_deliveries(
        self, info: strawberry.Info, endpoint_id: relay.GlobalID, first: int | None = None, after: str | None = None
    ) -> relay.Connection[WebhookDeliveryType]:
        endpoint = _id_or_none(endpoint_id, ENDPOINT_TYPE) or 0
        return await paginate_by_id(
            WebhookDelivery.select(*WebhookDelivery.all_columns(exclude=[WebhookDelivery.body])).where(
                WebhookDelivery.endpoint == endpoint
            ),
            WebhookDelivery.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=WebhookDeliveryType.from_row,
        )


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


async def _rule(info: strawberry.Info, rule_id: int | None) -> RuleNode | None:
    if rule_id is None:
        return None
    [found] = await RuleNode.resolve_nodes(info=info, node_ids=[rule_id])
    return found


async def _endpoint(info: strawberry.Info, endpoint_id: int | None) -> WebhookEndpointNode | None:
    if endpoint_id is None:
        return None
    [found] = await WebhookEndpointNode.resolve_nodes(info=info, node_ids=[endpoint_id])
    return found


async def _with_id(global_id: relay.GlobalID, type_name: str, action: Callable[[int], Awaitable[Any]]) -> Any:
    return await action(decode_id(global_id, type_name, ["id"]))


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
