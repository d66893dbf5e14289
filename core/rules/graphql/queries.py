"""The root queries of process rules and webhooks."""

import strawberry
from strawberry import relay

from core.access.graphql.types import maximum
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import field
from core.rules import services as rule_services
from core.rules.graphql.types import (
    ENDPOINT_TYPE,
    RULE_TYPE,
    EventTypeInfo,
    RuleNode,
    RuleRunType,
    WebhookDeliveryType,
    WebhookEndpointNode,
    _endpoints,
    _event_types,
    _id_or_none,
)
from core.rules.tables import Rule, RuleRun, WebhookDelivery, WebhookEndpoint


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
