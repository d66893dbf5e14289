"""Leads qualified and converted: a person (and company) becomes an opportunity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.api import (
    Actor,
    Company,
    ContactInput,
    ContactPoint,
    DomainError,
    Employment,
    EmploymentInput,
    Person,
    PluginRuntime,
    Related,
    _,
    create_company,
    create_person,
    name_key,
    normalise_email,
    normalise_nip,
    require_permission,
    require_reachable,
    update_company,
    update_person,
    visible,
)
from plugins.sales.events import LeadConverted, LeadQualified
from plugins.sales.permissions import OPPORTUNITY_WRITE
from plugins.sales.services.opportunities import OpportunityValues, create_opportunity
from plugins.sales.services.values import Currencies


async def qualify_lead(
    runtime: PluginRuntime,
    actor: Actor,
    *,
    company_id: int | None,
    person_id: int | None,
    qualification: Mapping[str, Any],
) -> None:
    """A lead found worth pursuing: it becomes qualified and keeps what qualification found out."""
    require_permission(actor, OPPORTUNITY_WRITE)
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


async def _advance_lifecycle(runtime: PluginRuntime, actor: Actor, table: Any, record_id: int, update: Any) -> None:
    row = await table.select(table.lifecycle).where(table.id == record_id).first()
    if row["lifecycle"] == "lead":
        await update(runtime, actor, record_id, {"lifecycle": "qualified"})


async def convert_lead(
    runtime: PluginRuntime,
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
    require_permission(actor, OPPORTUNITY_WRITE)
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
