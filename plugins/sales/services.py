"""Business rules of sales: processes and stages, opportunities and their history, leads
qualified and converted, plans. No GraphQL here; reports live in ``reports.py``.

Every change runs in one unit of work: a refused change (a ``DomainError``) writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from piccolo.querystring import QueryString

from core.api import (
    SYSTEM,
    Actor,
    Company,
    ContactInput,
    ContactPoint,
    DomainError,
    Employment,
    EmploymentInput,
    Person,
    Related,
    Runtime,
    Team,
    UnitOfWork,
    User,
    _,
    apply_custom_fields,
    create_company,
    create_person,
    custom_field_definitions,
    name_key,
    normalise_email,
    normalise_nip,
    record_timeline,
    require_reachable,
    update_company,
    update_person,
    visible,
)
from plugins.sales.events import (
    LeadConverted,
    LeadQualified,
    OpportunityCreated,
    OpportunityDeleted,
    OpportunityLost,
    OpportunityStageChanged,
    OpportunityWon,
)
from plugins.sales.permissions import OPPORTUNITY_READ, OPPORTUNITY_WRITE, PLAN_MANAGE, PROCESS_MANAGE, REPORT_READ
from plugins.sales.tables import Opportunity, SalesPlan, SalesProcess, SalesStage, StageChange, StageEntry

ENTITY = "sales.opportunity"  # custom fields of opportunities
ERASED = "—"  # the name of a deal whose person was erased (GDPR)
NO_TEAM = 0  # update_process(team_id=NO_TEAM): the process belongs to no team any more
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")
# What a stage may require before an opportunity enters it (besides "custom.<key>").
REQUIRED_FIELD_NAMES = ("value", "expectedCloseDate", "company", "person", "competitors")
CONTACT_KINDS = ("core.call", "core.email", "core.meeting", "core.note")


def config_of(runtime: Runtime) -> Any:
    """The plugin's validated settings (``plugin.SalesConfig``) in this deployment."""
    return runtime.plugins.plugin("sales").config


def currencies_of(runtime: Runtime) -> Currencies:
    return config_of(runtime).currencies()


# --- small checks -------------------------------------------------------------------------------
def forbidden(permission: str) -> DomainError:
    return DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=permission)


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        raise forbidden(permission)


def _text(value: str, path: list[str], *, limit: int = 300, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("BLANK", _("This field must not be blank."), path)
    if len(value) > limit:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), path, limit=limit)
    return value


def amount(value: Any) -> Decimal:
    """An amount read from the database with two decimal places whatever the engine returned
    (SQLite gives 510000 for 510000.00, sums as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def money(value: Any, path: list[str]) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise DomainError("INVALID_AMOUNT", _("Not an amount of money."), path) from None
    if amount < 0:
        raise DomainError("NEGATIVE", _("This must not be negative."), path)
    if amount > MAX_AMOUNT:
        raise DomainError("OUT_OF_RANGE", _("The amount is too large."), path)
    return amount


@dataclass(frozen=True)
class Currencies:
    """The reporting currency and the others accepted, with how much one unit is worth in it."""

    reporting: str
    rates: Mapping[str, Decimal]

    def rate(self, code: str, path: list[str]) -> Decimal:
        code = (code or "").strip().upper()
        if code == self.reporting:
            return Decimal(1)
        if code not in self.rates:
            raise DomainError(
                "CURRENCY_NOT_CONFIGURED",
                _("The currency {currency} is not configured (configured: {configured})."),
                path,
                currency=code,
                configured=", ".join([self.reporting, *sorted(self.rates)]),
            )
        return self.rates[code]

    def to_base(self, value: Decimal, code: str, path: list[str]) -> Decimal:
        return (value * self.rate(code, path)).quantize(CENT)


def _moment(value: datetime | None, path: list[str], *, not_before: datetime | None = None) -> datetime:
    """When something happened: now, or a moment in the past given by the user (entering what
    happened yesterday, or importing history), never in the future nor before what preceded it."""
    now = datetime.now(UTC)
    if value is None:
        return now if not_before is None else max(now, not_before)
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    if moment > now + timedelta(minutes=5):
        raise DomainError("IN_THE_FUTURE", _("This date is in the future."), path)
    if not_before is not None and moment < not_before:
        raise DomainError("BEFORE_PREVIOUS", _("This is earlier than the previous change of the opportunity."), path)
    return moment


# --- processes and stages ---------------------------------------------------------------------------
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
        "name": _text(stage.name, [*path, "name"], limit=200),
        "probability": stage.probability,
        "required_fields": required,
        "expected_days": stage.expected_days,
    }


async def _team(team_id: int | None, path: list[str]) -> int | None:
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
    runtime: Runtime,
    actor: Actor,
    *,
    name: str,
    stages: Sequence[StageInput],
    description: str = "",
    team_id: int | None = None,
) -> int:
    require(actor, PROCESS_MANAGE)
    name = _text(name, ["input", "name"], limit=200)
    if not stages:
        raise DomainError("NO_STAGES", _("A sales process needs at least one stage."), ["input", "stages"])
    checked = [await _check_stage(stage, ["input", "stages", str(i)]) for i, stage in enumerate(stages)]
    _unique_stage_names([stage["name"] for stage in checked], ["input", "stages"])
    async with runtime.unit_of_work(actor):
        await _name_free(name)
        [row] = await SalesProcess.insert(
            SalesProcess(
                name=name,
                description=_text(description, ["input", "description"], limit=5000, required=False),
                team=await _team(team_id, ["input", "team"]),
            )
        ).returning(SalesProcess.id)
        await SalesStage.insert(
            *[SalesStage(process=row["id"], position=i + 1, **stage) for i, stage in enumerate(checked)]
        )
    return row["id"]


async def _locked_process(runtime: Runtime, process_id: int) -> dict[str, Any]:
    query = SalesProcess.select().where(SalesProcess.id == process_id)
    if runtime.settings.is_postgres:
        query = query.lock_rows()
    row = await query.first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["id"])
    return row


async def update_process(
    runtime: Runtime,
    actor: Actor,
    process_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    team_id: int | None = None,
    archived: bool | None = None,
) -> None:
    require(actor, PROCESS_MANAGE)
    async with runtime.unit_of_work(actor):
        await _locked_process(runtime, process_id)
        changes: dict[Any, Any] = {}
        if name is not None:
            changes[SalesProcess.name] = _text(name, ["input", "name"], limit=200)
            await _name_free(changes[SalesProcess.name], except_id=process_id)
        if description is not None:
            changes[SalesProcess.description] = _text(description, ["input", "description"], limit=5000, required=False)
        if team_id is not None:  # NO_TEAM hands the process back to everyone
            changes[SalesProcess.team] = None if team_id == NO_TEAM else await _team(team_id, ["input", "team"])
        if archived is not None:
            changes[SalesProcess.archived_at] = datetime.now(UTC) if archived else None
        if changes:
            await SalesProcess.update(changes).where(SalesProcess.id == process_id)


async def _stage(stage_id: int, path: list[str], runtime: Runtime | None = None, lock: str = "") -> dict[str, Any]:
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


async def add_stage(runtime: Runtime, actor: Actor, process_id: int, stage: StageInput, position: int | None) -> int:
    """Insert a stage at ``position`` (1 = first; None = last); the stages after it move down."""
    require(actor, PROCESS_MANAGE)
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


async def update_stage(runtime: Runtime, actor: Actor, stage_id: int, stage: StageInput) -> None:
    require(actor, PROCESS_MANAGE)
    checked = await _check_stage(stage, ["input"])
    async with runtime.unit_of_work(actor):
        current = await _stage(stage_id, ["id"])
        await _locked_process(runtime, current["process"])
        others = await SalesStage.select(SalesStage.name).where(
            (SalesStage.process == current["process"]) & (SalesStage.id != stage_id)
        )
        _unique_stage_names([row["name"] for row in others] + [checked["name"]], ["input", "stages"])
        await SalesStage.update(checked).where(SalesStage.id == stage_id)


async def delete_stage(runtime: Runtime, actor: Actor, stage_id: int) -> None:
    """Only a stage no opportunity stands or ended in may go (the history's moves through it lose
    their stage: set null)."""
    require(actor, PROCESS_MANAGE)
    async with runtime.unit_of_work(actor):
        await _locked_process(runtime, (await _stage(stage_id, ["id"]))["process"])
        current = await _stage(stage_id, ["id"], runtime, "UPDATE")  # again, now that nobody reorders
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


async def reorder_stages(runtime: Runtime, actor: Actor, process_id: int, stage_ids: Sequence[int]) -> None:
    require(actor, PROCESS_MANAGE)
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


# --- opportunities ------------------------------------------------------------------------------
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
            "name": _text(str(item.get("name") or ""), [*path, "name"], limit=200),
            "strengths": _text(str(item.get("strengths") or ""), [*path, "strengths"], limit=2000, required=False),
            "weaknesses": _text(str(item.get("weaknesses") or ""), [*path, "weaknesses"], limit=2000, required=False),
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


async def _active_user(owner_id: int, path: list[str]) -> int:
    if not await User.exists().where((User.id == owner_id) & (User.is_active == True)):  # noqa: E712
        raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), path)
    return owner_id


async def _checked_values(
    actor: Actor, currencies: Currencies, values: OpportunityValues, before: Mapping[str, Any]
) -> dict[str, Any]:
    """Columns to write, from what was given, checked against the record as it was."""
    row: dict[str, Any] = {}
    if values.name is not None:
        row["name"] = _text(values.name, ["input", "name"])
    for key, table, permission in (
        ("company_id", Company, "core.company.read"),
        ("person_id", Person, "core.person.read"),
    ):
        record_id = getattr(values, key)
        if record_id is not None:
            await require_reachable(table, record_id, actor, permission, ["input", key.removesuffix("_id")])
            row[key.removesuffix("_id")] = record_id
    if values.owner_id is not None and values.owner_id != before.get("owner"):
        row["owner"] = await _active_user(values.owner_id, ["input", "owner"])
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
        row["source"] = _text(values.source, ["input", "source"], limit=64, required=False)
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
    runtime: Runtime,
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
    runtime: Runtime,
    actor: Actor,
    currencies: Currencies,
    *,
    process_id: int,
    values: OpportunityValues,
    stage_id: int | None = None,
    opened_at: datetime | None = None,
) -> int:
    require(actor, OPPORTUNITY_WRITE)
    if values.name is None:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    opened = _moment(opened_at, ["input", "openedAt"])
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


async def _locked_opportunity(runtime: Runtime, actor: Actor, opportunity_id: int) -> dict[str, Any]:
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
    runtime: Runtime, actor: Actor, currencies: Currencies, opportunity_id: int, values: OpportunityValues
) -> None:
    require(actor, OPPORTUNITY_WRITE)
    async with runtime.unit_of_work(actor):
        before = await _locked_opportunity(runtime, actor, opportunity_id)
        row = await _checked_values(actor, currencies, values, before)
        if before["status"] != "open" and {"value", "currency", "owner", "company", "person"} & set(row):
            # Won and lost figures are history: reports of past periods must not change under them.
            raise DomainError("CLOSED", _("This opportunity is already closed."), ["id"])
        if before["status"] == "open":  # the stage it is in still needs what it needed to enter
            _require_fields(await _stage(before["stage"], ["id"]), {**before, **row})
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
    runtime: Runtime, actor: Actor, opportunity_id: int, stage_id: int, at: datetime | None = None
) -> None:
    require(actor, OPPORTUNITY_WRITE)
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        _require_open(opportunity)
        stage = await _stage(stage_id, ["input", "stage"], runtime, "KEY SHARE")
        if stage["process"] != opportunity["process"]:
            raise DomainError("WRONG_PROCESS", _("This stage belongs to another sales process."), ["input", "stage"])
        if stage["id"] == opportunity["stage"]:
            raise DomainError("SAME_STAGE", _("The opportunity is already in this stage."), ["input", "stage"])
        _require_fields(stage, opportunity)
        moment = _moment(at, ["input", "at"], not_before=await _last_change_at(opportunity_id))
        previous = await _stage(opportunity["stage"], ["id"])
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
    runtime: Runtime,
    actor: Actor,
    opportunity_id: int,
    outcome: str,
    at: datetime | None,
    reason: str = "",
) -> dict[str, Any]:
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        _require_open(opportunity)
        moment = _moment(at, ["input", "at"], not_before=await _last_change_at(opportunity_id))
        await _step(
            opportunity,
            actor,
            moment,
            {Opportunity.status: outcome, Opportunity.closed_at: moment, Opportunity.lost_reason: reason},
            outcome=outcome,
        )
        stage = await _stage(opportunity["stage"], ["id"])
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


async def _become_customers(runtime: Runtime, opportunity: Mapping[str, Any]) -> None:
    """Winning a deal makes the client a customer (the system does it: the rep needs no right to it)."""
    for table, record_id, update in (
        (Company, opportunity["company"], update_company),
        (Person, opportunity["person"], update_person),
    ):
        if record_id is not None and await table.exists().where((table.id == record_id) & table.deleted_at.is_null()):
            await update(runtime, SYSTEM, record_id, {"lifecycle": "customer"})


async def win_opportunity(runtime: Runtime, actor: Actor, opportunity_id: int, at: datetime | None = None) -> None:
    require(actor, OPPORTUNITY_WRITE)
    await _close(runtime, actor, opportunity_id, "won", at)


async def lose_opportunity(
    runtime: Runtime, actor: Actor, opportunity_id: int, reason: str, at: datetime | None = None
) -> None:
    require(actor, OPPORTUNITY_WRITE)
    await _close(runtime, actor, opportunity_id, "lost", at, _text(reason, ["input", "reason"], limit=2000))


async def delete_opportunity(runtime: Runtime, actor: Actor, opportunity_id: int) -> None:
    """Remove an opportunity entered by mistake from every list and report (kept for the audit
    trail, like deleted companies); closed deals stay: they are history, not mistakes."""
    require(actor, OPPORTUNITY_WRITE)
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        _require_open(opportunity)
        await Opportunity.update({Opportunity.deleted_at: datetime.now(UTC)}).where(Opportunity.id == opportunity_id)
        await uow.publish(OpportunityDeleted(opportunity_id=opportunity_id))


async def log_contact(
    runtime: Runtime,
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
    require(actor, OPPORTUNITY_WRITE)
    if kind not in CONTACT_KINDS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "kind"], allowed=", ".join(CONTACT_KINDS)
        )
    moment = _moment(occurred_at, ["input", "occurredAt"])
    async with runtime.unit_of_work(actor) as uow:
        opportunity = await _locked_opportunity(runtime, actor, opportunity_id)
        if opportunity["company"] is None and opportunity["person"] is None:
            raise DomainError("NO_SUBJECT", _("Say which company or person this is about."), ["input", "subject"])
        stage = await _stage(opportunity["stage"], ["id"])
        entry_id = await record_timeline(
            runtime,
            uow,
            kind=kind,
            company_id=opportunity["company"],
            person_id=opportunity["person"],
            subject=_text(subject, ["input", "subject"]),
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
            if _contact_unsticks(config_of(runtime), stage, opportunity["stage_entered_at"], moment):
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


# --- leads ------------------------------------------------------------------------------------------
async def qualify_lead(
    runtime: Runtime,
    actor: Actor,
    *,
    company_id: int | None,
    person_id: int | None,
    qualification: Mapping[str, Any],
) -> None:
    """A lead found worth pursuing: it becomes qualified and keeps what qualification found out."""
    require(actor, OPPORTUNITY_WRITE)
    if (company_id is None) == (person_id is None):
        raise DomainError("ONE_SUBJECT", _("Give either a company or a person."), ["input"])
    table, record_id, update, path = (
        (Company, company_id, update_company, "company")
        if company_id is not None
        else (Person, person_id, update_person, "person")
    )
    async with runtime.unit_of_work(actor) as uow:
        await require_reachable(table, record_id, actor, f"core.{path}.write", ["input", path])
        row = (
            await table.select(table.lifecycle, table.qualification)
            .where(table.id == record_id)
            .output(load_json=True)
            .first()
        )
        if row["lifecycle"] != "lead":
            raise DomainError("NOT_A_LEAD", _("This record is not a lead any more."), ["input", path])
        await update(
            runtime,
            actor,
            record_id,
            {"lifecycle": "qualified", "qualification": {**(row["qualification"] or {}), **qualification}},
        )
        await uow.publish(LeadQualified(company_id=company_id, person_id=person_id))


@dataclass(frozen=True)
class NewCompany:
    name: str
    nip: str = ""


@dataclass(frozen=True)
class NewPerson:
    last_name: str
    first_name: str = ""
    email: str = ""
    position: str = ""


async def _match_company(actor: Actor, new: NewCompany) -> int | None:
    """An existing company the lead names: by NIP first, then by the same name (case and
    punctuation aside: the names' Polish sort keys are equal), when exactly one company has it."""
    scope = visible(Company, actor, "core.company.read")
    if new.nip:
        nip = normalise_nip(new.nip, ["input", "newCompany", "nip"])
        row = await Company.select(Company.id).where((Company.nip == nip) & scope).first()
        if row:
            return row["id"]
    rows = await Company.select(Company.id).where(scope & (Company.sort_name == name_key(new.name))).limit(2)
    return rows[0]["id"] if len(rows) == 1 else None


async def _match_person(actor: Actor, new: NewPerson, company_id: int | None) -> int | None:
    """An existing person: by e-mail address, else by name at the same company."""
    scope = visible(Person, actor, "core.person.read")
    if new.email:
        email = normalise_email(new.email, ["input", "newPerson", "email"])
        rows = await ContactPoint.select(ContactPoint.person).where(
            (ContactPoint.kind == "email") & (ContactPoint.value == email) & ContactPoint.person.is_not_null()
        )
        ids = [row["person"] for row in rows]
        if ids:
            found = await Person.select(Person.id).where(Person.id.is_in(ids) & scope).first()
            if found:
                return found["id"]
    if company_id is not None:
        rows = await Employment.select(
            Employment.person.id, Employment.person.first_name, Employment.person.last_name
        ).where((Employment.company == company_id) & visible(Employment.person, actor, "core.person.read"))
        for row in rows:
            if (row["person.last_name"].casefold(), row["person.first_name"].casefold()) == (
                new.last_name.strip().casefold(),
                new.first_name.strip().casefold(),
            ):
                return row["person.id"]
    return None


async def _primary_company(actor: Actor, person_id: int) -> int | None:
    """The company the person works at (the primary one first), if the actor may change it."""
    row = (
        await Employment.select(Employment.company)
        .where((Employment.person == person_id) & visible(Employment.company, actor, "core.company.write"))
        .order_by(Employment.is_primary, ascending=False)
        .first()
    )
    return row["company"] if row else None


def _under(error: DomainError, name: str) -> DomainError:
    """An error of the core's create input, pointed at the lead's ``name`` input instead."""
    rest = list(error.field[1:])
    if rest[:1] == ["emails"]:
        rest = ["email"]
    return DomainError(error.code, error.message, ["input", name, *rest], **error.params)


async def _create_person(*args: Any) -> int:
    try:
        return await create_person(*args)
    except DomainError as error:
        raise _under(error, "newPerson") from None


async def _advance_lifecycle(runtime: Runtime, actor: Actor, table: Any, record_id: int, update: Any) -> None:
    row = await table.select(table.lifecycle).where(table.id == record_id).first()
    if row["lifecycle"] == "lead":
        await update(runtime, actor, record_id, {"lifecycle": "qualified"})


async def convert_lead(
    runtime: Runtime,
    actor: Actor,
    currencies: Currencies,
    *,
    process_id: int,
    values: OpportunityValues,
    company_id: int | None = None,
    person_id: int | None = None,
    new_company: NewCompany | None = None,
    new_person: NewPerson | None = None,
) -> tuple[int, int | None, int | None]:
    """Turn a lead into an opportunity with a company and a person, reusing the records the CRM
    already has (matched by NIP, name, e-mail) instead of creating duplicates.

    Returns the opportunity's, the company's and the person's ids."""
    require(actor, OPPORTUNITY_WRITE)
    if company_id is not None and new_company is not None:
        raise DomainError("ONE_SUBJECT", _("Give either an existing company or a new one."), ["input", "newCompany"])
    if person_id is not None and new_person is not None:
        raise DomainError("ONE_SUBJECT", _("Give either an existing person or a new one."), ["input", "newPerson"])
    if company_id is None and person_id is None and new_company is None and new_person is None:
        raise DomainError("NO_SUBJECT", _("Say which company or person this is about."), ["input"])
    async with runtime.unit_of_work(actor) as uow:
        if company_id is not None:
            await require_reachable(Company, company_id, actor, "core.company.write", ["input", "company"])
        if person_id is not None:
            await require_reachable(Person, person_id, actor, "core.person.write", ["input", "person"])
            company_id = (
                company_id if company_id is not None or new_company else await _primary_company(actor, person_id)
            )
        if new_company is not None:
            company_id = await _match_company(actor, new_company)
            if company_id is None:
                try:
                    company_id = await create_company(
                        runtime,
                        actor,
                        {"name": new_company.name, "nip": new_company.nip, "lifecycle": "qualified"},
                    )
                except DomainError as error:
                    raise _under(error, "newCompany") from None
        if new_person is not None:
            person_id = await _match_person(actor, new_person, company_id)
            if person_id is None:
                person_id = await _create_person(
                    runtime,
                    actor,
                    {"first_name": new_person.first_name, "last_name": new_person.last_name, "lifecycle": "qualified"},
                    Related(
                        emails=[ContactInput(new_person.email, is_primary=True)] if new_person.email else None,
                        employments=[EmploymentInput(company_id, new_person.position, True)] if company_id else None,
                    ),
                )
        if company_id is not None:
            await _advance_lifecycle(runtime, actor, Company, company_id, update_company)
        if person_id is not None:
            await _advance_lifecycle(runtime, actor, Person, person_id, update_person)
        values.company_id, values.person_id = company_id, person_id
        values.source = values.source if values.source is not None else "lead"
        opportunity_id = await create_opportunity(runtime, actor, currencies, process_id=process_id, values=values)
        await uow.publish(LeadConverted(opportunity_id=opportunity_id, company_id=company_id, person_id=person_id))
    return opportunity_id, company_id, person_id


# --- plans ------------------------------------------------------------------------------------------
async def set_plan(
    runtime: Runtime,
    actor: Actor,
    *,
    user: int | None,
    team: int | None,
    period_start: date,
    period_end: date,
    target_value: Decimal,
    target_deals: int = 0,
) -> int:
    """Set (or replace) the plan of one rep or one team for one period."""
    require(actor, PLAN_MANAGE)
    if (user is None) == (team is None):
        raise DomainError("ONE_SUBJECT", _("Give either a user or a team."), ["input"])
    if period_end < period_start:
        raise DomainError("END_BEFORE_START", _("The period ends before it starts."), ["input", "periodEnd"])
    if target_deals < 0:
        raise DomainError("NEGATIVE", _("This must not be negative."), ["input", "targetDeals"])
    target = money(target_value, ["input", "targetValue"])
    async with runtime.unit_of_work(actor):
        if user is not None:
            await _active_user(user, ["input", "user"])
        else:
            await _team(team, ["input", "team"])
        await _may_plan(actor, user, team)
        who = SalesPlan.user == user if user is not None else SalesPlan.team == team
        same = (
            await SalesPlan.select(SalesPlan.id)
            .where(who & (SalesPlan.period_start == period_start) & (SalesPlan.period_end == period_end))
            .first()
        )
        values = {
            SalesPlan.target_value: target,
            SalesPlan.target_deals: target_deals,
            SalesPlan.updated_at: datetime.now(UTC),
        }
        if same:
            await SalesPlan.update(values).where(SalesPlan.id == same["id"])
            return same["id"]
        [row] = await SalesPlan.insert(
            SalesPlan(
                user=user,
                team=team,
                period_start=period_start,
                period_end=period_end,
                target_value=target,
                target_deals=target_deals,
            )
        ).returning(SalesPlan.id)
    return row["id"]


def visible_plans(actor: Actor) -> Any:
    """Plans the actor may see, as a where-clause: everyone's with the "all" reach of
    ``sales.report.read``; a team's leader their team's plan and its members'; anyone else their
    own and their team's."""
    reach = actor.scope_for(REPORT_READ)
    if reach == "all":
        return SalesPlan.id.is_not_null()
    condition = SalesPlan.user == (actor.user_id or -1)
    if actor.team_id is not None:
        condition |= SalesPlan.team == actor.team_id
        if reach == "team":
            condition |= SalesPlan.user.is_in(User.select(User.id).where(User.team == actor.team_id))
    return condition


async def _may_plan(actor: Actor, user: int | None, team: int | None) -> None:
    """Plans are set within the reach of ``sales.plan.manage``: a team's leader plans the team and
    its members, an "all" reach anyone."""
    reach = actor.scope_for(PLAN_MANAGE)
    if reach == "all" or (user is not None and user == actor.user_id):
        return
    if reach == "team" and actor.team_id is not None:
        if team == actor.team_id:
            return
        if user is not None and await User.exists().where((User.id == user) & (User.team == actor.team_id)):
            return
    raise DomainError(
        "FORBIDDEN", _("You may set plans only for your team and its members."), ["input", "user" if user else "team"]
    )


def readable(actor: Actor) -> Any:
    """Opportunities the actor may see, as a where-clause (record scope of the role)."""
    return visible(Opportunity, actor, OPPORTUNITY_READ)


async def person_export(person_id: int) -> dict[str, Any]:
    """The person's opportunities, for a GDPR export."""
    rows = await Opportunity.select(
        Opportunity.id,
        Opportunity.name,
        Opportunity.status,
        Opportunity.value,
        Opportunity.currency,
        Opportunity.created_at,
        Opportunity.closed_at,
    ).where(Opportunity.person == person_id)
    return {
        "opportunities": [
            {
                **row,
                "value": str(amount(row["value"])),
                "created_at": row["created_at"].isoformat(),
                "closed_at": row["closed_at"].isoformat() if row["closed_at"] else None,
            }
            for row in rows
        ]
    }


async def person_erase(person_id: int) -> None:
    """GDPR erasure: the person's own deals keep their figures (the funnel's history) but lose
    their name and custom values; deals with a company only lose the person."""
    alone = (Opportunity.person == person_id) & Opportunity.company.is_null()
    await Opportunity.update({Opportunity.name: ERASED, Opportunity.custom: {}}).where(alone)
    await Opportunity.update({Opportunity.person: None}).where(
        (Opportunity.person == person_id) & Opportunity.company.is_not_null()
    )


async def follow_company_merge(event: Any, ctx: Any) -> None:
    """Sync subscriber of ``core.company_merged``: the loser's deals go to the winner (and its
    territory, so they stay where the winner's reps see them)."""
    winner = await Company.select(Company.territory).where(Company.id == event.company_id).first()
    await Opportunity.update(
        {Opportunity.company: event.company_id, Opportunity.territory: winner["territory"] if winner else None}
    ).where(Opportunity.company == event.loser_id)


async def follow_person_merge(event: Any, ctx: Any) -> None:
    """Sync subscriber of ``core.person_merged``."""
    await Opportunity.update({Opportunity.person: event.person_id}).where(Opportunity.person == event.loser_id)


# --- what other plugins ask of sales ----------------------------------------------------------------
def won_deal_persons(params: Mapping[str, Any], sqlite: bool) -> QueryString:
    """Persons on a deal won since ``since`` — or working at a company that won one."""
    since = params["since"]
    return QueryString(
        "SELECT person FROM sales_opportunity WHERE status = 'won' AND deleted_at IS NULL AND person IS NOT NULL "
        "AND closed_at >= {} "
        "UNION SELECT core_employment.person FROM core_employment JOIN sales_opportunity "
        "ON sales_opportunity.company = core_employment.company WHERE sales_opportunity.status = 'won' "
        "AND sales_opportunity.deleted_at IS NULL AND sales_opportunity.closed_at >= {}",
        since,
        since,
    )


def open_deal_persons(params: Mapping[str, Any], sqlite: bool) -> QueryString:
    return QueryString(
        "SELECT person FROM sales_opportunity WHERE status = 'open' AND deleted_at IS NULL AND person IS NOT NULL"
    )


async def attributed_revenue(contacts: list[tuple[int, datetime]], window_days: int, currency: str) -> dict[str, Any]:
    """Deals won on which a contacted person is the client, within the window after the contact."""
    first_contact: dict[int, datetime] = {}
    for person_id, at in contacts:
        if person_id not in first_contact or at < first_contact[person_id]:
            first_contact[person_id] = at
    deals, revenue = 0, Decimal("0")
    ids = sorted(first_contact)
    for start in range(0, len(ids), 5_000):
        rows = await Opportunity.select(Opportunity.person, Opportunity.closed_at, Opportunity.value_base).where(
            Opportunity.person.is_in(ids[start : start + 5_000])
            & (Opportunity.status == "won")
            & Opportunity.deleted_at.is_null()
        )
        for row in rows:
            closed = row["closed_at"] if row["closed_at"].tzinfo else row["closed_at"].replace(tzinfo=UTC)
            contacted = first_contact[row["person"]]
            if contacted <= closed <= contacted + timedelta(days=window_days):
                deals += 1
                revenue += Decimal(str(row["value_base"] or 0))
    return {"deals": deals, "revenue": revenue, "currency": currency}
