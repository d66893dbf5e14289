"""GraphQL of the client file: companies, persons, their contacts, and call-centre lookup.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
Every list and lookup applies the record scope of the asking actor in SQL (core.crm.scoping).
"""

import base64
import contextlib
import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar

import msgspec
import strawberry
from piccolo.querystring import QueryString
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import TerritoryNode, UserNode, attempt, decode_id, maximum
from core.crm import custom_fields, gdpr, search, sync, timeline
from core.crm import services as crm
from core.crm import tables as db
from core.crm.custom_fields import SENSITIVE_READ
from core.crm.graphql.custom_fields.types import CustomFieldFilter, filter_conditions
from core.crm.merge import merge, resolve_merged
from core.crm.scoping import reachable, visible
from core.db.engine import contains_text
from core.db.fetch import fetch
from core.errors import DomainError
from core.graphql.batching import batched_field, each, load_each
from core.graphql.compose import Extensible, composed_class
from core.graphql.errors import ClientError, UserError
from core.graphql.ids import decode_one_of, global_id, id_of
from core.graphql.keyset import encode_key, paginate_by_expression, paginate_by_key
from core.graphql.pagination import bad_cursor, page_size
from core.graphql.permissions import AUTHENTICATED, FORBIDDEN, field, mutation, sensitive
from core.i18n import _
from core.validation import phone_search_key

MAX_PHONE_MATCHES = 20
CompanyRef = Annotated["Company", strawberry.lazy("core.graphql.composed.staff")]
PersonRef = Annotated["Person", strawberry.lazy("core.graphql.composed.staff")]


@strawberry.enum(description="What kind of counterparty this is.")
class CounterpartyKind(Enum):
    B2B = "b2b"
    B2C = "b2c"
    PARTNER = "partner"
    SUPPLIER = "supplier"


@strawberry.enum(description="Where the counterparty stands: leads are qualified, then become customers.")
class Lifecycle(Enum):
    LEAD = "lead"
    QUALIFIED = "qualified"
    CUSTOMER = "customer"
    FORMER = "former"


@strawberry.type(description="An e-mail address or a phone number (E.164).")
class ContactPointType:
    value: str
    label: str
    is_primary: bool
    kind: strawberry.Private[str]


@strawberry.type
class AddressType:
    kind: str
    street: str
    postal_code: str
    city: str
    country: str
    notes: str


def _company_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": CounterpartyKind(row["kind"]),
        "lifecycle": Lifecycle(row["lifecycle"]),
        "status": row["status"],
        "classification": row["classification"],
        "nip": row["nip"],
        "regon": row["regon"],
        "website": row["website"],
        "preferred_language": row["preferred_language"],
        "qualification": row["qualification"],
        "custom_values": row["custom"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "owner_id": row["owner"],
        "territory_id": row["territory"],
    }


def _subject(record: Any) -> tuple[str, int]:
    return (record.record_kind, record.id)


def _contact_points(kind: str) -> Any:
    load = load_each("core.contact_points", _subject)

    async def batch(sources: Any, context: Any) -> list[list[ContactPointType]]:
        return [[p for p in points if p.kind == kind] for points in await load(sources, context)]

    return batch


async def visible_custom_values(sources: Any, context: Any) -> list[dict[str, Any]]:
    """Custom values of ``sources`` (each with ``record_kind`` and ``custom_values``) without the
    sensitive fields the actor may not read: a batch form for ``batched_field``."""
    if not sources or context.actor.can(SENSITIVE_READ):
        return [source.custom_values for source in sources]
    definitions = await context.loaders["core.custom_field_definitions"].load(sources[0].record_kind)
    hidden = {key for key, definition in definitions.items() if definition.sensitive}
    return [{k: v for k, v in source.custom_values.items() if k not in hidden} for source in sources]


class _Related:
    """Fields companies and persons share; the loaders batch them per page."""

    owner_id: strawberry.Private[int | None]
    territory_id: strawberry.Private[int | None]
    record_kind: ClassVar[str]

    @batched_field(
        load_each("core.user", lambda s: s.owner_id), description="The staff user responsible for this record."
    )
    async def owner(self, info: strawberry.Info) -> UserNode | None:
        return None if self.owner_id is None else await info.context.loaders["core.user"].load(self.owner_id)

    @batched_field(load_each("core.territory", lambda s: s.territory_id))
    async def territory(self, info: strawberry.Info) -> TerritoryNode | None:
        if self.territory_id is None:
            return None
        return await info.context.loaders["core.territory"].load(self.territory_id)

    @batched_field(_contact_points("email"))
    async def emails(self, info: strawberry.Info) -> list[ContactPointType]:
        points = await info.context.loaders["core.contact_points"].load((self.record_kind, self.id))
        return [p for p in points if p.kind == "email"]

    @batched_field(_contact_points("phone"), description="Phone numbers in E.164 form.")
    async def phones(self, info: strawberry.Info) -> list[ContactPointType]:
        points = await info.context.loaders["core.contact_points"].load((self.record_kind, self.id))
        return [p for p in points if p.kind == "phone"]

    @batched_field(load_each("core.addresses", _subject))
    async def addresses(self, info: strawberry.Info) -> list[AddressType]:
        return await info.context.loaders["core.addresses"].load((self.record_kind, self.id))

    @batched_field(
        visible_custom_values,
        description="Custom field values by key; sensitive ones only for those who may see them.",
    )
    async def custom_fields(self, info: strawberry.Info) -> JSON:
        [values] = await visible_custom_values([self], info.context)
        return values

    @batched_field(load_each("core.tags", _subject), description="Segment labels.")
    async def tags(self, info: strawberry.Info) -> list[str]:
        return await info.context.loaders["core.tags"].load((self.record_kind, self.id))


class Company(_Related, Extensible, relay.Node):
    """A company in the client file (a lead, a customer, a partner or a supplier)."""

    node_permission: ClassVar[str] = crm.COMPANY_READ
    record_kind: ClassVar[str] = "company"

    id: relay.NodeID[int]
    name: str
    kind: CounterpartyKind
    lifecycle: Lifecycle
    status: str
    classification: str
    nip: str | None = strawberry.field(description="Polish tax identification number, 10 digits.")
    regon: str | None
    website: str
    preferred_language: str
    qualification: JSON = strawberry.field(description="What qualifying the lead found out.")
    custom_values: strawberry.Private[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="People working at this company.")
    async def employees(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection["Employment_"]:
        actor = info.context.actor
        if actor.scope_for(crm.PERSON_READ) is None:
            return relay.Connection(
                edges=[],
                page_info=relay.PageInfo(
                    has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
                ),
            )
        query = db.Employment.select(
            db.Employment.id, db.Employment.position, db.Employment.is_primary, db.Employment.person
        ).where((db.Employment.company == self.id) & visible(db.Employment.person, actor, crm.PERSON_READ))
        return await paginate_by_key(
            query,
            [db.Employment.id],
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=lambda row: Employment_(
                position=row["position"], is_primary=row["is_primary"], company_id=self.id, person_id=row["person"]
            ),
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdecimal()]
        loaded = await info.context.loaders["core.company"].load_many(ids) if ids else []
        found = dict(zip(ids, loaded, strict=True))
        return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


class Person(_Related, Extensible, relay.Node):
    """A person in the client file: a customer, a contact at a company, a lead."""

    node_permission: ClassVar[str] = crm.PERSON_READ
    record_kind: ClassVar[str] = "person"

    id: relay.NodeID[int]
    first_name: str
    last_name: str
    kind: CounterpartyKind
    lifecycle: Lifecycle
    birthday: date | None = sensitive(permission=SENSITIVE_READ)
    preferred_language: str
    qualification: JSON
    custom_values: strawberry.Private[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    @batched_field(each(lambda s: f"{s.first_name} {s.last_name}".strip()))
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @batched_field(
        load_each("core.employments_by_person", lambda s: s.id),
        description="Companies this person works at, and as what.",
    )
    async def employments(self, info: strawberry.Info) -> list["Employment_"]:
        return await info.context.loaders["core.employments_by_person"].load(self.id)

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdecimal()]
        loaded = await info.context.loaders["core.person"].load_many(ids) if ids else []
        found = dict(zip(ids, loaded, strict=True))
        return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


@strawberry.type(name="Employment", description="A person's position at a company.")
class Employment_:
    position: str
    is_primary: bool
    company_id: strawberry.Private[int]
    person_id: strawberry.Private[int]

    @batched_field(
        load_each("core.company", lambda s: s.company_id), description="Null when the company is outside your area."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return await info.context.loaders["core.company"].load(self.company_id)

    @batched_field(
        load_each("core.person", lambda s: s.person_id), description="Null when the person is outside your area."
    )
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return await info.context.loaders["core.person"].load(self.person_id)


def _person_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "kind": CounterpartyKind(row["kind"]),
        "lifecycle": Lifecycle(row["lifecycle"]),
        "birthday": row["birthday"],
        "preferred_language": row["preferred_language"],
        "qualification": row["qualification"],
        "custom_values": row["custom"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "owner_id": row["owner"],
        "territory_id": row["territory"],
    }


def company_node(info: Any, row: dict[str, Any]) -> Any:
    return composed_class(info.context, "Company")(**_company_values(row))


def person_node(info: Any, row: dict[str, Any]) -> Any:
    return composed_class(info.context, "Person")(**_person_values(row))


# --- filters and queries -------------------------------------------------------------------------
@strawberry.input
class CompanyFilter:
    name_contains: str | None = None
    kind: CounterpartyKind | None = None
    lifecycle: Lifecycle | None = None
    owner: relay.GlobalID | None = None
    territory: str | None = strawberry.field(default=None, description="Territory code.")
    tag: str | None = None
    custom_fields: list[CustomFieldFilter] | None = None


@strawberry.input
class PersonFilter:
    name_contains: str | None = None
    lifecycle: Lifecycle | None = None
    owner: relay.GlobalID | None = None
    company: relay.GlobalID | None = None
    tag: str | None = None
    custom_fields: list[CustomFieldFilter] | None = None


def _common_filter(table: Any, link: Any, link_column: str, value: Any) -> Any:
    conditions = []
    if value.lifecycle is not None:
        conditions.append(table.lifecycle == value.lifecycle.value)
    if value.owner is not None:
        conditions.append(table.owner == _decode_filter_id(value.owner, "UserNode"))
    if value.tag:
        conditions.append(table.id.is_in(_ids_with_tag(link, link_column, value.tag)))
    return conditions


async def _custom_filters(info: Any, table: Any, entity: str, conditions: list[CustomFieldFilter] | None) -> list[Any]:
    if not conditions:
        return []
    try:
        return await custom_fields.filters(
            table,
            entity,
            filter_conditions(conditions),
            info.context.actor,
            sqlite=info.context.runtime.settings.is_sqlite,
        )
    except DomainError as error:
        raise _client_error(error) from None


def _sqlite(info: Any) -> bool:
    return info.context.runtime.settings.is_sqlite


def _decode_filter_id(global_id: relay.GlobalID, type_name: str) -> int:
    found = id_of(global_id, type_name)
    return -1 if found is None else found  # -1 matches nothing, like an id that does not exist


def _ids_with_tag(link: Any, link_column: str, tag: str) -> Any:
    return link.select(getattr(link, link_column)).where(link.tag.name == tag)


@strawberry.enum(description="What a list of companies or persons is ordered by.")
class RecordOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    CUSTOM_FIELD = "custom_field"


@strawberry.input(description="Names sort in Polish alphabetical order; records without the custom field come last.")
class RecordOrder:
    by: RecordOrderField = RecordOrderField.NAME
    custom_field: str | None = strawberry.field(default=None, description="The key, when `by` is CUSTOM_FIELD.")
    descending: bool = False


async def _ordered_page(
    info: Any, query: Any, table: Any, entity: str, order: RecordOrder | None, first: int | None, after: str | None
) -> Any:
    """One page of ``query`` in the asked order (by sort name unless told otherwise)."""
    order = order or RecordOrder()
    to_node = (lambda row: company_node(info, row)) if entity == "company" else (lambda row: person_node(info, row))
    options = {"first": first, "after": after, "maximum": maximum(info), "to_node": to_node}
    if order.by is not RecordOrderField.CUSTOM_FIELD:
        column = getattr(table, "sort_name" if order.by is RecordOrderField.NAME else order.by.value)
        return await paginate_by_key(query, [column, table.id], descending=order.descending, **options)
    if not order.custom_field:
        raise ClientError(
            "BAD_USER_INPUT", _("Name the custom field to sort by."), extensions={"field": ["orderBy", "customField"]}
        )
    sqlite = info.context.runtime.settings.is_sqlite
    try:
        defined = await custom_fields.definitions(entity, include_archived=True)
        definition = custom_fields.usable_definition(
            defined, order.custom_field, info.context.actor, ["orderBy", "customField"]
        )
        expression, convert = custom_fields.sort_expression(table, definition, sqlite=sqlite)
    except DomainError as error:
        raise _client_error(error) from None
    key = definition["key"]

    def value_of(row: dict[str, Any]) -> Any:
        value = row["custom"].get(key)
        return None if value is None else convert(value)

    return await paginate_by_expression(query, expression, value_of, table.id, descending=order.descending, **options)


def _client_error(error: DomainError) -> ClientError:
    """A query has no userErrors: the same code (forbidden, or bad input) and message as an error."""
    code = error.code if error.code == FORBIDDEN else "BAD_USER_INPUT"
    return ClientError(code, error.message, extensions={"field": error.field}, **error.params)


@strawberry.type(description="The best matches of each kind, by name.")
class SearchResults:
    companies: list[CompanyRef]
    persons: list[PersonRef]


@strawberry.type
class PhoneMatches:
    companies: list[CompanyRef]
    persons: list[PersonRef]


@strawberry.type
class CrmQuery:
    @field(permission=crm.COMPANY_READ, description="Companies in your area, by name.")
    async def companies(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        filter: CompanyFilter | None = None,
        order_by: RecordOrder | None = None,
    ) -> relay.Connection[CompanyRef]:
        query = (
            db.Company.select().where(visible(db.Company, info.context.actor, crm.COMPANY_READ)).output(load_json=True)
        )
        if filter is not None:
            conditions = _common_filter(db.Company, db.CompanyTag, "company", filter)
            if filter.kind is not None:
                conditions.append(db.Company.kind == filter.kind.value)
            if filter.territory:
                conditions.append(db.Company.territory.code == filter.territory)
            if filter.name_contains:
                conditions.append(contains_text('"core_company"."name"', filter.name_contains, sqlite=_sqlite(info)))
            conditions += await _custom_filters(info, db.Company, "company", filter.custom_fields)
            for condition in conditions:
                query = query.where(condition)
        return await _ordered_page(info, query, db.Company, "company", order_by, first, after)

    @field(permission=crm.COMPANY_READ, description="One company; null when it does not exist or is outside your area.")
    async def company(self, info: strawberry.Info, id: relay.GlobalID) -> CompanyRef | None:
        company_id = id_of(id, "Company")
        return None if company_id is None else await info.context.loaders["core.company"].load(company_id)

    @field(permission=crm.PERSON_READ, description="Persons in your area, by last and first name.")
    async def persons(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        filter: PersonFilter | None = None,
        order_by: RecordOrder | None = None,
    ) -> relay.Connection[PersonRef]:
        query = db.Person.select().where(visible(db.Person, info.context.actor, crm.PERSON_READ)).output(load_json=True)
        if filter is not None:
            conditions = _common_filter(db.Person, db.PersonTag, "person", filter)
            if filter.company is not None:
                company_id = _decode_filter_id(filter.company, "Company")
                conditions.append(
                    db.Person.id.is_in(
                        db.Employment.select(db.Employment.person).where(db.Employment.company == company_id)
                    )
                )
            if filter.name_contains:
                last, first_name = (
                    contains_text(f'"core_person"."{column}"', filter.name_contains, sqlite=_sqlite(info))
                    for column in ("last_name", "first_name")
                )
                conditions.append(QueryString("({} OR {})", last, first_name))
            conditions += await _custom_filters(info, db.Person, "person", filter.custom_fields)
            for condition in conditions:
                query = query.where(condition)
        return await _ordered_page(info, query, db.Person, "person", order_by, first, after)

    @field(permission=crm.PERSON_READ, description="One person; null when it does not exist or is outside your area.")
    async def person(self, info: strawberry.Info, id: relay.GlobalID) -> PersonRef | None:
        person_id = id_of(id, "Person")
        return None if person_id is None else await info.context.loaders["core.person"].load(person_id)

    @field(
        permission=AUTHENTICATED,
        description="Companies and persons in your area whose name, NIP, REGON, e-mail or phone contains every word.",
    )
    async def search(self, info: strawberry.Info, query: str, first: int = 20) -> SearchResults:
        settings = info.context.runtime.settings
        limit = page_size(first, settings.max_page_size)
        companies, persons = await search.search(info.context.actor, query, limit, sqlite=settings.is_sqlite)
        return SearchResults(
            companies=[company_node(info, row) for row in companies],
            persons=[person_node(info, row) for row in persons],
        )

    @field(permission=crm.PERSON_READ, description="Call-centre lookup: who has this phone number (any format).")
    async def find_by_phone(self, info: strawberry.Info, phone: str) -> PhoneMatches:
        e164 = phone_search_key(phone)
        if e164 is None:
            return PhoneMatches(companies=[], persons=[])
        companies, persons = await crm.find_by_phone(info.context.actor, e164, MAX_PHONE_MATCHES)
        return PhoneMatches(
            companies=[company_node(info, row) for row in companies],
            persons=[person_node(info, row) for row in persons],
        )


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


async def _load(info: Any, loader: str, record_id: int | None) -> Any:
    if record_id is None:
        return None
    with contextlib.suppress(KeyError):  # not loaded yet in this request
        info.context.loaders[loader].clear(record_id)  # it just changed
    return await info.context.loaders[loader].load(record_id)


# --- dataloaders ---------------------------------------------------------------------------------------
async def load_companies(keys: list[int], context: Any) -> list[Any]:
    return await _load_records(db.Company, crm.COMPANY_READ, "Company", _company_values, keys, context)


async def load_persons(keys: list[int], context: Any) -> list[Any]:
    return await _load_records(db.Person, crm.PERSON_READ, "Person", _person_values, keys, context)


async def _load_records(
    table: Any, permission: str, type_name: str, values: Any, keys: list[int], context: Any
) -> list:
    """Visible records by id; the id of a merged-away record resolves to the record it went into."""
    if context.actor.scope_for(permission) is None:
        return [None] * len(keys)
    moved = await resolve_merged(table, keys)
    wanted = sorted({moved.get(key, key) for key in keys})
    rows = (
        await table.select()
        .where(table.id.is_in(wanted) & visible(table, context.actor, permission))
        .output(load_json=True)
    )
    make = composed_class(context, type_name)
    found = {row["id"]: make(**values(row)) for row in rows}
    return [found.get(moved.get(key, key)) for key in keys]


async def load_users(keys: list[int], context: Any) -> list[UserNode | None]:
    from core.access.tables import User

    placeholders = ", ".join("{}" for _key in keys)
    rows = await fetch(
        User,
        "SELECT id, email, display_name, is_active, is_superuser, locale, team FROM core_user"
        f" WHERE id IN ({placeholders})",
        *keys,
    )
    found = {row["id"]: UserNode.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


def _grouped(keys: list[tuple[str, int]]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {"company": [], "person": []}
    for kind, record_id in keys:
        grouped[kind].append(record_id)
    return grouped


async def load_contact_points(keys: list[tuple[str, int]], context: Any) -> list[list[ContactPointType]]:
    found: dict[tuple[str, int], list[Any]] = {key: [] for key in keys}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        column = getattr(db.ContactPoint, kind)
        rows = await db.ContactPoint.select().where(column.is_in(ids)).order_by(db.ContactPoint.id)
        for row in rows:
            found[(kind, row[kind])].append(
                ContactPointType(value=row["value"], label=row["label"], is_primary=row["is_primary"], kind=row["kind"])
            )
    return [found[key] for key in keys]


async def load_addresses(keys: list[tuple[str, int]], context: Any) -> list[list[AddressType]]:
    found: dict[tuple[str, int], list[Any]] = {key: [] for key in keys}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        rows = await db.Address.select().where(getattr(db.Address, kind).is_in(ids)).order_by(db.Address.id)
        for row in rows:
            found[(kind, row[kind])].append(
                AddressType(
                    kind=row["kind"],
                    street=row["street"],
                    postal_code=row["postal_code"],
                    city=row["city"],
                    country=row["country"],
                    notes=row["notes"],
                )
            )
    return [found[key] for key in keys]


async def load_tags(keys: list[tuple[str, int]], context: Any) -> list[list[str]]:
    found: dict[tuple[str, int], list[str]] = {key: [] for key in keys}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        placeholders = ", ".join("{}" for _id in ids)
        rows = await fetch(  # the table and column come from this code, never from a caller
            db.Tag,
            f'SELECT link."{kind}" AS owner, tag.name FROM core_{kind}_tag link JOIN core_tag tag ON tag.id = link.tag'
            f' WHERE link."{kind}" IN ({placeholders})',
            *ids,
        )
        for row in rows:
            found[(kind, row["owner"])].append(row["name"])
    # Sorted here: the engines' collations disagree on case.
    return [sorted(tags, key=str.casefold) if len(tags) > 1 else tags for tags in (found[key] for key in keys)]


async def load_employments_by_person(keys: list[int], context: Any) -> list[list[Employment_]]:
    rows = await db.Employment.select().where(db.Employment.person.is_in(keys)).order_by(db.Employment.id)
    found: dict[int, list[Employment_]] = {key: [] for key in keys}
    for row in rows:
        found[row["person"]].append(
            Employment_(
                position=row["position"],
                is_primary=row["is_primary"],
                company_id=row["company"],
                person_id=row["person"],
            )
        )
    return [found[key] for key in keys]


# --- timeline ------------------------------------------------------------------------------------------
@strawberry.type(description="A kind of timeline entry.")
class TimelineKindType:
    name: str = strawberry.field(description="Namespaced by the plugin that defines it, e.g. `core.call`.")
    label: str = strawberry.field(description="In the language of the request.")


@strawberry.type(description="One contact with a client: a call, an e-mail, a meeting, an invoice issued…")
class TimelineEntryType:
    id: relay.GlobalID
    kind: str
    occurred_at: datetime
    title: str
    body: str
    duration_minutes: int
    cost: Decimal
    source: str = strawberry.field(description="Where the entry comes from, e.g. `offers.invoice:17`.")
    data: JSON
    author_id: strawberry.Private[int | None]
    company_id: strawberry.Private[int | None]
    person_id: strawberry.Private[int | None]

    @batched_field(load_each("core.user", lambda s: s.author_id))
    async def author(self, info: strawberry.Info) -> UserNode | None:
        return None if self.author_id is None else await info.context.loaders["core.user"].load(self.author_id)

    @batched_field(
        load_each("core.company", lambda s: s.company_id), description="Null when none, or outside your area."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return None if self.company_id is None else await info.context.loaders["core.company"].load(self.company_id)

    @batched_field(load_each("core.person", lambda s: s.person_id), description="Null when none, or outside your area.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return None if self.person_id is None else await info.context.loaders["core.person"].load(self.person_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "TimelineEntryType":
        return cls(
            id=global_id("TimelineEntryType", row["id"]),
            kind=row["kind"],
            occurred_at=row["occurred_at"],
            title=row["subject"],
            body=row["body"],
            duration_minutes=row["duration_minutes"],
            cost=_money(row["cost"]),
            source=row["source"],
            data=row["data"],
            author_id=row["author"],
            company_id=row["company"],
            person_id=row["person"],
        )


def _money(value: Any) -> Decimal:
    # Raw rows from SQLite carry floats; amounts always have two decimal places.
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


CENT = Decimal("0.01")


class TimelineFields:
    """Added by the core to Company and Person."""

    @field(
        permission=crm.COMPANY_READ,
        batch=load_each("core.last_activity", _subject),
        description="The most recent entry of the timeline.",
    )
    async def last_activity(self, info: strawberry.Info) -> TimelineEntryType | None:
        return await info.context.loaders["core.last_activity"].load((self.record_kind, self.id))


@strawberry.type
class TimelineQuery:
    @field(permission=crm.COMPANY_READ, description="The history of a company or a person, newest first.")
    async def timeline(
        self,
        info: strawberry.Info,
        subject: relay.GlobalID,
        kinds: Annotated[
            list[str] | None, strawberry.argument(description="Only these kinds (namespaced: `core.call`).")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[TimelineEntryType]:
        actor = info.context.actor
        kinds_known = info.context.runtime.registry.timeline_kinds
        subjects = {
            "Company": (db.Company, db.TimelineEntry.company, crm.COMPANY_READ),
            "Person": (db.Person, db.TimelineEntry.person, crm.PERSON_READ),
        }
        subject_shown = False
        with contextlib.suppress(DomainError):  # an id of another type shows an empty timeline
            (table, column, permission), subject_id = decode_one_of(subject, subjects, ["subject"])
            subject_shown = await reachable(table, subject_id, actor, permission)
        query = db.TimelineEntry.select().output(load_json=True)
        query = query.where(column == subject_id) if subject_shown else query.where(db.TimelineEntry.id == -1)
        if kinds:
            unknown = [kind for kind in kinds if kind not in kinds_known]
            if unknown:
                error = timeline.unknown_kind(info.context.runtime, unknown)
                raise ClientError("BAD_USER_INPUT", error.message, extensions={"field": ["kinds"]}, **error.params)
            query = query.where(db.TimelineEntry.kind.is_in(kinds))
        return await paginate_by_key(
            query,
            [db.TimelineEntry.occurred_at, db.TimelineEntry.id],
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=TimelineEntryType.from_row,
            descending=True,
        )

    @field(permission=AUTHENTICATED, description="Kinds of timeline entries the enabled plugins write.")
    def timeline_kinds(self, info: strawberry.Info) -> list[TimelineKindType]:
        locale = info.context.locale
        return [
            TimelineKindType(name=kind.name, label=kind.label_pl if locale == "pl" else kind.label_en)
            for kind in info.context.runtime.registry.timeline_kinds.values()
        ]


@strawberry.input
class TimelineEntryInput:
    kind: str = strawberry.field(
        description="A kind from `timelineKinds`, namespaced by the plugin that defines it: `core.call`, not `call`."
    )
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    title: str = ""
    body: str = ""
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    duration_minutes: int = 0
    cost: Decimal | None = None


@strawberry.type
class TimelineEntryPayload:
    entry: TimelineEntryType | None
    user_errors: list[UserError]


@strawberry.type
class TimelineMutation:
    @mutation(permission=crm.TIMELINE_WRITE, description="Log a call, meeting, note… on a client's timeline.")
    async def timeline_entry_create(self, info: strawberry.Info, input: TimelineEntryInput) -> TimelineEntryPayload:
        ctx = info.context

        async def create() -> int:
            return await timeline.log_contact(
                ctx.runtime,
                ctx.actor,
                kind=input.kind,
                company_id=decode_id(input.company, "Company", ["input", "company"]) if input.company else None,
                person_id=decode_id(input.person, "Person", ["input", "person"]) if input.person else None,
                subject=input.title,
                body=input.body,
                occurred_at=input.occurred_at,
                duration_minutes=input.duration_minutes,
                cost=input.cost,
            )

        entry_id, errors = await attempt(create())
        if entry_id is None:
            return TimelineEntryPayload(entry=None, user_errors=errors)
        row = await db.TimelineEntry.select().where(db.TimelineEntry.id == entry_id).output(load_json=True).first()
        return TimelineEntryPayload(entry=TimelineEntryType.from_row(row), user_errors=[])


async def load_last_activity(keys: list[tuple[str, int]], context: Any) -> list[TimelineEntryType | None]:
    """The newest entry per company or person: one windowed statement per kind of subject."""
    found: dict[tuple[str, int], TimelineEntryType] = {}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        column = {"company": "company", "person": "person"}[kind]  # never a caller's string in SQL
        placeholders = ", ".join("{}" for _id in ids)
        # One index probe per subject (subject, occurred_at DESC, id DESC) rather than reading
        # and ranking every entry of every subject on the page.
        rows = await fetch(
            db.TimelineEntry,
            "SELECT * FROM core_timeline_entry WHERE id IN (SELECT (SELECT x.id FROM core_timeline_entry x"
            f" WHERE x.{column} = s.id ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)"
            f" FROM core_{column} s WHERE s.id IN ({placeholders}))",
            *ids,
        )
        for record in rows:
            row = dict(record)
            row["data"] = row["data"] if isinstance(row["data"], dict) else msgspec.json.decode(row["data"] or "{}")
            found[(kind, row[kind])] = TimelineEntryType.from_row(row)
    return [found.get(key) for key in keys]


# --- delta sync ----------------------------------------------------------------------------------------
@strawberry.enum
class SyncEntity(Enum):
    COMPANY = "company"
    PERSON = "person"


@strawberry.enum
class ChangeOperation(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    MERGED = strawberry.enum_value(
        "MERGED", description="`id` was merged into `mergedInto`: drop `id`; the survivor rides along."
    )
    SNAPSHOT = strawberry.enum_value(
        "SNAPSHOT", description="A first sync (`since: null`): the record as it is now, before the changes."
    )


def _sync_id(entity: str, record_id: int) -> relay.GlobalID:
    return relay.GlobalID("Company" if entity == "company" else "Person", str(record_id))


@strawberry.type(description="One change to a record the caller may see.")
class Change:
    operation: ChangeOperation
    entity: SyncEntity
    id: relay.GlobalID = strawberry.field(
        description="The record's global id; for MERGED the id merged away, which the client drops."
    )
    merged_into: relay.GlobalID | None = strawberry.field(
        description="For MERGED: the record that `id` became (its current state is in `company` / `person`)."
    )
    occurred_at: datetime
    entity_id: strawberry.Private[int]

    @strawberry.field(
        description="The company as it is now (for MERGED, the survivor); null when deleted or not a company."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        if self.entity != SyncEntity.COMPANY or self.operation == ChangeOperation.DELETED:
            return None
        return await info.context.loaders["core.company"].load(self.entity_id)

    @strawberry.field(
        description="The person as they are now (for MERGED, the survivor); null when deleted or not a person."
    )
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        if self.entity != SyncEntity.PERSON or self.operation == ChangeOperation.DELETED:
            return None
        return await info.context.loaders["core.person"].load(self.entity_id)


@strawberry.type(description="A batch of changes and the cursor to ask for the next one.")
class ChangeSet:
    changes: list[Change]
    cursor: str = strawberry.field(description="Pass it as `since` next time (also when nothing changed).")
    has_more: bool


def _sync_cursor(since: str | None, entities: list[str]) -> tuple[sync.Position | None, tuple[str, int] | None]:
    """``(log position, snapshot position)``: a feed cursor has no snapshot position; a snapshot
    cursor names the entity and id it stopped after (``("", 0)``: not started). Cursors handed out
    before the log was read by transaction carry only the audit id: transaction 0, as those rows."""
    if since is None:
        return None, ("", 0)
    try:
        decoded = json.loads(base64.urlsafe_b64decode(since.encode()))
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    match decoded:
        case ["k", int(position)] if position >= 0:
            return (0, position), None
        case ["k", int(txid), int(position)] if txid >= 0 and position >= 0:
            return (txid, position), None
        case ["s", int(position), str(entity), int(last)] if position >= 0 and entity in ("", *entities):
            return (0, position), (entity, last)
        case ["s", [int(txid), int(position)], str(entity), int(last)] if (
            txid >= 0 and position >= 0 and entity in ("", *entities)
        ):
            return (txid, position), (entity, last)
    raise bad_cursor()


def _encode_sync_cursor(position: sync.Position, snapshot: tuple[str, int] | None) -> str:
    if snapshot is None:
        return encode_key(list(position))
    return base64.urlsafe_b64encode(json.dumps(["s", list(position), *snapshot]).encode()).decode()


@strawberry.type
class SyncQuery:
    @field(
        permission=AUTHENTICATED,
        description=(
            "What changed since `since` among the records you may see, in order. Without `since` (a first"
            " sync) it starts with every record you may see as it is now (SNAPSHOT), then the changes."
        ),
    )
    async def changes(
        self,
        info: strawberry.Info,
        since: str | None = None,
        entities: list[SyncEntity] | None = None,
        first: int | None = None,
    ) -> ChangeSet:
        kinds = [e.value for e in (entities or list(SyncEntity))]
        position, snapshot = _sync_cursor(since, kinds)
        limit = page_size(first, maximum(info))
        actor = info.context.actor
        result: list[Change] = []
        if position is None:  # a first sync: the log position is taken before the first record is read
            position = await sync.log_position()
        if snapshot is not None:
            rows = await sync.snapshot(actor, kinds, snapshot if snapshot[0] else None, limit + 1)
            result = [
                Change(
                    operation=ChangeOperation.SNAPSHOT,
                    entity=SyncEntity(row["entity_type"]),
                    id=_sync_id(row["entity_type"], row["entity_id"]),
                    merged_into=None,
                    occurred_at=row["occurred_at"],
                    entity_id=row["entity_id"],
                )
                for row in rows[:limit]
            ]
            if len(rows) > limit:
                last = rows[limit - 1]
                cursor = _encode_sync_cursor(position, (last["entity_type"], last["entity_id"]))
                return ChangeSet(changes=result, cursor=cursor, has_more=True)
            limit -= len(result)
        more = False
        if limit > 0:
            rows, position, more = await sync.changes(actor, position, kinds, limit)
            result += [
                Change(
                    operation=ChangeOperation(sync.operation(row["event"])),
                    entity=SyncEntity(row["entity_type"]),
                    id=_sync_id(row["entity_type"], row.get("loser_id") or row["entity_id"]),
                    merged_into=_sync_id(row["entity_type"], row["entity_id"]) if row.get("loser_id") else None,
                    occurred_at=row["occurred_at"],
                    entity_id=row["entity_id"],
                )
                for row in rows
            ]
        else:
            more = True
        return ChangeSet(changes=result, cursor=_encode_sync_cursor(position, None), has_more=more)


# --- GDPR -----------------------------------------------------------------------------------------------
@strawberry.type(description="Consent to be contacted for a purpose over a channel.")
class ConsentType:
    purpose: str
    channel: str
    source: str
    given_at: datetime
    withdrawn_at: datetime | None

    @batched_field(each(lambda s: s.withdrawn_at is None))
    def active(self) -> bool:
        return self.withdrawn_at is None


class ConsentFields:
    """Added by the core to Person."""

    @field(
        permission=crm.PERSON_READ,
        batch=load_each("core.consents", lambda s: s.id),
        description="Every consent given and withdrawn, oldest first.",
    )
    async def consents(self, info: strawberry.Info) -> list[ConsentType]:
        return await info.context.loaders["core.consents"].load(self.id)


@strawberry.input
class ConsentInput:
    person: relay.GlobalID
    purpose: str = strawberry.field(description='What for, e.g. "marketing" or "newsletter".')
    channel: str = strawberry.field(description="email, phone, sms, post or any.")
    source: str = strawberry.field(default="", description="How it was obtained, e.g. a web form.")


@strawberry.type
class ConsentPayload:
    person: PersonRef | None
    user_errors: list[UserError]


@strawberry.type
class PersonExportPayload:
    data: JSON | None = strawberry.field(description="Everything held about the person, per plugin.")
    user_errors: list[UserError]


@strawberry.type
class GdprMutation:
    @mutation(permission=gdpr.CONSENT_MANAGE, description="Record that a person gave consent.")
    async def consent_give(self, info: strawberry.Info, input: ConsentInput) -> ConsentPayload:
        async def give() -> int:
            person_id = decode_id(input.person, "Person", ["input", "person"])
            await gdpr.give_consent(
                info.context.runtime, info.context.actor, person_id, input.purpose, input.channel, input.source
            )
            return person_id

        person_id, errors = await attempt(give())
        return ConsentPayload(person=await _load(info, "core.person", person_id), user_errors=errors)

    @mutation(permission=gdpr.CONSENT_MANAGE, description="Record that a person withdrew consent.")
    async def consent_withdraw(self, info: strawberry.Info, input: ConsentInput) -> ConsentPayload:
        async def withdraw() -> int:
            person_id = decode_id(input.person, "Person", ["input", "person"])
            await gdpr.withdraw_consent(
                info.context.runtime, info.context.actor, person_id, input.purpose, input.channel
            )
            return person_id

        person_id, errors = await attempt(withdraw())
        return ConsentPayload(person=await _load(info, "core.person", person_id), user_errors=errors)

    @mutation(permission=gdpr.EXPORT, description="Everything held about a person, as JSON (GDPR access request).")
    async def person_export(self, info: strawberry.Info, id: relay.GlobalID) -> PersonExportPayload:
        data, errors = await attempt(
            gdpr.export_person(info.context.runtime, info.context.actor, decode_id(id, "Person", ["id"]))
        )
        return PersonExportPayload(data=data, user_errors=errors)

    @mutation(permission=gdpr.ERASE, description="Anonymise a person everywhere, keeping what the law requires.")
    async def person_erase(self, info: strawberry.Info, id: relay.GlobalID) -> DeletePayload:
        async def erase() -> relay.GlobalID:
            await gdpr.erase_person(info.context.runtime, info.context.actor, decode_id(id, "Person", ["id"]))
            return id

        erased, errors = await attempt(erase())
        return DeletePayload(deleted_id=erased, user_errors=errors)


async def load_consents(keys: list[int], context: Any) -> list[list[ConsentType]]:
    rows = await db.Consent.select().where(db.Consent.person.is_in(keys)).order_by(db.Consent.id)
    found: dict[int, list[ConsentType]] = {key: [] for key in keys}
    for row in rows:
        found[row["person"]].append(
            ConsentType(
                purpose=row["purpose"],
                channel=row["channel"],
                source=row["source"],
                given_at=row["given_at"],
                withdrawn_at=row["withdrawn_at"],
            )
        )
    return [found[key] for key in keys]
