"""Sales processes and their stages: what a stage requires before an opportunity enters it, the
order of stages.

Every change runs in one unit of work: a refused change (a ``DomainError``) writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.api import Actor, DomainError, PluginRuntime, Team, _, custom_field_definitions, require_permission
from plugins.sales.permissions import PROCESS_MANAGE
from plugins.sales.services.values import ENTITY, checked_text
from plugins.sales.tables import Opportunity, SalesProcess, SalesStage

NO_TEAM = 0  # update_process(team_id=NO_TEAM): the process belongs to no team any more
# What a stage may require before an opportunity enters it (besides "custom.<key>").
REQUIRED_FIELD_NAMES = ("value", "expectedCloseDate", "company", "person", "competitors")


@dataclass(frozen=True)
class StageInput:
    name: str
    probability: int = 0
    required_fields: Sequence[str] = ()
    expected_days: int | None = None


async def _check_stage(stage: StageInput, path: list[str]) -> dict[str, Any]:
    if not 0 <= stage.probability <= 100:
        raise DomainError("OUT_OF_RANGE", _("Between {low} and {high}."), [*path, "probability"], low=0, high=100)
    if stage.expected_days is not None and not 0 < stage.expected_days <= 3650:
        raise DomainError("OUT_OF_RANGE", _("Between {low} and {high}."), [*path, "expectedDays"], low=1, high=3650)
    required: list[str] = []
    defined = None
    for index, name in enumerate(stage.required_fields):
        where = [*path, "requiredFields", str(index)]
        if name.startswith("custom."):
            defined = defined if defined is not None else await custom_field_definitions(ENTITY)
            if name.removeprefix("custom.") not in defined:
                raise DomainError(
                    "UNKNOWN_FIELD", _("There is no custom field {key} on opportunities."), where, key=name[7:]
                )
        elif name not in REQUIRED_FIELD_NAMES:
            raise DomainError(
                "UNKNOWN_FIELD",
                _("A stage can require: {allowed}, or custom.<key>."),
                where,
                allowed=", ".join(REQUIRED_FIELD_NAMES),
            )
        if name not in required:
            required.append(name)
    return {
        "name": checked_text(stage.name, [*path, "name"], limit=200),
        "probability": stage.probability,
        "required_fields": required,
        "expected_days": stage.expected_days,
    }


async def existing_team(team_id: int | None, path: list[str]) -> int | None:
    if team_id is not None and not await Team.exists().where(Team.id == team_id):
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), path)
    return team_id


async def _name_free(name: str, except_id: int | None = None) -> None:
    query = SalesProcess.select(SalesProcess.id).where(SalesProcess.name == name)
    if except_id is not None:
        query = query.where(SalesProcess.id != except_id)
    if await query.first():
        raise DomainError("NAME_TAKEN", _("A sales process with this name already exists."), ["input", "name"])


def _unique_stage_names(names: Sequence[str], path: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name.casefold() in seen:
            raise DomainError("DUPLICATE", _("Two stages have the same name."), [*path, str(index), "name"])
        seen.add(name.casefold())


async def create_process(
    runtime: PluginRuntime,
    actor: Actor,
    *,
    name: str,
    stages: Sequence[StageInput],
    description: str = "",
    team_id: int | None = None,
) -> int:
    require_permission(actor, PROCESS_MANAGE)
    name = checked_text(name, ["input", "name"], limit=200)
    if not stages:
        raise DomainError("NO_STAGES", _("A sales process needs at least one stage."), ["input", "stages"])
    checked = [await _check_stage(stage, ["input", "stages", str(i)]) for i, stage in enumerate(stages)]
    _unique_stage_names([stage["name"] for stage in checked], ["input", "stages"])
    async with runtime.unit_of_work(actor):
        await _name_free(name)
        [row] = await SalesProcess.insert(
            SalesProcess(
                name=name,
                description=checked_text(description, ["input", "description"], limit=5000, required=False),
                team=await existing_team(team_id, ["input", "team"]),
            )
        ).returning(SalesProcess.id)
        await SalesStage.insert(
            *[SalesStage(process=row["id"], position=i + 1, **stage) for i, stage in enumerate(checked)]
        )
    return row["id"]


async def _locked_process(runtime: PluginRuntime, process_id: int) -> dict[str, Any]:
    query = SalesProcess.select().where(SalesProcess.id == process_id)
    if runtime.settings.is_postgres:
        query = query.lock_rows()
    row = await query.first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["id"])
    return row


async def update_process(
    runtime: PluginRuntime,
    actor: Actor,
    process_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    team_id: int | None = None,
    archived: bool | None = None,
) -> None:
    require_permission(actor, PROCESS_MANAGE)
    async with runtime.unit_of_work(actor):
        await _locked_process(runtime, process_id)
        changes: dict[Any, Any] = {}
        if name is not None:
            changes[SalesProcess.name] = checked_text(name, ["input", "name"], limit=200)
            await _name_free(changes[SalesProcess.name], except_id=process_id)
        if description is not None:
            changes[SalesProcess.description] = checked_text(
                description, ["input", "description"], limit=5000, required=False
            )
        if team_id is not None:  # NO_TEAM hands the process back to everyone
            changes[SalesProcess.team] = None if team_id == NO_TEAM else await existing_team(team_id, ["input", "team"])
        if archived is not None:
            changes[SalesProcess.archived_at] = datetime.now(UTC) if archived else None
        if changes:
            await SalesProcess.update(changes).where(SalesProcess.id == process_id)


async def stage_row(
    stage_id: int, path: list[str], runtime: PluginRuntime | None = None, lock: str = ""
) -> dict[str, Any]:
    """A stage; with ``lock`` (PostgreSQL row lock strength) held to the end of the transaction: a
    move holds KEY SHARE on its target and a delete UPDATE, so the two wait for each other instead
    of the move landing in a stage that is going away."""
    query = SalesStage.select().where(SalesStage.id == stage_id).output(load_json=True)
    if lock and runtime is not None and runtime.settings.is_postgres:
        query = query.lock_rows(lock)
    row = await query.first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), path)
    return row


async def add_stage(
    runtime: PluginRuntime, actor: Actor, process_id: int, stage: StageInput, position: int | None
) -> int:
    """Insert a stage at ``position`` (1 = first; None = last); the stages after it move down."""
    require_permission(actor, PROCESS_MANAGE)
    checked = await _check_stage(stage, ["input"])
    async with runtime.unit_of_work(actor):
        await _locked_process(runtime, process_id)
        existing = await SalesStage.select(SalesStage.id, SalesStage.name).where(SalesStage.process == process_id)
        _unique_stage_names([row["name"] for row in existing] + [checked["name"]], ["input", "stages"])
        last = len(existing) + 1
        place = last if position is None else position
        if not 1 <= place <= last:
            raise DomainError("OUT_OF_RANGE", _("Between {low} and {high}."), ["position"], low=1, high=last)
        await _shift(process_id, place, +1)
        [row] = await SalesStage.insert(SalesStage(process=process_id, position=place, **checked)).returning(
            SalesStage.id
        )
        await _recompute_furthest(process_id)
    return row["id"]


async def _recompute_furthest(process_id: int) -> None:
    """Positions changed: how far each opportunity of the process got, from its stage entries."""
    await Opportunity.raw(
        "UPDATE sales_opportunity SET furthest_position = COALESCE((SELECT MAX(s.position)"
        " FROM sales_stage_entry e JOIN sales_stage s ON s.id = e.stage"
        " WHERE e.opportunity = sales_opportunity.id), 1) WHERE process = {}",
        process_id,
    )


async def _shift(process_id: int, from_position: int, by: int) -> None:
    # Two steps so no moment has two stages in one place (a unique index may come later).
    where = (SalesStage.process == process_id) & (SalesStage.position >= from_position)
    await SalesStage.update({SalesStage.position: SalesStage.position + 100000}).where(where)
    await SalesStage.update({SalesStage.position: SalesStage.position - 100000 + by}).where(
        (SalesStage.process == process_id) & (SalesStage.position >= 100000)
    )


async def update_stage(runtime: PluginRuntime, actor: Actor, stage_id: int, stage: StageInput) -> None:
    require_permission(actor, PROCESS_MANAGE)
    checked = await _check_stage(stage, ["input"])
    async with runtime.unit_of_work(actor):
        current = await stage_row(stage_id, ["id"])
        await _locked_process(runtime, current["process"])
        others = await SalesStage.select(SalesStage.name).where(
            (SalesStage.process == current["process"]) & (SalesStage.id != stage_id)
        )
        _unique_stage_names([row["name"] for row in others] + [checked["name"]], ["input", "stages"])
        await SalesStage.update(checked).where(SalesStage.id == stage_id)


async def delete_stage(runtime: PluginRuntime, actor: Actor, stage_id: int) -> None:
    """Only a stage no opportunity stands or ended in may go (the history's moves through it lose
    their stage: set null)."""
    require_permission(actor, PROCESS_MANAGE)
    async with runtime.unit_of_work(actor):
        await _locked_process(runtime, (await stage_row(stage_id, ["id"]))["process"])
        current = await stage_row(stage_id, ["id"], runtime, "UPDATE")  # again, now that nobody reorders
        held = await Opportunity.count().where(
            (Opportunity.stage == stage_id) & (Opportunity.status == "open") & Opportunity.deleted_at.is_null()
        )
        if held:
            raise DomainError(
                "STAGE_IN_USE",
                _("{count} opportunities are in this stage; move them first."),
                ["id"],
                count=held,
            )
        if await Opportunity.exists().where(Opportunity.stage == stage_id):
            raise DomainError(
                "STAGE_IN_HISTORY",
                _("Closed opportunities ended in this stage, so it stays part of their history; rename it instead."),
                ["id"],
            )
        if await SalesStage.count().where(SalesStage.process == current["process"]) == 1:
            raise DomainError("NO_STAGES", _("A sales process needs at least one stage."), ["id"])
        await SalesStage.delete().where(SalesStage.id == stage_id)
        await _shift(current["process"], current["position"] + 1, -1)
        await _recompute_furthest(current["process"])


async def reorder_stages(runtime: PluginRuntime, actor: Actor, process_id: int, stage_ids: Sequence[int]) -> None:
    require_permission(actor, PROCESS_MANAGE)
    async with runtime.unit_of_work(actor):
        await _locked_process(runtime, process_id)
        existing = {row["id"] for row in await SalesStage.select(SalesStage.id).where(SalesStage.process == process_id)}
        if sorted(stage_ids) != sorted(existing):
            raise DomainError(
                "INCOMPLETE_ORDER", _("List every stage of the process exactly once."), ["input", "stages"]
            )
        for position, stage_id in enumerate(stage_ids, start=1):
            await SalesStage.update({SalesStage.position: 100000 + position}).where(SalesStage.id == stage_id)
        await SalesStage.update({SalesStage.position: SalesStage.position - 100000}).where(
            SalesStage.process == process_id
        )
        await _recompute_furthest(process_id)
