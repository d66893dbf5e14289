"""Mutations of the client file: create, change, delete and merge companies and persons.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import attempt, decode_id
from core.crm import services as crm
from core.crm.graphql.loaders import _load
from core.crm.graphql.types import CompanyRef, CounterpartyKind, Lifecycle, PersonRef
from core.crm.merge import merge
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.permissions import mutation
from core.i18n import _


# --- mutations -------------------------------------------------------------------------------------
@strawberry.input
class ContactPointInput:
    value: str
    label: str = ""
    is_primary: bool = False


@strawberry.input
class AddressInput:
    kind: str = "office"
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "PL"
    notes: str = ""


@strawberry.input
class EmploymentInput:
    company: relay.GlobalID
    position: str = ""
    is_primary: bool = False


@strawberry.input
class CompanyCreateInput:
    name: str
    kind: CounterpartyKind = CounterpartyKind.B2B
    lifecycle: Lifecycle = Lifecycle.LEAD
    status: str = "active"
    classification: str = ""
    nip: str | None = None
    regon: str | None = None
    website: str = ""
    preferred_language: str = "pl"
    qualification: JSON | None = None
    owner: relay.GlobalID | None = strawberry.field(default=None, description="Defaults to you.")
    territory: str | None = strawberry.field(default=None, description="Territory code.")
    custom_fields: JSON | None = strawberry.field(default=None, description="Values by custom field key.")
    emails: list[ContactPointInput] = strawberry.field(default_factory=list)
    phones: list[ContactPointInput] = strawberry.field(default_factory=list)
    addresses: list[AddressInput] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the fields given change; lists given replace the old ones.")
class CompanyUpdateInput:
    name: str | None = strawberry.UNSET
    kind: CounterpartyKind | None = strawberry.UNSET
    lifecycle: Lifecycle | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    classification: str | None = strawberry.UNSET
    nip: str | None = strawberry.UNSET
    regon: str | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    preferred_language: str | None = strawberry.UNSET
    qualification: JSON | None = strawberry.UNSET
    owner: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="The id of a user; null removes the owner, leaving it out keeps it."
    )
    territory: str | None = strawberry.UNSET
    custom_fields: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Keys given change; a null value clears that field."
    )
    emails: list[ContactPointInput] | None = strawberry.UNSET
    phones: list[ContactPointInput] | None = strawberry.UNSET
    addresses: list[AddressInput] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.input
class PersonCreateInput:
    last_name: str
    first_name: str = ""
    kind: CounterpartyKind = CounterpartyKind.B2B
    lifecycle: Lifecycle = Lifecycle.LEAD
    birthday: date | None = None
    preferred_language: str = "pl"
    qualification: JSON | None = None
    owner: relay.GlobalID | None = strawberry.field(default=None, description="Defaults to you.")
    territory: str | None = None
    custom_fields: JSON | None = strawberry.field(default=None, description="Values by custom field key.")
    emails: list[ContactPointInput] = strawberry.field(default_factory=list)
    phones: list[ContactPointInput] = strawberry.field(default_factory=list)
    addresses: list[AddressInput] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)
    employments: list[EmploymentInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Only the fields given change; lists given replace the old ones.")
class PersonUpdateInput:
    last_name: str | None = strawberry.UNSET
    first_name: str | None = strawberry.UNSET
    kind: CounterpartyKind | None = strawberry.UNSET
    lifecycle: Lifecycle | None = strawberry.UNSET
    birthday: date | None = strawberry.UNSET
    preferred_language: str | None = strawberry.UNSET
    qualification: JSON | None = strawberry.UNSET
    owner: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="The id of a user; null removes the owner, leaving it out keeps it."
    )
    territory: str | None = strawberry.UNSET
    custom_fields: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Keys given change; a null value clears that field."
    )
    emails: list[ContactPointInput] | None = strawberry.UNSET
    phones: list[ContactPointInput] | None = strawberry.UNSET
    addresses: list[AddressInput] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    employments: list[EmploymentInput] | None = strawberry.UNSET


@strawberry.type
class CompanyPayload:
    company: CompanyRef | None
    user_errors: list[UserError]


@strawberry.type
class PersonPayload:
    person: PersonRef | None
    user_errors: list[UserError]


@strawberry.type
class DeletePayload:
    deleted_id: relay.GlobalID | None
    user_errors: list[UserError]


SCALARS = {"kind", "lifecycle"}


RELATED = {"emails", "phones", "addresses", "tags", "employments"}


REFERENCES = {"owner", "territory"}


@dataclass
class SplitInput:
    values: dict[str, Any] = dc_field(default_factory=dict)
    related: crm.Related = dc_field(default_factory=crm.Related)
    owner_id: int | None = None
    territory: str | None = None
    custom: dict[str, Any] | None = None
    clear_owner: bool = False  # an update gave `owner: null`

    def options(self) -> dict[str, Any]:
        options = {"owner_id": self.owner_id, "territory": self.territory, "custom": self.custom}
        return {**options, "clear_owner": True} if self.clear_owner else options


def _split(data: Any, *, partial: bool) -> SplitInput:
    """Input object → column values, related collections, owner, territory, custom-field patch."""
    split = SplitInput()
    for name in data.__dataclass_fields__:
        value = getattr(data, name)
        if partial and name == "owner" and value is None:
            split.clear_owner = True  # null clears the owner; leaving the field out (UNSET) keeps it
            continue
        if value is strawberry.UNSET or (partial and value is None and name not in ("nip", "regon", "birthday")):
            continue
        if name in RELATED:
            setattr(split.related, name, _related_items(name, value))
        elif name == "owner":
            split.owner_id = decode_id(value, "UserNode", ["input", "owner"]) if value is not None else None
        elif name == "territory":
            split.territory = value or ("" if partial else None)
        elif name == "custom_fields":
            if value is not None and not isinstance(value, dict):
                raise DomainError("INVALID_JSON_OBJECT", _("A JSON object is expected."), ["input", "customFields"])
            split.custom = value
        elif name in SCALARS:
            split.values[name] = value.value
        elif name == "qualification":
            split.values[name] = value if value is not None else {}
        else:
            split.values[name] = value
    return split


def _related_items(name: str, items: list[Any]) -> list[Any]:
    if name in ("emails", "phones"):
        return [crm.ContactInput(value=i.value, label=i.label, is_primary=i.is_primary) for i in items]
    if name == "addresses":
        return [
            crm.AddressInput(
                kind=i.kind, street=i.street, postal_code=i.postal_code, city=i.city, country=i.country, notes=i.notes
            )
            for i in items
        ]
    if name == "employments":
        return [
            crm.EmploymentInput(
                company_id=decode_id(i.company, "Company", ["input", "employments", str(n), "company"]),
                position=i.position,
                is_primary=i.is_primary,
            )
            for n, i in enumerate(items)
        ]
    return list(items)


def _id_of(global_id: relay.GlobalID, type_name: str) -> int:
    return decode_id(global_id, type_name, ["id"])


@strawberry.type
class CrmMutation:
    @mutation(permission=crm.COMPANY_WRITE, description="Add a company to the client file.")
    async def company_create(self, info: strawberry.Info, input: CompanyCreateInput) -> CompanyPayload:
        ctx = info.context

        async def create() -> int:
            split = _split(input, partial=False)
            return await crm.create_company(ctx.runtime, ctx.actor, split.values, split.related, **split.options())

        company_id, errors = await attempt(create())
        return CompanyPayload(company=await _load(info, "core.company", company_id), user_errors=errors)

    @mutation(permission=crm.COMPANY_WRITE, description="Change a company in your area.")
    async def company_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: CompanyUpdateInput
    ) -> CompanyPayload:
        ctx = info.context

        async def update() -> int:
            company_id = _id_of(id, "Company")
            split = _split(input, partial=True)
            await crm.update_company(ctx.runtime, ctx.actor, company_id, split.values, split.related, **split.options())
            return company_id

        company_id, errors = await attempt(update())
        return CompanyPayload(company=await _load(info, "core.company", company_id), user_errors=errors)

    @mutation(permission=crm.COMPANY_DELETE, description="Remove a company from every list (kept for the records).")
    async def company_delete(self, info: strawberry.Info, id: relay.GlobalID) -> DeletePayload:
        async def delete() -> relay.GlobalID:
            await crm.delete_company(info.context.runtime, info.context.actor, _id_of(id, "Company"))
            return id

        deleted, errors = await attempt(delete())
        return DeletePayload(deleted_id=deleted, user_errors=errors)

    @mutation(permission=crm.PERSON_WRITE, description="Add a person to the client file.")
    async def person_create(self, info: strawberry.Info, input: PersonCreateInput) -> PersonPayload:
        ctx = info.context

        async def create() -> int:
            split = _split(input, partial=False)
            return await crm.create_person(ctx.runtime, ctx.actor, split.values, split.related, **split.options())

        person_id, errors = await attempt(create())
        return PersonPayload(person=await _load(info, "core.person", person_id), user_errors=errors)

    @mutation(permission=crm.PERSON_WRITE, description="Change a person in your area.")
    async def person_update(self, info: strawberry.Info, id: relay.GlobalID, input: PersonUpdateInput) -> PersonPayload:
        ctx = info.context

        async def update() -> int:
            person_id = _id_of(id, "Person")
            split = _split(input, partial=True)
            await crm.update_person(ctx.runtime, ctx.actor, person_id, split.values, split.related, **split.options())
            return person_id

        person_id, errors = await attempt(update())
        return PersonPayload(person=await _load(info, "core.person", person_id), user_errors=errors)

    @mutation(permission=crm.PERSON_DELETE, description="Remove a person from every list (kept for the records).")
    async def person_delete(self, info: strawberry.Info, id: relay.GlobalID) -> DeletePayload:
        async def delete() -> relay.GlobalID:
            await crm.delete_person(info.context.runtime, info.context.actor, _id_of(id, "Person"))
            return id

        deleted, errors = await attempt(delete())
        return DeletePayload(deleted_id=deleted, user_errors=errors)


@strawberry.input
class MergeInput:
    winner: relay.GlobalID = strawberry.field(description="The record that stays.")
    loser: relay.GlobalID = strawberry.field(description="The duplicate; its id will resolve to the winner.")


@strawberry.type
class MergeMutation:
    @mutation(permission=crm.COMPANY_WRITE, description="Merge a duplicate company into another one.")
    async def company_merge(self, info: strawberry.Info, input: MergeInput) -> CompanyPayload:
        winner_id, errors = await attempt(_merge(info, "company", "Company", input))
        return CompanyPayload(company=await _load(info, "core.company", winner_id), user_errors=errors)

    @mutation(permission=crm.PERSON_WRITE, description="Merge a duplicate person into another one.")
    async def person_merge(self, info: strawberry.Info, input: MergeInput) -> PersonPayload:
        winner_id, errors = await attempt(_merge(info, "person", "Person", input))
        return PersonPayload(person=await _load(info, "core.person", winner_id), user_errors=errors)


async def _merge(info: Any, kind: str, type_name: str, input: MergeInput) -> int:
    winner_id = decode_id(input.winner, type_name, ["input", "winner"])
    loser_id = decode_id(input.loser, type_name, ["input", "loser"])
    await merge(info.context.runtime, info.context.actor, kind, winner_id, loser_id)
    return winner_id
