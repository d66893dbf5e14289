"""Lead routing: ordered rules send each new lead to a salesperson, who gets a task to call it.

A rule matches on the lead's territory (or one inside it), its company's size (the ``employees``
custom field) and its source (``form:<key>``, ``import``, ``campaign``…), and names either one
salesperson or a team whose active members take leads in turn. The turn is kept on the rule row,
locked and moved in the transaction that assigns the lead, so leads arriving together are shared
fairly and nobody is skipped or given two in a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.api import (
    SYSTEM,
    Actor,
    Company,
    DomainError,
    Person,
    PluginRuntime,
    Team,
    Territory,
    UnitOfWork,
    User,
    _,
    create_task,
    require_permission,
    update_company,
    update_person,
)
from plugins.marketing.permissions import LEAD_ROUTE
from plugins.marketing.tables import LeadAssignment, RoutingRule

SIZE_FIELD = "employees"  # the company custom field routing reads the company size from
CALL_WITHIN = timedelta(days=1)
MAX_RULES = 200


# --- rules ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleValues:
    name: str
    territory: str | None = None  # a territory code
    min_employees: int | None = None
    max_employees: int | None = None
    source: str = ""
    assignee_id: int | None = None
    team_id: int | None = None
    active: bool = True


async def _checked(values: RuleValues) -> dict[str, Any]:
    name = values.name.strip()
    if not name:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    if (values.assignee_id is None) == (values.team_id is None):
        raise DomainError("ONE_TARGET", _("Give either a salesperson or a team (not both)."), ["input", "assignee"])
    for path, number in (("minEmployees", values.min_employees), ("maxEmployees", values.max_employees)):
        if number is not None and number < 0:
            raise DomainError("NEGATIVE", _("This must not be negative."), ["input", path])
    if (
        values.min_employees is not None
        and values.max_employees is not None
        and values.min_employees > values.max_employees
    ):
        raise DomainError("OUT_OF_RANGE", _("The minimum must not exceed the maximum."), ["input", "maxEmployees"])
    territory = None
    if values.territory:
        row = await Territory.select(Territory.id).where(Territory.code == values.territory.strip()).first()
        if row is None:
            raise DomainError("UNKNOWN_TERRITORY", _("There is no territory with this code."), ["input", "territory"])
        territory = row["id"]
    if values.assignee_id is not None and not await User.exists().where(
        (User.id == values.assignee_id) & (User.is_active == True)  # noqa: E712
    ):
        raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), ["input", "assignee"])
    if values.team_id is not None and not await Team.exists().where(Team.id == values.team_id):
        raise DomainError("UNKNOWN_TEAM", _("There is no team with this id."), ["input", "team"])
    return {
        "name": name[:200],
        "territory": territory,
        "min_employees": values.min_employees,
        "max_employees": values.max_employees,
        "source": values.source.strip()[:100],  # form keys are case-sensitive
        "assignee": values.assignee_id,
        "team": values.team_id,
        "active": values.active,
    }


async def create_rule(runtime: PluginRuntime, actor: Actor, values: RuleValues) -> int:
    """A new rule goes last; reorder to put it first."""
    require_permission(actor, LEAD_ROUTE)
    checked = await _checked(values)
    async with runtime.unit_of_work(actor):
        if await RoutingRule.count() >= MAX_RULES:
            raise DomainError("TOO_MANY", _("At most {limit} routing rules."), ["input"], limit=MAX_RULES)
        last = await RoutingRule.select(RoutingRule.position).order_by(RoutingRule.position, ascending=False).first()
        [row] = await RoutingRule.insert(
            RoutingRule(**checked, position=(last["position"] + 1) if last else 0)
        ).returning(RoutingRule.id)
    return row["id"]


async def _rule_exists(rule_id: int) -> None:
    if not await RoutingRule.exists().where(RoutingRule.id == rule_id):
        raise DomainError("NOT_FOUND", _("No such routing rule."), ["id"])


async def update_rule(runtime: PluginRuntime, actor: Actor, rule_id: int, values: RuleValues) -> int:
    require_permission(actor, LEAD_ROUTE)
    checked = await _checked(values)
    async with runtime.unit_of_work(actor):
        await _rule_exists(rule_id)
        await RoutingRule.update(checked).where(RoutingRule.id == rule_id)
    return rule_id


async def delete_rule(runtime: PluginRuntime, actor: Actor, rule_id: int) -> None:
    require_permission(actor, LEAD_ROUTE)
    async with runtime.unit_of_work(actor):
        await _rule_exists(rule_id)
        await RoutingRule.delete().where(RoutingRule.id == rule_id)


async def reorder_rules(runtime: PluginRuntime, actor: Actor, rule_ids: Sequence[int]) -> None:
    """``rule_ids`` is every rule, in the order they are tried."""
    require_permission(actor, LEAD_ROUTE)
    async with runtime.unit_of_work(actor):
        existing = {row["id"] for row in await RoutingRule.select(RoutingRule.id)}
        if set(rule_ids) != existing or len(rule_ids) != len(existing):
            raise DomainError("NOT_ALL_RULES", _("List every routing rule exactly once."), ["ids"])
        for position, rule_id in enumerate(rule_ids):
            await RoutingRule.update({RoutingRule.position: position}).where(RoutingRule.id == rule_id)


# --- routing -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lead:
    person_id: int | None  # None: a company without a person
    company_id: int | None  # the person's company: its size and territory count
    source: str
    owns_company: bool = True  # False: the company was known already and keeps its owner


async def _territory_ancestry(territory_id: int | None) -> set[int]:
    """The lead's territory and every territory it lies in."""
    found: set[int] = set()
    while territory_id is not None and territory_id not in found:
        found.add(territory_id)
        row = await Territory.select(Territory.parent).where(Territory.id == territory_id).first()
        territory_id = row["parent"] if row else None
    return found


async def _facts(lead: Lead) -> tuple[set[int], int | None]:
    territory = None
    employees = None
    if lead.person_id is not None:
        row = await Person.select(Person.territory).where(Person.id == lead.person_id).first()
        territory = row["territory"] if row else None
    if lead.company_id is not None:
        row = (
            await Company.select(Company.territory, Company.custom)
            .where(Company.id == lead.company_id)
            .output(load_json=True)
            .first()
        )
        if row:
            territory = territory or row["territory"]
            size = (row["custom"] or {}).get(SIZE_FIELD)
            employees = int(size) if isinstance(size, int | float) else None
    return await _territory_ancestry(territory), employees


def _source_matches(rule_source: str, source: str) -> bool:
    return not rule_source or source == rule_source or source.startswith(rule_source + ":")


def _matches(rule: dict[str, Any], territories: set[int], employees: int | None, source: str) -> bool:
    if rule["territory"] is not None and rule["territory"] not in territories:
        return False
    if rule["min_employees"] is not None and (employees is None or employees < rule["min_employees"]):
        return False
    if rule["max_employees"] is not None and (employees is None or employees > rule["max_employees"]):
        return False
    return _source_matches(rule["source"], source)


async def _next_in_team(runtime: PluginRuntime, rule_id: int) -> int | None:
    """The team member after the one who got the last lead; the rule row stays locked until the
    transaction ends, so a concurrent lead waits and then sees the moved pointer."""
    query = RoutingRule.select(RoutingRule.team, RoutingRule.last_assigned).where(RoutingRule.id == rule_id)
    if runtime.settings.is_postgres:
        query = query.lock_rows()
    # On SQLite the unit of work holds the database's write lock from its start: leads queue anyway.
    rule = await query.first()
    members = [
        row["id"]
        for row in await User.select(User.id)
        .where((User.team == rule["team"]) & (User.is_active == True))  # noqa: E712
        .order_by(User.id)
    ]
    if not members:
        return None
    last = rule["last_assigned"]
    chosen = next((member for member in members if last is None or member > last), members[0])
    await RoutingRule.update({RoutingRule.last_assigned: chosen}).where(RoutingRule.id == rule_id)
    return chosen


async def _owner_for(runtime: PluginRuntime, lead: Lead) -> tuple[int | None, int | None]:
    """The rule that takes the lead and the salesperson it gives it to."""
    territories, employees = await _facts(lead)
    rules = await RoutingRule.select().where(RoutingRule.active == True).order_by(RoutingRule.position, RoutingRule.id)  # noqa: E712
    for rule in rules:
        if not _matches(rule, territories, employees, lead.source):
            continue
        if rule["assignee"] is not None:
            if await User.exists().where((User.id == rule["assignee"]) & (User.is_active == True)):  # noqa: E712
                return rule["id"], rule["assignee"]
            continue  # the named salesperson left: a later rule may still place the lead
        owner = await _next_in_team(runtime, rule["id"])
        if owner is not None:
            return rule["id"], owner
    return None, None


def _lead_name(names: dict[str, Any]) -> str:
    return names.get("person") or names.get("company") or "?"


async def _names(lead: Lead) -> dict[str, Any]:
    names: dict[str, Any] = {}
    if lead.person_id is not None:
        row = await Person.select(Person.first_name, Person.last_name).where(Person.id == lead.person_id).first()
        names["person"] = f"{row['first_name']} {row['last_name']}".strip()
    if lead.company_id is not None:
        row = await Company.select(Company.name).where(Company.id == lead.company_id).first()
        names["company"] = row["name"]
    return names


async def route_lead(runtime: PluginRuntime, uow: UnitOfWork, lead: Lead) -> int | None:
    """Give a new lead an owner and them a task to call it, within ``uow``; returns the owner.

    A lead is routed once: a second call (a retried job, an event delivered twice) changes nothing.
    """
    existing = LeadAssignment.select(LeadAssignment.owner)
    if lead.person_id is not None:
        existing = existing.where(LeadAssignment.person == lead.person_id)
    else:
        existing = existing.where((LeadAssignment.company == lead.company_id) & LeadAssignment.person.is_null())
    done = await existing.first()
    if done is not None:
        return done["owner"]
    rule_id, owner = await _owner_for(runtime, lead)
    task_id = None
    if owner is not None:
        if lead.person_id is not None:
            await update_person(runtime, SYSTEM, lead.person_id, {}, owner_id=owner)
        if lead.company_id is not None and lead.owns_company:
            await update_company(runtime, SYSTEM, lead.company_id, {}, owner_id=owner)
        user = await User.select(User.locale).where(User.id == owner).first()
        names = await _names(lead)
        task_id = await create_task(
            runtime,
            SYSTEM,
            title=runtime.translator.text(user["locale"], _("Call the new lead: {name}"), {"name": _lead_name(names)}),
            description=runtime.translator.text(user["locale"], _("Source: {source}"), {"source": lead.source}),
            due_at=datetime.now(UTC) + CALL_WITHIN,
            assignee_id=owner,
            person_id=lead.person_id,
            company_id=lead.company_id,
        )
    await LeadAssignment.insert(
        LeadAssignment(
            person=lead.person_id,
            company=lead.company_id,
            source=lead.source,
            rule=rule_id,
            owner=owner,
            task_id=task_id,
        )
    )
    return owner


async def route_new_record(
    runtime: PluginRuntime, uow: UnitOfWork, *, person_id: int | None, company_id: int | None
) -> None:
    """A lead created elsewhere (an import, by the system) without an owner is routed too; one a
    salesperson entered is theirs already and is left alone."""
    table, record_id = (Person, person_id) if person_id is not None else (Company, company_id)
    row = await table.select(table.lifecycle, table.owner, table.deleted_at).where(table.id == record_id).first()
    if row is None or row["lifecycle"] != "lead" or row["owner"] is not None or row["deleted_at"] is not None:
        return
    if company_id is not None and await LeadAssignment.exists().where(LeadAssignment.company == company_id):
        return  # routed with its person (a form lead)
    await route_lead(runtime, uow, Lead(person_id, company_id, "other", owns_company=company_id is not None))
