"""GraphQL of process rules and outbound webhooks (staff surface).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import decode_id
from core.graphql.ids import global_id, id_of
from core.plugins.specs import owner_of
from core.rules import services as rule_services
from core.rules.conditions import OPERATORS, condition_fields
from core.rules.graphql import ids as rule_ids
from core.rules.tables import Rule, WebhookAttempt, WebhookEndpoint

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
