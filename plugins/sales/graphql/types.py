"""GraphQL types of the sales plugin: processes, stages, opportunities and their history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import (
    TeamNode,
    UserNode,
    batched_field,
    each,
    extensible,
    field,
    load_each,
    nodes_by_loader,
    visible_custom_values,
)
from plugins.sales.permissions import OPPORTUNITY_READ
from plugins.sales.services.values import ENTITY, amount

CompanyRef = extensible("Company", "staff")
PersonRef = extensible("Person", "staff")


@strawberry.type(name="SalesStage", description="A step of a sales process.")
class SalesStageNode(relay.Node):
    node_permission: ClassVar[str] = OPPORTUNITY_READ

    id: relay.NodeID[int]
    name: str
    position: int = strawberry.field(description="1 for the first stage of the process.")
    probability: int = strawberry.field(description="Default chance of winning from this stage, in percent.")
    required_fields: list[str] = strawberry.field(
        description="What an opportunity must have before entering: value, expectedCloseDate, company, person, "
        "competitors or custom.<key>."
    )
    expected_days: int | None = strawberry.field(description="Longer than this in the stage means stuck.")
    process_id: strawberry.Private[int]

    @batched_field(load_each("sales.process", lambda s: s.process_id))
    async def process(self, info: strawberry.Info) -> SalesProcessNode | None:
        return await info.context.loaders["sales.process"].load(self.process_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SalesStageNode:
        required = row["required_fields"]
        return cls(
            id=row["id"],
            name=row["name"],
            position=row["position"],
            probability=row["probability"],
            required_fields=list(required if isinstance(required, list) else []),
            expected_days=row["expected_days"],
            process_id=row["process"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "sales.stage", node_ids)


@strawberry.type(name="SalesProcess", description="A way of selling: ordered stages an opportunity goes through.")
class SalesProcessNode(relay.Node):
    node_permission: ClassVar[str] = OPPORTUNITY_READ

    id: relay.NodeID[int]
    name: str
    description: str
    archived: bool
    created_at: datetime
    team_id: strawberry.Private[int | None]

    @batched_field(load_each("sales.stages_by_process", lambda s: s.id), description="In their order.")
    async def stages(self, info: strawberry.Info) -> list[SalesStageNode]:
        return await info.context.loaders["sales.stages_by_process"].load(self.id)

    @batched_field(load_each("core.team", lambda s: s.team_id), description="The team that sells this way.")
    async def team(self, info: strawberry.Info) -> TeamNode | None:
        return None if self.team_id is None else await info.context.loaders["core.team"].load(self.team_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SalesProcessNode:
        return cls(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            archived=row["archived_at"] is not None,
            created_at=row["created_at"],
            team_id=row["team"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "sales.process", node_ids)


@strawberry.enum(description="Where an opportunity stands.")
class OpportunityStatus(Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@strawberry.type(description="A competitor fighting for the same deal (F23).")
class Competitor:
    name: str
    strengths: str
    weaknesses: str
    price: Decimal | None = strawberry.field(description="Their offered price, when known.")


@strawberry.type(description="One step in an opportunity's history: a stage entered, or the deal closed.")
class StageChangeType:
    changed_at: datetime
    outcome: OpportunityStatus = strawberry.field(description="OPEN for a move between stages, else how it closed.")
    from_stage_id: strawberry.Private[int | None]
    to_stage_id: strawberry.Private[int | None]
    changed_by_id: strawberry.Private[int | None]

    @batched_field(load_each("sales.stage", lambda s: s.from_stage_id))
    async def from_stage(self, info: strawberry.Info) -> SalesStageNode | None:
        return (
            None if self.from_stage_id is None else await info.context.loaders["sales.stage"].load(self.from_stage_id)
        )

    @batched_field(load_each("sales.stage", lambda s: s.to_stage_id), description="Null when the deal closed.")
    async def to_stage(self, info: strawberry.Info) -> SalesStageNode | None:
        return None if self.to_stage_id is None else await info.context.loaders["sales.stage"].load(self.to_stage_id)

    @batched_field(load_each("core.user", lambda s: s.changed_by_id))
    async def changed_by(self, info: strawberry.Info) -> UserNode | None:
        return None if self.changed_by_id is None else await info.context.loaders["core.user"].load(self.changed_by_id)


@strawberry.type(name="Opportunity", description="A chance of a sale, moving through the stages of its process.")
class OpportunityNode(relay.Node):
    node_permission: ClassVar[str] = OPPORTUNITY_READ
    record_kind: ClassVar[str] = ENTITY

    id: relay.NodeID[int]
    name: str
    status: OpportunityStatus
    value: Decimal = strawberry.field(description="In the opportunity's currency.")
    currency: str
    value_in_reporting_currency: Decimal = strawberry.field(
        description="Converted at the configured rate when the value was set; reports sum this."
    )
    expected_close_date: date | None
    competitors: list[Competitor]
    source: str
    lost_reason: str
    stage_entered_at: datetime
    last_contact_at: datetime | None
    stuck_since: datetime | None = strawberry.field(
        description="Set when the opportunity overstayed its stage or went without contact; progress clears it."
    )
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    custom_values: strawberry.Private[dict[str, Any]]
    process_id: strawberry.Private[int]
    stage_id: strawberry.Private[int]
    company_id: strawberry.Private[int | None]
    person_id: strawberry.Private[int | None]
    owner_id: strawberry.Private[int | None]

    @batched_field(load_each("sales.process", lambda s: s.process_id))
    async def process(self, info: strawberry.Info) -> SalesProcessNode | None:
        return await info.context.loaders["sales.process"].load(self.process_id)

    @batched_field(load_each("sales.stage", lambda s: s.stage_id), description="The current (or last) stage.")
    async def stage(self, info: strawberry.Info) -> SalesStageNode | None:
        return await info.context.loaders["sales.stage"].load(self.stage_id)

    @batched_field(load_each("core.company", lambda s: s.company_id), description="Null when outside your area.")
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return None if self.company_id is None else await info.context.loaders["core.company"].load(self.company_id)

    @batched_field(load_each("core.person", lambda s: s.person_id), description="Null when outside your area.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return None if self.person_id is None else await info.context.loaders["core.person"].load(self.person_id)

    @batched_field(load_each("core.user", lambda s: s.owner_id))
    async def owner(self, info: strawberry.Info) -> UserNode | None:
        return None if self.owner_id is None else await info.context.loaders["core.user"].load(self.owner_id)

    @batched_field(load_each("sales.history", lambda s: s.id), description="Oldest first.")
    async def history(self, info: strawberry.Info) -> list[StageChangeType]:
        return await info.context.loaders["sales.history"].load(self.id)

    @batched_field(visible_custom_values, description="Custom field values by key (sensitive ones need the right).")
    async def custom_fields(self, info: strawberry.Info) -> JSON:
        [values] = await visible_custom_values([self], info.context)
        return values

    @batched_field(each(lambda s: s.status == OpportunityStatus.OPEN and s.stuck_since is not None))
    def stuck(self) -> bool:
        return self.status == OpportunityStatus.OPEN and self.stuck_since is not None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OpportunityNode:
        competitors = row["competitors"] if isinstance(row["competitors"], list) else []
        return cls(
            id=row["id"],
            name=row["name"],
            status=OpportunityStatus(row["status"]),
            value=amount(row["value"]),
            currency=row["currency"],
            value_in_reporting_currency=amount(row["value_base"]),
            expected_close_date=row["expected_close_date"],
            competitors=[
                Competitor(
                    name=c.get("name", ""),
                    strengths=c.get("strengths", ""),
                    weaknesses=c.get("weaknesses", ""),
                    price=amount(c["price"]) if c.get("price") is not None else None,
                )
                for c in competitors
            ],
            source=row["source"],
            lost_reason=row["lost_reason"],
            stage_entered_at=row["stage_entered_at"],
            last_contact_at=row["last_contact_at"],
            stuck_since=row["stuck_since"],
            closed_at=row["closed_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            custom_values=row["custom"] if isinstance(row["custom"], dict) else {},
            process_id=row["process"],
            stage_id=row["stage"],
            company_id=row["company"],
            person_id=row["person"],
            owner_id=row["owner"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "sales.opportunity", node_ids)


class CompanyOpportunities:
    """Added to the core's Company."""

    @field(
        permission=OPPORTUNITY_READ,
        description="Open opportunities with this company you may see, newest first.",
        batch=load_each("sales.open_by_company", lambda s: s.id),
    )
    async def open_opportunities(self, info: strawberry.Info) -> list[OpportunityNode]:
        return await info.context.loaders["sales.open_by_company"].load(self.id)


class PersonOpportunities:
    """Added to the core's Person."""

    @field(
        permission=OPPORTUNITY_READ,
        description="Open opportunities with this person you may see, newest first.",
        batch=load_each("sales.open_by_person", lambda s: s.id),
    )
    async def open_opportunities(self, info: strawberry.Info) -> list[OpportunityNode]:
        return await info.context.loaders["sales.open_by_person"].load(self.id)


@strawberry.type(description="One column of the board: a stage with its open opportunities.")
class BoardColumn:
    stage: SalesStageNode
    count: int = strawberry.field(description="Open opportunities in the stage (all of them, not only this page).")
    total_value: Decimal = strawberry.field(description="Their value in the reporting currency.")
    weighted_value: Decimal = strawberry.field(description="Value times the stage's default probability.")
    opportunities: relay.Connection[OpportunityNode] = strawberry.field(
        description="The first page, newest first; ask `opportunities(filter: {stages: [stage]}, after: endCursor)` "
        "for the next."
    )
