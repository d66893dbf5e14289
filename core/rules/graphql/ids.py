"""Ids inside a rule's JSON (conditions and actions) are global ids, as everywhere in the API.

The rules engine keeps and compares row ids; this module turns the global ids a client writes
into row ids before the service checks the rule, and back when a rule is shown. Malformed shapes
are left alone: the service reports them with their path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from strawberry import relay

from core.errors import DomainError
from core.events.base import Event
from core.graphql.ids import decode_id, decode_one_of, kind_node
from core.i18n import _
from core.rules.conditions import LIST, NUMBER, payload_fields

# Payload fields that name a record under another word than its kind.
FIELD_KINDS = {"assignee": "user", "follower": "user", "from_stage": "stage", "to_stage": "stage"}
ACTION_IDS = {"webhook": ("endpoint_id", "WebhookEndpoint"), "task": ("assignee", "UserNode")}
KEEP = {"assignee": "owner"}  # a word an id key may hold instead of an id
# Operators that compare an id with ids; the service refuses the others on these fields itself.
ID_OPERATORS = {NUMBER: ("eq", "ne", "in", "not_in"), LIST: ("contains",)}


def id_fields(event_type: type[Event]) -> dict[str, tuple[str, str]]:
    """The payload fields of ``event_type`` that hold row ids: their kind and the record's node type."""
    subject = next((name for name in event_type.__struct_fields__ if name.endswith("_id")), None)
    found = {}
    for field in payload_fields(event_type):
        stem = field.name.removesuffix("_ids") if field.kind == LIST else field.name.removesuffix("_id")
        if stem == field.name or field.kind not in (NUMBER, LIST):
            continue
        if stem == "loser" and subject:
            stem = subject.removesuffix("_id")
        node = kind_node(FIELD_KINDS.get(stem, stem))
        if node is not None:
            found[field.name] = (field.kind, node)
    return found


def _decode(value: Any, node: str, path: list[str]) -> Any:
    if not isinstance(value, str):
        raise DomainError("INVALID_ID", _("This id does not belong to a {type}."), path, type=node)
    try:
        global_id = relay.GlobalID.from_id(value)
    except ValueError:  # a malformed id
        raise DomainError("INVALID_ID", _("This id does not belong to a {type}."), path, type=node) from None
    return decode_id(global_id, node, path)


def _encode(value: Any, node: str, path: list[str]) -> Any:
    return str(relay.GlobalID(node, str(value))) if isinstance(value, int) and not isinstance(value, bool) else value


def _conditions(node: Any, fields: dict[str, tuple[str, str]], path: list[str], convert: Callable[..., Any]) -> Any:
    if not isinstance(node, Mapping) or len(node) != 1 or next(iter(node)) not in ("all", "any"):
        return node
    mode, items = next(iter(node.items()))
    if not isinstance(items, list):
        return node
    converted = []
    for index, item in enumerate(items):
        item_path = [*path, mode, str(index)]
        if isinstance(item, Mapping) and ("all" in item or "any" in item):
            converted.append(_conditions(item, fields, item_path, convert))
        elif (
            isinstance(item, Mapping)
            and item.get("field") in fields
            and item.get("op") in ID_OPERATORS[fields[item["field"]][0]]
            and item.get("value") is not None
        ):
            target, value = fields[item["field"]][1], item["value"]
            value_path = [*item_path, "value"]
            if isinstance(value, list):
                value = [convert(each, target, [*value_path, str(i)]) for i, each in enumerate(value)]
            else:
                value = convert(value, target, value_path)
            converted.append({**item, "value": value})
        else:
            converted.append(item)
    return {mode: converted}


def _actions(actions: Any, path: list[str], convert: Callable[..., Any]) -> Any:
    if not isinstance(actions, list):
        return actions
    converted = []
    for index, action in enumerate(actions):
        key, target = ACTION_IDS.get(action.get("type"), (None, None)) if isinstance(action, Mapping) else (None, None)
        if isinstance(action, Mapping) and action.get("type") == "notify" and action.get("to", "owner") != "owner":
            recipient = _recipient_in(action["to"]) if convert is _decode else _recipient_out(action["to"])
            converted.append({**action, "to": recipient})
        elif key is None or key not in action or action[key] == KEEP.get(key):
            converted.append(action)
        else:
            converted.append({**action, key: convert(action[key], target, [*path, str(index), key])})
    return converted


RECIPIENTS = {"UserNode": "user", "TeamNode": "team"}  # whom a notify action may name besides the owner


def _recipient_in(value: Any) -> Any:
    """``{"user": id}`` / ``{"team": id}`` for a user's or a team's global id; anything else
    stays as it is, for the service to refuse with its own code (INVALID_RECIPIENT)."""
    if not isinstance(value, str):
        return None  # a client writes ids as global ids, never as the stored form
    try:
        kind, row_id = decode_one_of(relay.GlobalID.from_id(value), RECIPIENTS, [])
    except (ValueError, TypeError, DomainError):
        return value
    return {kind: row_id}


def _recipient_out(value: Any) -> Any:
    if isinstance(value, Mapping) and len(value) == 1:
        kind, row_id = next(iter(value.items()))
        node = next((name for name, word in RECIPIENTS.items() if word == kind), None)
        if node is not None and isinstance(row_id, int):
            return str(relay.GlobalID(node, str(row_id)))
    return value


def conditions_in(conditions: Any, event_type: type[Event] | None) -> Any:
    if event_type is None or not conditions:
        return conditions
    return _conditions(conditions, id_fields(event_type), ["input", "conditions"], _decode)


def conditions_out(conditions: Any, event_type: type[Event] | None) -> Any:
    if event_type is None or not conditions:
        return conditions
    return _conditions(conditions, id_fields(event_type), [], _encode)


def actions_in(actions: Any) -> Any:
    return _actions(actions, ["input", "actions"], _decode)


def actions_out(actions: Any) -> Any:
    return _actions(actions, [], _encode)
