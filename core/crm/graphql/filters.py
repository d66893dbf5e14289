"""Filters and ordering of the company and person lists, compiled to SQL per dialect.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from core.access.graphql.types import maximum
from core.crm import custom_fields
from core.crm.graphql.custom_fields.filters import CustomFieldFilter, filter_conditions
from core.crm.graphql.types import CounterpartyKind, Lifecycle, company_node, person_node
from core.errors import DomainError
from core.graphql.errors import ClientError
from core.graphql.ids import id_of
from core.graphql.keyset import paginate_by_expression, paginate_by_key
from core.graphql.permissions import FORBIDDEN
from core.i18n import _


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
