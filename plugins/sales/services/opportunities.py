"""Opportunities and their history: created, changed, moved between stages, won, lost, deleted, and
the contacts that keep them from getting stuck.

Every change runs in one unit of work: a refused change (a ``DomainError``) writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.api import (
    SYSTEM,
    Actor,
    Company,
    DomainError,
    Person,
    PluginRuntime,
    UnitOfWork,
    User,
    _,
    apply_custom_fields,
    record_timeline,
    require_permission,
    require_reachable,
    update_company,
    update_person,
    visible,
)
from plugins.sales.events import (
    OpportunityCreated,
    OpportunityDeleted,
    OpportunityLost,
    OpportunityStageChanged,
    OpportunityWon,
)
from plugins.sales.permissions import OPPORTUNITY_READ, OPPORTUNITY_WRITE
from plugins.sales.services.processes import stage_row
from plugins.sales.services.values import ENTITY, Currencies, amount, checked_moment, checked_text, money
from plugins.sales.tables import Opportunity, SalesProcess, SalesStage, StageChange, StageEntry

CONTACT_KINDS = ("core.call", "core.email", "core.meeting", "core.note")


@dataclass
class OpportunityValues:
    """What a user enters about an opportunity; None = not given (on update: unchanged)."""

    name: str | None = None
    company_id: int | None = None
    person_id: int | None = None
    owner_id: int | None = None
    value: Decimal | None = None
    currency: str | None = None
    expected_close_date: date | None = None
    competitors: Sequence[Mapping[str, Any]] | None = None
    source: str | None = None
    custom: Mapping[str, Any] | None = None
    clear: Sequence[str] = field(default_factory=tuple)  # fields to empty: company, person, expectedCloseDate


def _competitors(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    checked = []
    for index, item in enumerate(items):
        path = ["input", "competitors", str(index)]
        entry = {
            "name": checked_text(str(item.get("name") or ""), [*path, "name"], limit=200),
            "strengths": checked_text(
                str(item.get("strengths") or ""), [*path, "strengths"], limit=2000, required=False
            ),
            "weaknesses": checked_text(
                str(item.get("weaknesses") or ""), [*path, "weaknesses"], limit=2000, required=False
            ),
        }
        if item.get("price") is not None:
            entry["price"] = str(money(item["price"], [*path, "price"]))
        checked.append(entry)
    return checked


async def _may_hand_to(actor: Actor, owner_id: int) -> None:
    """An opportunity goes only to someone within the actor's reach: with the "own" scope to
    themselves, with "team" to the team's members, with "territory" to themselves (the deal's
    territory keeps it visible to the territory's reps); "all" to anyone."""
    if owner_id == actor.user_id:
        return
    reach = actor.scope_for(OPPORTUNITY_WRITE)
    if reach == "all":
        return
    in_team = User.exists().where((User.id == owner_id) & (User.team == actor.team_id))
    if reach == "team" and actor.team_id is not None and await in_team:
        return
    raise DomainError(
        "FORBIDDEN", _("You may give opportunities only to people within your reach."), ["input", "owner"]
    )


async def active_user(owner_id: int, path: list[str]) -> int:
    if not await User.exists().where((User.id == owner_id) & (User.is_active == True)):  # noqa: E712
        raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), path)
    return owner_id


async def _checked_values(
    actor: Actor, currencies: Currencies, values: OpportunityValues, before: Mapping[str, Any]
) -> dict[str, Any]:
    """Columns to write, from what was given, checked against the record as it was."""
    row: dict[str, Any] = {}
    if values.name is not None:
        row["name"] = checked_text(values.name, ["input", "name"])
    for key, table, permission in (
        ("company_id", Company, "core.company.read"),
        ("person_id", Person, "core.person.read"),
    ):
        record_id = getattr(values, key)
        if record_id is not None:
            await require_reachable(table, record_id, actor, permission, ["input", key.removesuffix("_id")])
            row[key.removesuffix("_id")] = record_id
    if values.owner_id is not None and values.owner_id != before.get("owner"):
        row["owner"] = await active_user(values.owner_id, ["input", "owner"])
        await _may_hand_to(actor, values.owner_id)
    if values.value is not None:
        row["value"] = money(values.value, ["input", "value"])
    if values.currency is not None:
        row["currency"] = values.currency.strip().upper()
    if "value" in row or "currency" in row:
        value = row.get("value", before.get("value", Decimal(0)))
        code = row.get("currency", before.get("currency", currencies.reporting))
        row["value_base"] = currencies.to_base(value, code, ["input", "currency"])
    if values.expected_close_date is not None:
        opened = before.get("created_at") or datetime.now(UTC)
        if values.expected_close_date < opened.date():
            raise DomainError(
                "CLOSE_BEFORE_CREATED",
                _("The expected close date is before the opportunity was opened ({opened})."),
                ["input", "expectedCloseDate"],
                opened=opened.date().isoformat(),
            )
        row["expected_close_date"] = values.expected_close_date
    if values.competitors is not None:
        row["competitors"] = _competitors(values.competitors)
    if values.source is not None:
        row["source"] = checked_text(values.source, ["input", "source"], limit=64, required=False)
    for name in values.clear:
        column = {"company": "company", "person": "person", "expectedCloseDate": "expected_close_date"}.get(name)
        if column is None:
            raise DomainError(
                "INVALID_CHOICE",
                _("Allowed values: {allowed}."),
                ["input", "clear"],
                allowed="company, person, expectedCloseDate",
            )
        row[column] = None
    if values.custom:
        row["custom"] = await apply_custom_fields(
            ENTITY, before.get("custom") or {}, values.custom, creating=not before
        )
    return row


def _missing_for(stage: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """The stage's required fields the opportunity lacks."""
    present = {
        "value": bool(record.get("value")),
        "expectedCloseDate": record.get("expected_close_date") is not None,
        "company": record.get("company") is not None,
        "person": record.get("person") is not None,
        "competitors": bool(record.get("competitors")),
    }
    custom = record.get("custom") or {}
    missing = []
    for name in stage["required_fields"]:
        have = custom.get(name[7:]) not in (None, "", []) if name.startswith("custom.") else present.get(name, False)
        if not have:
            missing.append(name)
    return missing


def _require_fields(stage: Mapping[str, Any], record: Mapping[str, Any]) -> None:
    missing = _missing_for(stage, record)
    if missing:
        first = missing[0]
        raise DomainError(
            "REQUIRED_FIELD_MISSING",
            _("Stage {stage} needs: {fields}."),
            ["input", "customFields", first[7:]] if first.startswith("custom.") else ["input", first],
            stage=stage["name"],
            fields=", ".join(missing),
        )


async def _territory_of(company_id: int | None, person_id: int | None) -> int | None:
    for table, record_id in ((Company, company_id), (Person, person_id)):
        if record_id is not None:
            row = await table.select(table.territory).where(table.id == record_id).first()
            if row and row["territory"] is not None:
                return row["territory"]
    return None


async def _timeline(
    runtime: PluginRuntime,
    uow: UnitOfWork,
    opportunity: Mapping[str, Any],
    kind: str,
    subject: str,
    actor: Actor,
    at: datetime,
    **data: Any,
) -> None:
    """Note on the client's timeline what happened to their opportunity (when it has a client)."""
    if opportunity.get("company") is None and opportunity.get("person") is None:
        return
    await record_timeline(
        runtime,
        uow,
        kind=kind,
        company_id=opportunity.get("company"),
        person_id=opportunity.get("person"),
        subject=subject,
        occurred_at=at,
        author_id=actor.user_id,
        source=f"sales.opportunity:{opportunity['id']}",
        data={"opportunity_id": opportunity["id"], **data},
    )


async def create_opportunity(
    runtime: PluginRuntime,
    actor: Actor,
    currencies: Currencies,
    *,
    process_id: int,
    values: OpportunityValues,
    stage_id: int | None = None,
    opened_at: datetime | None = None,
) -> int:
    require_permission(actor, OPPORTUNITY_WRITE)
    if values.name is None:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    opened = checked_moment(opened_at, ["input", "openedAt"])
    async with runtime.unit_of_work(actor) as uow:
        process = await SalesProcess.select().where(SalesProcess.id == process_id).first()
        if process is None:
            raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["input", "process"])
        if process["archived_at"] is not None:
            raise DomainError("ARCHIVED", _("This sales process is archived."), ["input", "process"])
        stages = (
            await SalesStage.select()
            .where(SalesStage.process == process_id)
            .order_by(SalesStage.position)
            .output(load_json=True)
        )
        stage = stages[0] if stage_id is None else next((s for s in stages if s["id"] == stage_id), None)
        if stage is None:
            raise DomainError("WRONG_PROCESS", _("This stage belongs to another sales process."), ["input", "stage"])
        if values.owner_id is None:
            values.owner_id = actor.user_id
        row = await _checked_values(actor, currencies, values, {"created_at": opened})
        row.setdefault("currency", currencies.reporting)
        row.setdefault("value_base", currencies.to_base(row.get("value", Decimal(0)), row["currency"], ["input"]))
        row.setdefault("custom", await apply_custom_fields(ENTITY, {}, {}, creating=True))
        _require_fields(stage, row)
        [inserted] = await Opportunity.insert(
            Opportunity(
                **row,
                process=process_id,
                stage=stage["id"],
                territory=await _territory_of(row.get("company"), row.get("person")),
                furthest_position=stage["position"],
                stage_entered_at=opened,
                created_at=opened,
                updated_at=opened,
            )
        ).returning(Opportunity.id)
        opportunity_id = inserted["id"]
        await StageChange.insert(
            StageChange(opportunity=opportunity_id, to_stage=stage["id"], changed_at=opened, changed_by=actor.user_id)
        )
        await StageEntry.insert(StageEntry(opportunity=opportunity_id, stage=stage["id"], entered_at=opened))
        await uow.publish(
            OpportunityCreated(opportunity_id=opportunity_id, process_id=process_id, stage_id=stage["id"])
        )
        await _timeline(
            runtime,
            uow,
            {**row, "id": opportunity_id},
            "sales.opportunity_opened",
            row["name"],
            actor,
            opened,
            stage=stage["name"],
        )
    return opportunity_id


async def _locked_opportunity(runtime: PluginRuntime, actor: Actor, opportunity_id: int) -> dict[str, Any]:
    query = (
        Opportunity.select()
        .where((Opportunity.id == opportunity_id) & visible(Opportunity, actor, OPPORTUNITY_WRITE))
        .output(load_json=True)
    )
    if runtime.settings.is_postgres:
        query = query.lock_rows(of=(Opportunity,))
    row = await query.first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["id"])
    return row


async def _last_change_at(opportunity_id: int) -> datetime:
    row = (
        await StageChange.select(StageChange.changed_at)
        .where(StageChange.opportunity == opportunity_id)
        .order_by(StageChange.changed_at, ascending=False)
        .first()
    )
    return row["changed_at"]


def _require_open(opportunity: Mapping[str, Any]) -> None:
    if opportunity["status"] != "open":
        raise DomainError("CLOSED", _("This opportunity is already closed."), ["id"])


async def update_opportunity(
    runtime: PluginRuntime, actor: Actor, currencies: Currencies, opportunity_id: int, values: OpportunityValues
) -> None:
    require_permission(actor, OPPORTUNITY_WRITE)
    async with runtime.unit_of_work(actor):
        before = await _locked_opportunity(runtime, actor, opportunity_id)
        row = await _checked_values(actor, currencies, values, before)
        if before["status"] != "open" and {"value", "currency", "owner", "company", "person"} & set(row):
            # Won and lost figures are history: reports of past periods must not change under them.
            raise DomainError("CLOSED", _("This opportunity is already closed."), ["id"])
        if before["status"] == "open":  # the stage it is in still needs what it needed to enter
            _require_fields(await stage_row(before["stage"], ["id"]), {**before, **row})
        if "company" in row or "person" in row:
            merged = {**before, **row}
            row["territory"] = await _territory_of(merged["company"], merged["person"])
        if row:
            await Opportunity.update({**row, "updated_at": datetime.now(UTC)}).where(Opportunity.id == opportunity_id)


async def _step(
    opportunity: Mapping[str, Any],
    actor: Actor,
    moment: datetime,
    changes: dict[Any, Any],
    *,
    to_stage: int | None = None,
    outcome: str = "open",
) -> None:
    """A move or a close: the opportunity changes and its history gains the step. Progress of
    any kind clears the stuck flag."""
    changes.update({Opportunity.stuck_since: None, Opportunity.updated_at: datetime.now(UTC)})
    await Opportunity.update(changes).where(Opportunity.id == opportunity["id"])
    await StageChange.insert(
        StageChange(
            opportunity=opportunity["id"],
            from_stage=opportunity["stage"],
            to_stage=to_stage,
            outcome=outcome,
            changed_at=moment,
            changed_by=actor.user_id,
        )
    )


async def move_opportunity(
    runtime: PluginRuntime, actor: Actor, opportunity_id: int, stage_id: int, at: datetime | None = None
) -> None:
    require_permission(actor, OPPORTUNITY_WRITE)
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        _require_open(opportunity)
        stage = await stage_row(stage_id, ["input", "stage"], runtime, "KEY SHARE")
        if stage["process"] != opportunity["process"]:
            raise DomainError("WRONG_PROCESS", _("This stage belongs to another sales process."), ["input", "stage"])
        if stage["id"] == opportunity["stage"]:
            raise DomainError("SAME_STAGE", _("The opportunity is already in this stage."), ["input", "stage"])
        _require_fields(stage, opportunity)
        moment = checked_moment(at, ["input", "at"], not_before=await _last_change_at(opportunity_id))
        previous = await stage_row(opportunity["stage"], ["id"])
        await _step(
            opportunity,
            actor,
            moment,
            {
                Opportunity.stage: stage_id,
                Opportunity.stage_entered_at: moment,
                Opportunity.furthest_position: max(opportunity["furthest_position"], stage["position"]),
            },
            to_stage=stage_id,
        )
        if not await StageEntry.exists().where(
            (StageEntry.opportunity == opportunity_id) & (StageEntry.stage == stage_id)
        ):
            await StageEntry.insert(StageEntry(opportunity=opportunity_id, stage=stage_id, entered_at=moment))
        await uow.publish(
            OpportunityStageChanged(opportunity_id=opportunity_id, from_stage_id=previous["id"], to_stage_id=stage_id)
        )
        await _timeline(
            runtime,
            uow,
            opportunity,
            "sales.stage_changed",
            f"{opportunity['name']}: {previous['name']} → {stage['name']}",
            actor,
            moment,
            stage=stage["name"],
            from_stage=previous["name"],
        )


async def _close(
    runtime: PluginRuntime,
    actor: Actor,
    opportunity_id: int,
    outcome: str,
    at: datetime | None,
    reason: str = "",
) -> dict[str, Any]:
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        _require_open(opportunity)
        moment = checked_moment(at, ["input", "at"], not_before=await _last_change_at(opportunity_id))
        await _step(
            opportunity,
            actor,
            moment,
            {Opportunity.status: outcome, Opportunity.closed_at: moment, Opportunity.lost_reason: reason},
            outcome=outcome,
        )
        stage = await stage_row(opportunity["stage"], ["id"])
        if outcome == "won":
            await uow.publish(
                OpportunityWon(
                    opportunity_id=opportunity_id,
                    company_id=opportunity["company"],
                    person_id=opportunity["person"],
                    value=str(amount(opportunity["value"])),
                    currency=opportunity["currency"],
                )
            )
            await _become_customers(runtime, opportunity)
        else:
            await uow.publish(OpportunityLost(opportunity_id=opportunity_id, reason=reason))
        await _timeline(  # the entry's kind says won or lost, in the reader's language
            runtime,
            uow,
            opportunity,
            f"sales.opportunity_{outcome}",
            opportunity["name"],
            actor,
            moment,
            stage=stage["name"],  # not the lost reason: every reader of the client sees the timeline
        )
    return opportunity


async def _become_customers(runtime: PluginRuntime, opportunity: Mapping[str, Any]) -> None:
    """Winning a deal makes the client a customer (the system does it: the rep needs no right to it)."""
    for table, record_id, update in (
        (Company, opportunity["company"], update_company),
        (Person, opportunity["person"], update_person),
    ):
        if record_id is not None and await table.exists().where((table.id == record_id) & table.deleted_at.is_null()):
            await update(runtime, SYSTEM, record_id, {"lifecycle": "customer"})


async def win_opportunity(
    runtime: PluginRuntime, actor: Actor, opportunity_id: int, at: datetime | None = None
) -> None:
    require_permission(actor, OPPORTUNITY_WRITE)
    await _close(runtime, actor, opportunity_id, "won", at)


async def lose_opportunity(
    runtime: PluginRuntime, actor: Actor, opportunity_id: int, reason: str, at: datetime | None = None
) -> None:
    require_permission(actor, OPPORTUNITY_WRITE)
    await _close(runtime, actor, opportunity_id, "lost", at, checked_text(reason, ["input", "reason"], limit=2000))


async def delete_opportunity(runtime: PluginRuntime, actor: Actor, opportunity_id: int) -> None:
    """Remove an opportunity entered by mistake from every list and report (kept for the audit
    trail, like deleted companies); closed deals stay: they are history, not mistakes."""
    require_permission(actor, OPPORTUNITY_WRITE)
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        _require_open(opportunity)
        await Opportunity.update({Opportunity.deleted_at: datetime.now(UTC)}).where(Opportunity.id == opportunity_id)
        await uow.publish(OpportunityDeleted(opportunity_id=opportunity_id))


async def log_contact(
    runtime: PluginRuntime,
    actor: Actor,
    opportunity_id: int,
    *,
    kind: str,
    subject: str,
    body: str = "",
    occurred_at: datetime | None = None,
    duration_minutes: int = 0,
) -> int:
    """A contact about the opportunity: on the client's timeline with the stage it happened in."""
    require_permission(actor, OPPORTUNITY_WRITE)
    if kind not in CONTACT_KINDS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "kind"], allowed=", ".join(CONTACT_KINDS)
        )
    moment = checked_moment(occurred_at, ["input", "occurredAt"])
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        if opportunity["company"] is None and opportunity["person"] is None:
            raise DomainError("NO_SUBJECT", _("Say which company or person this is about."), ["input", "subject"])
        stage = await stage_row(opportunity["stage"], ["id"])
        entry_id = await record_timeline(
            runtime,
            uow,
            kind=kind,
            company_id=opportunity["company"],
            person_id=opportunity["person"],
            subject=checked_text(subject, ["input", "subject"]),
            body=body,
            occurred_at=moment,
            duration_minutes=duration_minutes,
            author_id=actor.user_id,
            source=f"sales.opportunity:{opportunity_id}",
            data={"opportunity_id": opportunity_id, "stage": stage["name"], "stage_id": stage["id"]},
        )
        latest = opportunity["last_contact_at"]
        if latest is None or moment > latest:
            changes: dict[Any, Any] = {Opportunity.last_contact_at: moment}
            if _contact_unsticks(runtime.config, stage, opportunity["stage_entered_at"], moment):
                changes[Opportunity.stuck_since] = None
            await Opportunity.update(changes).where(Opportunity.id == opportunity_id)
    return entry_id


def _contact_unsticks(config: Any, stage: Mapping[str, Any], entered: datetime, contact: datetime) -> bool:
    """A contact clears the stuck flag when it is recent and the deal has not overstayed its stage
    (a call does not shorten a stage: that flag stays until the deal moves)."""
    now = datetime.now(UTC)
    if contact < now - timedelta(days=config.stuck_after_days):
        return False
    return not (stage["expected_days"] and entered < now - timedelta(days=stage["expected_days"]))


def readable(actor: Actor) -> Any:
    """Opportunities the actor may see, as a where-clause (record scope of the role)."""
    return visible(Opportunity, actor, OPPORTUNITY_READ)
