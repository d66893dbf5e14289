"""Compose one schema per surface from what the enabled plugins contribute.

Root fields and type extensions are checked before merging: a field defined twice raises an
error naming both plugins, and a root or extension field without a declared permission (or
with an unregistered code) stops the build. Strawberry has no ``extend type``, so extensible
types are undecorated classes that the composer decorates once all extensions are known.
"""

from __future__ import annotations

import copy
import importlib
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from core.errors import SchemaCompositionError
from core.graphql.batching import BatchingExecutor
from core.graphql.guards import GuardedSchema, default_extensions
from core.graphql.ids import register_node_types
from core.graphql.permissions import SPECIAL_PERMISSIONS, declared_permission
from core.plugins.specs import Surface

if TYPE_CHECKING:
    from core.runtime import Runtime


class Extensible:
    """Base of a GraphQL object type other plugins may add fields to.

    Subclass it without ``@strawberry.type``, contribute it through
    ``kartoteka_graphql_types``, and refer to it with :func:`extensible`.
    """


def extensible(name: str, surface: Surface) -> Any:
    """A lazy reference to the composed extensible type ``name`` of ``surface``."""
    return Annotated[name, strawberry.lazy(f"core.graphql.composed.{surface}")]


def composed_type(info: Any, name: str) -> type:
    """The composed class of an extensible type in the schema that is executing."""
    return info.schema.get_type_by_name(name).origin


def composed_class(context: Any, name: str) -> type:
    """The composed class of an extensible type, from a request context (dataloaders have no info)."""
    return context.runtime.schemas[context.surface].get_type_by_name(name).origin


def _class_fields(cls: type) -> dict[str, StrawberryField]:
    """Strawberry fields declared on a class (decorated type or undecorated mixin)."""
    definition = getattr(cls, "__strawberry_definition__", None)
    if definition is not None:
        return {f.python_name: f for f in definition.fields}
    fields: dict[str, StrawberryField] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, StrawberryField):
                fields[name] = value
    return fields


def _flatten(name: str, parts: list[type], module: str) -> type:
    """A subclass of the extensible base holding copies of the fields of the base and of the
    mixins: Strawberry reads fields only from a class's own namespace and dataclass bases, and
    it mutates the fields it processes. The base stays in the MRO for its methods and
    interfaces (``relay.Node``)."""
    namespace: dict[str, Any] = {"__module__": module, "__annotations__": {}}
    for part in parts:
        for klass in reversed(part.__mro__[:-1]):
            if klass is Extensible or "__strawberry_definition__" in vars(klass):
                continue  # interfaces such as relay.Node are kept as bases
            for key, value in vars(klass).items():
                if isinstance(value, StrawberryField):
                    namespace[key] = copy.copy(value)
            namespace["__annotations__"].update(vars(klass).get("__annotations__", {}))
    return type(name, (parts[0],), namespace)


def _graphql_name(python_name: str, field: StrawberryField) -> str:
    return field.graphql_name or to_camel_case(python_name)


class _Composer:
    def __init__(self, runtime: Runtime, surface: Surface):
        self.runtime = runtime
        self.surface = surface
        self.known_permissions = set(runtime.registry.permissions) | SPECIAL_PERMISSIONS

    def check_permission(self, owner: str, where: str, field: StrawberryField) -> None:
        code = declared_permission(field)
        if code is None:
            raise SchemaCompositionError(
                f"{where} (plugin {owner!r}) declares no permission; use core.api.field(permission=...)"
            )
        if code not in self.known_permissions:
            raise SchemaCompositionError(f"{where} (plugin {owner!r}) requires unregistered permission {code!r}")

    def merge_root(self, name: str, parts: list[tuple[str, type]]) -> type | None:
        seen: dict[str, str] = {}
        for plugin, cls in parts:
            for python_name, field in _class_fields(cls).items():
                graphql_name = _graphql_name(python_name, field)
                where = f"field {name}.{graphql_name}"
                if graphql_name in seen:
                    raise SchemaCompositionError(f"{where} is defined by both {seen[graphql_name]!r} and {plugin!r}")
                seen[graphql_name] = plugin
                self.check_permission(plugin, where, field)
        if not parts:
            return None
        return merge_types(name, tuple(cls for _, cls in parts))

    def compose_extensible(self, bases: list[tuple[str, type]], extensions: list[tuple[str, Any]]) -> list[type]:
        namespace = importlib.import_module(f"core.graphql.composed.{self.surface}")
        by_name = {base.__name__: (owner, base) for owner, base in bases}
        mixins: dict[str, list[tuple[str, type]]] = {name: [] for name in by_name}
        for plugin, extension in extensions:
            if extension.target not in by_name:
                raise SchemaCompositionError(
                    f"plugin {plugin!r} extends type {extension.target!r}, which is not an extensible type "
                    f"(extensible: {', '.join(sorted(by_name)) or 'none'})"
                )
            mixins[extension.target].append((plugin, extension.fields))
        composed = []
        for name, (owner, base) in by_name.items():
            seen = {_graphql_name(n, f): owner for n, f in _class_fields(base).items()}
            for plugin, mixin in mixins[name]:
                for python_name, field in _class_fields(mixin).items():
                    graphql_name = _graphql_name(python_name, field)
                    where = f"field {name}.{graphql_name}"
                    if graphql_name in seen:
                        raise SchemaCompositionError(
                            f"{where} is defined by both {seen[graphql_name]!r} and {plugin!r}"
                        )
                    seen[graphql_name] = plugin
                    if field.base_resolver is None:
                        raise SchemaCompositionError(f"{where} (plugin {plugin!r}) must have a resolver")
                    self.check_permission(plugin, where, field)
            klass = _flatten(name, [base, *[m for _, m in mixins[name]]], namespace.__name__)
            decorated = strawberry.type(klass, name=name, description=(base.__doc__ or "").strip() or None)
            setattr(namespace, name, decorated)
            composed.append(decorated)
        return composed

    def build(self) -> GuardedSchema:
        contributions = self.runtime.registry.graphql[self.surface]
        bases, plain_types, extensions = [], [], []
        for part in contributions:
            for cls in part.types:
                if isinstance(cls, type) and issubclass(cls, Extensible):
                    bases.append((part.plugin, cls))
                else:
                    plain_types.append(cls)
            extensions += [(part.plugin, e) for e in part.extensions]
        composed_types = self.compose_extensible(bases, extensions)
        query = self.merge_root("Query", [(p.plugin, c) for p in contributions for c in p.queries])
        mutation = self.merge_root("Mutation", [(p.plugin, c) for p in contributions for c in p.mutations])
        if query is None:
            raise SchemaCompositionError(f"no plugin contributes a query to the {self.surface} surface")
        settings = self.runtime.settings
        schema = GuardedSchema(
            query=query,
            mutation=mutation,
            types=[*composed_types, *plain_types],
            extensions=default_extensions(settings),
            execution_context_class=BatchingExecutor,
            config=StrawberryConfig(disable_field_suggestions=settings.is_production),
        )
        schema.max_cost = settings.max_query_cost
        schema.max_tokens = settings.max_query_tokens
        schema.deadline = settings.request_deadline
        schema.suggestions = not settings.is_production
        schema.public_introspection = not settings.is_production
        return schema


def build_schema(runtime: Runtime, surface: Surface) -> GuardedSchema:
    schema = _Composer(runtime, surface).build()
    register_node_types(schema._schema)
    runtime.schemas[surface] = schema
    return schema
