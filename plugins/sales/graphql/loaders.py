"""Per-request loaders: one SQL statement per kind of thing a response level needs."""

from __future__ import annotations

from typing import Any

from plugins.sales.graphql.types import OpportunityNode, SalesProcessNode, SalesStageNode, StageChangeType
from plugins.sales.graphql.types import OpportunityStatus as Status
from plugins.sales.permissions import OPPORTUNITY_READ
from plugins.sales.services.opportunities import readable
from plugins.sales.tables import Opportunity, SalesProcess, SalesStage, StageChange

OPEN_PER_RECORD = 50  # a client with more open deals than this is listed in the opportunities query


def _may_read(context: Any) -> bool:
    return context.actor.scope_for(OPPORTUNITY_READ) is not None


async def load_opportunities(keys: list[int], context: Any) -> list[OpportunityNode | None]:
    if not _may_read(context):
        return [None] * len(keys)
    rows = await Opportunity.select().where(Opportunity.id.is_in(keys) & readable(context.actor)).output(load_json=True)
    found = {row["id"]: OpportunityNode.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


async def load_processes(keys: list[int], context: Any) -> list[SalesProcessNode | None]:
    if not _may_read(context):
        return [None] * len(keys)
    rows = await SalesProcess.select().where(SalesProcess.id.is_in(keys))
    found = {row["id"]: SalesProcessNode.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


async def load_stages(keys: list[int], context: Any) -> list[SalesStageNode | None]:
    if not _may_read(context):
        return [None] * len(keys)
    rows = await SalesStage.select().where(SalesStage.id.is_in(keys)).output(load_json=True)
    found = {row["id"]: SalesStageNode.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


async def load_stages_by_process(keys: list[int], context: Any) -> list[list[SalesStageNode]]:
    grouped: dict[int, list[SalesStageNode]] = {key: [] for key in keys}
    if not _may_read(context):
        return [grouped[key] for key in keys]
    rows = (
        await SalesStage.select()
        .where(SalesStage.process.is_in(keys))
        .order_by(SalesStage.process, SalesStage.position)
        .output(load_json=True)
    )
    for row in rows:
        grouped[row["process"]].append(SalesStageNode.from_row(row))
    return [grouped[key] for key in keys]


async def load_history(keys: list[int], context: Any) -> list[list[StageChangeType]]:
    """Histories of opportunities the loader for them already let through (the caller holds one)."""
    grouped: dict[int, list[StageChangeType]] = {key: [] for key in keys}
    rows = (
        await StageChange.select()
        .where(StageChange.opportunity.is_in(keys))
        .order_by(StageChange.opportunity, StageChange.changed_at, StageChange.id)
    )
    for row in rows:
        grouped[row["opportunity"]].append(
            StageChangeType(
                changed_at=row["changed_at"],
                outcome=Status(row["outcome"]),
                from_stage_id=row["from_stage"],
                to_stage_id=row["to_stage"],
                changed_by_id=row["changed_by"],
            )
        )
    return [grouped[key] for key in keys]


async def _open_by(column: Any, keys: list[int], context: Any) -> list[list[OpportunityNode]]:
    grouped: dict[int, list[OpportunityNode]] = {key: [] for key in keys}
    if not _may_read(context):
        return [grouped[key] for key in keys]
    rows = (
        await Opportunity.select()
        .where(column.is_in(keys) & (Opportunity.status == "open") & readable(context.actor))
        .order_by(Opportunity.created_at, ascending=False)
        .output(load_json=True)
    )
    for row in rows:
        bucket = grouped[row[column._meta.name]]
        if len(bucket) < OPEN_PER_RECORD:
            bucket.append(OpportunityNode.from_row(row))
    return [grouped[key] for key in keys]


async def load_open_by_company(keys: list[int], context: Any) -> list[list[OpportunityNode]]:
    return await _open_by(Opportunity.company, keys, context)


async def load_open_by_person(keys: list[int], context: Any) -> list[list[OpportunityNode]]:
    return await _open_by(Opportunity.person, keys, context)
