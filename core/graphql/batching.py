"""Complete lists and connections level by level instead of field by field.

graphql-core completes a page of 50 companies one field of one object at a time: a resolver
call, an ``Info``, a path entry and an awaitable for each of about a thousand fields, which is
where a list request spends most of its time (docs/performance.md). :class:`BatchingExecutor`
completes the objects of a list or a connection together instead: for each selected field it
reads the plain attribute of every object at once, or calls the field's *batch form* once for
the whole level (one DataLoader call, so one SQL statement per field per level), coerces leaves
with the schema's own scalar and enum types, and builds the response dictionaries directly.

It only does what it can do exactly as graphql-core would. A field with arguments, an abstract
type, a resolver without a batch form, a field extension it does not know, ``@defer``, a null in
a non-null position or any error makes it give up, and graphql-core completes the whole value
again the usual way — so the response and its errors are the same as without this class. The
permission of a field (``RequirePermission``) is checked the same way; a field an actor may not
see (``HideWithout``) is null.

A resolver declares its batch form with ``batch=`` (``core.graphql.permissions.field`` or
:func:`batched_field`): ``async def batch(sources, context) -> list`` returns one value per
source, in order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any

import strawberry
from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from core.graphql.permissions import HideWithout, RequirePermission, allowed

Batch = Callable[[Sequence[Any], Any], Awaitable[list[Any]]]
_DEFAULT_RESOLVE_ID = relay.Node.resolve_id.__func__  # type: ignore[attr-defined]


# Scalars whose output for a value of exactly this Python type is the value itself.
_ALREADY_OUTPUT: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


class _GiveUp(Exception):
    """This value needs graphql-core's own completion."""


def batched_field(batch: Batch, **kwargs: Any) -> Any:
    """``strawberry.field`` with a batch form for lists (fields of object types, no permission)."""
    return strawberry.field(metadata={"batch": batch}, **kwargs)


def load_each(loader: str, key: Callable[[Any], Any]) -> Batch:
    """A batch form that loads ``key(source)`` with a request loader's batch function (``None``
    keys give ``None``). The whole level is one batch already, so it calls the function directly
    with the distinct keys instead of making a future per key."""

    async def batch(sources: Sequence[Any], context: Any) -> list[Any]:
        keys = [key(source) for source in sources]
        wanted = list(dict.fromkeys(k for k in keys if k is not None))
        dataloader = context.loaders[loader]
        size = dataloader.max_batch_size or len(wanted) or 1
        found: dict[Any, Any] = {}
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            found.update(zip(chunk, await dataloader.load_fn(chunk), strict=True))
        return [None if k is None else found[k] for k in keys]

    return batch


def each(compute: Callable[[Any], Any]) -> Batch:
    """The batch form of a resolver that only computes from its source's attributes."""

    async def batch(sources: Sequence[Any], context: Any) -> list[Any]:
        return [compute(source) for source in sources]

    return batch


class BatchingExecutor(StrawberryGraphQLCoreExecutionContext):
    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(result, relay.Connection) or (type(result) is list and len(result) > 1):
            return self._complete_batched(return_type, field_details_list, info, path, result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    async def _complete_batched(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        try:
            [completed] = await self._values(return_type, field_details_list, [result])
            return completed
        except Exception:  # graphql-core completes it again and reports any error its own way
            pass
        completed = super().complete_value(return_type, field_details_list, info, path, result, position_context)
        return await completed if self.is_awaitable(completed) else completed

    async def _values(self, return_type: Any, details: Any, values: list[Any]) -> list[Any]:
        """Complete ``values`` (one per source) of a field of ``return_type``."""
        if is_non_null_type(return_type):
            completed = await self._values(return_type.of_type, details, values)
            if any(value is None for value in completed):
                raise _GiveUp  # graphql-core raises the non-null error at the right path
            return completed
        if is_leaf_type(return_type):
            exact = _ALREADY_OUTPUT.get(return_type.name)
            if exact is not None and all(value is None or type(value) is exact for value in values):
                return values  # what coercion would return unchanged: a str for String and ID, a bool
            coerce = self.complete_leaf_value
            return [None if value is None else coerce(return_type, value) for value in values]
        if is_list_type(return_type):
            if any(value is not None and not isinstance(value, list | tuple) for value in values):
                raise _GiveUp
            flat = [item for value in values if value is not None for item in value]
            completed = iter(await self._values(return_type.of_type, details, flat))
            return [None if value is None else [next(completed) for _ in value] for value in values]
        if not is_object_type(return_type):
            raise _GiveUp  # interfaces and unions resolve their type per object
        present = [value for value in values if value is not None]
        if return_type.is_type_of is not None and not all(return_type.is_type_of(v, None) for v in present):
            raise _GiveUp
        objects = iter(await self._objects(return_type, details, present) if present else ())
        return [None if value is None else next(objects) for value in values]

    async def _objects(self, object_type: GraphQLObjectType, details: Any, sources: list[Any]) -> list[dict]:
        grouped, defers, _forbidden = self.collect_subfields(object_type, details)
        if defers:
            raise _GiveUp
        columns: dict[str, Any] = {}
        for key, field_details in grouped.items():
            node = field_details[0].node
            name = node.name.value
            if name == "__typename":
                columns[key] = [object_type.name] * len(sources)
                continue
            if node.arguments:
                raise _GiveUp
            field = object_type.fields[name]
            columns[key] = await self._values(
                field.type, field_details, await self._field_values(object_type, field, sources)
            )
        keys = list(grouped)  # the response keeps the order of the query
        return [{key: columns[key][index] for key in keys} for index in range(len(sources))]

    async def _field_values(self, object_type: GraphQLObjectType, field: Any, sources: list[Any]) -> list[Any]:
        definition = field.extensions.get("strawberry-definition")
        if definition is None or definition.permission_classes or definition.directives:
            raise _GiveUp
        actor = self.context_value.actor
        for extension in definition.extensions:
            if isinstance(extension, RequirePermission):
                if not allowed(actor, extension.code):
                    raise _GiveUp  # graphql-core reports the refusal at the field's path
            elif isinstance(extension, HideWithout):
                if not allowed(actor, extension.code):
                    return [None] * len(sources)
            else:
                raise _GiveUp
        resolver = definition.base_resolver
        if resolver is None:
            attribute = definition.python_name
            return [getattr(source, attribute) for source in sources]
        batch = (definition.metadata or {}).get("batch")
        if batch is not None:
            values = await batch(sources, self.context_value)
            if len(values) != len(sources):
                raise _GiveUp
            return values
        if definition.python_name == "_id":  # relay.Node's id: the type name and the NodeID attribute
            return [_global_id(object_type.name, source) for source in sources]
        raise _GiveUp


def _global_id(type_name: str, source: Any) -> str:
    cls = type(source)
    if not isinstance(source, relay.Node) or cls.resolve_id.__func__ is not _DEFAULT_RESOLVE_ID:
        raise _GiveUp
    return _encoded_id(type_name, str(getattr(source, cls.resolve_id_attr())))


@lru_cache(maxsize=65_536)
def _encoded_id(type_name: str, node_id: str) -> str:
    """What the ID scalar makes of ``GlobalID(type_name, node_id)`` (base64 of ``Type:id``)."""
    return str(relay.GlobalID(type_name, node_id))


async def nodes_by_loader(info: Any, loader: str, node_ids: list[Any]) -> list[Any]:
    """``resolve_nodes`` of a relay type through a request loader (ids that are not numbers: None)."""
    ids = [int(i) for i in node_ids if str(i).isdecimal()]
    found = dict(zip(ids, await info.context.loaders[loader].load_many(ids), strict=True)) if ids else {}
    return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


async def reload(info: Any, loader: str, record_id: int | None) -> Any:
    """A record as it is now, for a mutation's payload (the request may have loaded it before)."""
    if record_id is None:
        return None
    with contextlib.suppress(KeyError):
        info.context.loaders[loader].clear(record_id)
    return await info.context.loaders[loader].load(record_id)
