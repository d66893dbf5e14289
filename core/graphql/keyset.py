"""Keyset pagination on several columns (``name, id``): stable pages without OFFSET."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from piccolo.columns import Column
from piccolo.querystring import QueryString
from strawberry import relay

from core.db.values import plain, typed
from core.graphql.pagination import bad_cursor, make_connection, page_size

T = TypeVar("T")


def encode_key(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(["k", *plain(values)]).encode()).decode()


def decode_key(cursor: str, columns: Sequence[Column]) -> list[Any]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    if not isinstance(decoded, list) or len(decoded) != len(columns) + 1 or decoded[0] != "k":
        raise bad_cursor()
    try:
        return [typed(column, value) for column, value in zip(columns, decoded[1:], strict=True)]
    except (TypeError, ValueError):
        raise bad_cursor() from None


def after_key(columns: Sequence[Column], values: Sequence[Any], descending: bool = False) -> Any:
    """Rows strictly after ``values`` in the order of ``columns`` (all ascending or all descending)."""

    def beyond(column: Column, value: Any) -> Any:
        return column < value if descending else column > value

    condition = beyond(columns[-1], values[-1])
    for column, value in zip(reversed(columns[:-1]), reversed(values[:-1]), strict=True):
        condition = beyond(column, value) | ((column == value) & condition)
    return condition


async def paginate_by_key(
    query: Any,
    columns: Sequence[Column],
    *,
    first: int | None,
    after: str | None,
    maximum: int,
    to_node: Callable[[dict[str, Any]], T],
    descending: bool = False,
) -> relay.Connection[T]:
    size = page_size(first, maximum)
    if after is not None:
        query = query.where(after_key(columns, decode_key(after, columns), descending))
    rows = await query.order_by(*columns, ascending=not descending).limit(size + 1)
    names = [column._meta.name for column in columns]
    return make_connection(
        rows[:size],
        has_next=len(rows) > size,
        has_previous=after is not None,
        key=lambda row: [row[name] for name in names],
        to_node=to_node,
        encode=encode_key,
    )


async def paginate_by_expression(
    query: Any,
    expression: QueryString,
    value_of: Callable[[dict[str, Any]], Any],
    id_column: Column,
    *,
    first: int | None,
    after: str | None,
    maximum: int,
    to_node: Callable[[dict[str, Any]], T],
    descending: bool = False,
) -> relay.Connection[T]:
    """Pages ordered by a computed value (a custom field), rows without it last, the id breaking ties.

    The cursor holds the value as the expression yields it (``value_of(row)``); ``None`` is a row
    without one."""
    size = page_size(first, maximum)
    ident = QueryString(f'"{id_column._meta.table._meta.tablename}"."{id_column._meta.db_column_name}"')
    beyond = "<" if descending else ">"
    if after is not None:
        value, last_id = _decode_expression_key(after)
        if value is None:
            query = query.where(QueryString(f"({{}} IS NULL AND {{}} {beyond} {{}})", expression, ident, last_id))
        else:
            later = f"({{}} {beyond} {{}} OR ({{}} = {{}} AND {{}} {beyond} {{}}))"
            query = query.where(
                QueryString(
                    f"(({{}} IS NOT NULL AND {later}) OR {{}} IS NULL)",
                    *(expression, expression, value, expression, value, ident, last_id, expression),
                )
            )
    query = query.order_by(QueryString("({} IS NULL)", expression))
    rows = await query.order_by(expression, id_column, ascending=not descending).limit(size + 1)
    return make_connection(
        rows[:size],
        has_next=len(rows) > size,
        has_previous=after is not None,
        key=lambda row: [value_of(row), row[id_column._meta.name]],
        to_node=to_node,
        encode=lambda key: encode_key(["e", *key]),
    )


def _decode_expression_key(cursor: str) -> tuple[Any, int]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    if not (isinstance(decoded, list) and len(decoded) == 4 and decoded[:2] == ["k", "e"]):
        raise bad_cursor()
    value, last_id = decoded[2:]
    if not isinstance(last_id, int) or not (value is None or isinstance(value, str | int | float | bool)):
        raise bad_cursor()
    return value, last_id
