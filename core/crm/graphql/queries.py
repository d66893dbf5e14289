"""Root queries of the client file: companies, persons, search and call-centre lookup by phone.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import strawberry
from piccolo.querystring import QueryString
from strawberry import relay

from core.crm import search
from core.crm import services as crm
from core.crm import tables as db
from core.crm.graphql.filters import (
    CompanyFilter,
    PersonFilter,
    RecordOrder,
    _common_filter,
    _custom_filters,
    _decode_filter_id,
    _ordered_page,
    _sqlite,
)
from core.crm.graphql.types import CompanyRef, PersonRef, company_node, person_node
from core.crm.scoping import visible
from core.db.engine import contains_text
from core.graphql.ids import id_of
from core.graphql.pagination import page_size
from core.graphql.permissions import AUTHENTICATED, field
from core.validation import phone_search_key

MAX_PHONE_MATCHES = 20


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
