"""The opportunity filter: GraphQL input → SQL conditions (ids decoded, values checked)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import strawberry
from strawberry import relay

from core.api import DomainError, User, _, contains_text, decode_id
from plugins.sales.graphql.types import OpportunityStatus
from plugins.sales.tables import Opportunity


@strawberry.input(description="Every condition given must hold.")
class OpportunityFilter:
    process: relay.GlobalID | None = None
    stages: list[relay.GlobalID] | None = None
    status: OpportunityStatus | None = None
    owners: list[relay.GlobalID] | None = None
    team: relay.GlobalID | None = strawberry.field(default=None, description="Owned by a member of the team.")
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    stuck: bool | None = strawberry.field(default=None, description="Open and flagged by the stuck-deal check.")
    opened_from: date | None = None
    opened_to: date | None = None
    closing_from: date | None = strawberry.field(default=None, description="Expected close date from this day.")
    closing_to: date | None = None
    search: str | None = strawberry.field(default=None, description="Part of the name.")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _ids(values: list[relay.GlobalID], type_name: str, name: str) -> list[int]:
    return [decode_id(value, type_name, ["filter", name, str(i)]) for i, value in enumerate(values)]


def opportunity_conditions(filter: OpportunityFilter | None, *, sqlite: bool) -> list[Any]:
    if filter is None:
        return []
    conditions: list[Any] = []
    if filter.process is not None:
        conditions.append(Opportunity.process == decode_id(filter.process, "SalesProcess", ["filter", "process"]))
    if filter.stages:
        conditions.append(Opportunity.stage.is_in(_ids(filter.stages, "SalesStage", "stages")))
    if filter.status is not None:
        conditions.append(Opportunity.status == filter.status.value)
    if filter.owners:
        conditions.append(Opportunity.owner.is_in(_ids(filter.owners, "UserNode", "owners")))
    if filter.team is not None:
        team = decode_id(filter.team, "TeamNode", ["filter", "team"])
        conditions.append(Opportunity.owner.is_in(User.select(User.id).where(User.team == team)))
    if filter.company is not None:
        conditions.append(Opportunity.company == decode_id(filter.company, "Company", ["filter", "company"]))
    if filter.person is not None:
        conditions.append(Opportunity.person == decode_id(filter.person, "Person", ["filter", "person"]))
    if filter.stuck is not None:
        stuck = (Opportunity.status == "open") & Opportunity.stuck_since.is_not_null()
        conditions.append(
            stuck if filter.stuck else (Opportunity.stuck_since.is_null() | (Opportunity.status != "open"))
        )
    for start, end, name in (
        (filter.opened_from, filter.opened_to, "openedTo"),
        (filter.closing_from, filter.closing_to, "closingTo"),
    ):
        if start is not None and end is not None and end < start:
            raise DomainError("END_BEFORE_START", _("The period ends before it starts."), ["filter", name])
    if filter.opened_from is not None:
        conditions.append(Opportunity.created_at >= _day_start(filter.opened_from))
    if filter.opened_to is not None:
        conditions.append(Opportunity.created_at < _day_start(filter.opened_to + timedelta(days=1)))
    if filter.closing_from is not None:
        conditions.append(Opportunity.expected_close_date >= filter.closing_from)
    if filter.closing_to is not None:
        conditions.append(Opportunity.expected_close_date <= filter.closing_to)
    if filter.search and filter.search.strip():
        conditions.append(contains_text('"sales_opportunity"."name"', filter.search.strip(), sqlite=sqlite))
    return conditions
