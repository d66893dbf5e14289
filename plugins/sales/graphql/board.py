"""The Kanban board: every stage's open opportunities counted and summed, and the first page of
each column, in two statements whatever the number of stages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.api import DomainError, _, encode_key, make_connection
from plugins.sales.graphql.types import BoardColumn, OpportunityNode
from plugins.sales.services.opportunities import readable
from plugins.sales.services.values import amount
from plugins.sales.tables import Opportunity, SalesProcess

MAX_COLUMN_PAGE = 50


async def board(info: Any, process_id: int, conditions: list[Any], first: int) -> list[Any]:
    if not 1 <= first <= MAX_COLUMN_PAGE:
        raise DomainError("OUT_OF_RANGE", _("Between {low} and {high}."), ["first"], low=1, high=MAX_COLUMN_PAGE)
    if not await SalesProcess.exists().where(SalesProcess.id == process_id):
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["process"])
    condition = readable(info.context.actor) & (Opportunity.process == process_id) & (Opportunity.status == "open")
    for extra in conditions:
        condition &= extra
    ranked = await Opportunity.raw(
        "SELECT id, stage, place, stage_count, stage_value FROM ("
        " SELECT id, stage,"
        "  ROW_NUMBER() OVER (PARTITION BY stage ORDER BY created_at DESC, id DESC) AS place,"
        "  COUNT(*) OVER (PARTITION BY stage) AS stage_count,"
        "  SUM(value_base) OVER (PARTITION BY stage) AS stage_value"
        " FROM sales_opportunity WHERE {}"
        ") ranked WHERE place <= {}",
        condition.querystring,
        first,
    )
    rows = {
        row["id"]: row
        for row in await Opportunity.select()
        .where(Opportunity.id.is_in([r["id"] for r in ranked] or [-1]))
        .output(load_json=True)
    }
    stages = await info.context.loaders["sales.stages_by_process"].load(process_id)
    columns = []
    for stage in stages:
        mine = sorted((r for r in ranked if r["stage"] == stage.id), key=lambda r: r["place"])
        count = int(mine[0]["stage_count"]) if mine else 0
        value = amount(mine[0]["stage_value"] if mine else 0)
        columns.append(
            BoardColumn(
                stage=stage,
                count=count,
                total_value=value,
                weighted_value=(value * stage.probability / 100).quantize(Decimal("0.01")),
                opportunities=make_connection(
                    [rows[r["id"]] for r in mine],
                    has_next=count > len(mine),
                    has_previous=False,
                    key=lambda row: [row["created_at"], row["id"]],
                    to_node=OpportunityNode.from_row,
                    encode=encode_key,
                ),
            )
        )
    return columns
