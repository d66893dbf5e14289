"""Relay cursor connections over Piccolo queries, paged by key (never OFFSET).

A cursor is opaque to clients (base64 of the key of the last row seen); a page larger than the
server maximum is refused with a clear error instead of silently shortened.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from piccolo.columns import Column
from strawberry import relay

from core.graphql.errors import ClientError
from core.i18n import _

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
BAD_INPUT = "BAD_USER_INPUT"


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(f"k:{key}".encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    if not raw.startswith("k:"):
        raise bad_cursor()
    return raw[2:]


def bad_cursor() -> ClientError:
    return ClientError(BAD_INPUT, _("`after` is not a cursor this API issued."))


def page_size(first: int | None, maximum: int) -> int:
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if not 0 <= first <= maximum:
        raise ClientError(
            BAD_INPUT,
            _("`first` must be between 0 and {maximum}; got {first}."),
            extensions={"maximum": maximum},
            maximum=maximum,
            first=first,
        )
    return first


async def paginate_by_id(
    query: Any,
    id_column: Column,
    *,
    first: int | None,
    after: str | None,
    maximum: int,
    to_node: Callable[[dict[str, Any]], T],
) -> relay.Connection[T]:
    """One page of ``query`` ordered by an integer key column."""
    size = page_size(first, maximum)
    if after is not None:
        try:
            last_key = int(decode_cursor(after))
        except ValueError:
            raise bad_cursor() from None
        query = query.where(id_column > last_key)
    rows = await query.order_by(id_column).limit(size + 1)
    return make_connection(
        rows[:size],
        has_next=len(rows) > size,
        has_previous=after is not None,
        key=lambda row: row[id_column._meta.name],
        to_node=to_node,
    )


def make_connection(
    rows: Sequence[dict[str, Any]],
    *,
    has_next: bool,
    has_previous: bool,
    key: Callable[[dict[str, Any]], Any],
    to_node: Callable[[dict[str, Any]], T],
    encode: Callable[[Any], str] = encode_cursor,
) -> relay.Connection[T]:
    edges = [_KeyedEdge(to_node(row), key(row), encode) for row in rows]
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


class _KeyedEdge(relay.Edge):
    """An edge whose cursor is encoded only if asked for: most pages show nodes, not cursors."""

    def __init__(self, node: Any, key: Any, encode: Callable[[Any], str]):
        self.node = node
        self._key = key
        self._encode = encode

    @property  # type: ignore[override]
    def cursor(self) -> str:
        return self._encode(self._key)
