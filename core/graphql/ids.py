"""Global ids: every object is referred to by the id the API hands out for it (``base64("Type:id")``).

One decoder for the whole API: it accepts exactly the type name the object carries in the
schema (a node, or an object with an ``id`` that ``node`` does not resolve, like a task). A name
that no such type has is a programming error, raised as such rather than answered as the
client's INVALID_ID, so a mutation cannot ask for ``User`` while queries hand out ``UserNode``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema
from strawberry import relay

from core.errors import DomainError
from core.i18n import _

NODE_TYPES: set[str] = set()  # the type names of every node of the schemas built in this process
IDENTIFIED_TYPES: set[str] = set()  # and of every object type with an id (nodes or not)


def register_node_types(schema: GraphQLSchema) -> None:
    for name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name.startswith("__"):
            continue
        if any(i.name == "Node" for i in graphql_type.interfaces):
            NODE_TYPES.add(name)
        if "id" in graphql_type.fields:
            IDENTIFIED_TYPES.add(name)


def node_name(node: type | str) -> str:
    """The schema name of a node type, given as its class or its name."""
    name = node if isinstance(node, str) else node.__strawberry_definition__.name  # type: ignore[attr-defined]
    if IDENTIFIED_TYPES and name not in IDENTIFIED_TYPES:
        raise LookupError(f"{name!r} is the name of no type with an id; ids name one of {sorted(IDENTIFIED_TYPES)}")
    return name


def id_of(global_id: relay.GlobalID, node: type | str) -> int | None:
    """The row id in ``global_id`` when it is an id of ``node``, else None."""
    node_id = global_id.node_id
    if global_id.type_name != node_name(node) or not (node_id.isascii() and node_id.isdigit()):
        return None
    return int(global_id.node_id)


def decode_id(global_id: relay.GlobalID, node: type | str, field_path: list[str]) -> int:
    """The row id in ``global_id``; INVALID_ID at ``field_path`` when it is not an id of ``node``."""
    found = id_of(global_id, node)
    if found is None:
        raise DomainError("INVALID_ID", _("This id does not belong to a {type}."), field_path, type=node_name(node))
    return found


def decode_one_of(global_id: relay.GlobalID, nodes: dict[str, Any], field_path: list[str]) -> tuple[Any, int]:
    """``(nodes[type name], row id)`` for an id that may name any of several node types."""
    for name, value in nodes.items():
        found = id_of(global_id, name)
        if found is not None:
            return value, found
    raise DomainError(
        "INVALID_ID", _("This id does not belong to a {type}."), field_path, type=" / ".join(map(node_name, nodes))
    )


def global_id(node: type | str, row_id: int) -> relay.GlobalID:
    return relay.GlobalID(node_name(node), str(row_id))


# Record kinds whose type is not named after them (the kind comes from an event's first
# ``<kind>_id`` field, which is what the audit log records).
KIND_ALIASES: dict[str, str] = {}


def kind_node(kind: str) -> str | None:
    """The node type of a record kind of the audit log ("company" → Company, "user" → UserNode);
    None for kinds that the API hands out no global id for."""
    if kind in KIND_ALIASES:
        return KIND_ALIASES[kind]
    key = kind.replace("_", "")
    exact = [name for name in sorted(IDENTIFIED_TYPES) if _stem(name) == key]
    # A plugin's kinds may drop its prefix ("stage" for SalesStage): taken when only one fits.
    ending = [name for name in sorted(IDENTIFIED_TYPES) if _stem(name).endswith(key)]
    return exact[0] if exact else ending[0] if len(ending) == 1 else None


def _stem(type_name: str) -> str:
    return type_name.lower().removesuffix("node").removesuffix("type")
