"""The condition language of rules: JSON an administrator writes, checked against the event.

A condition set is ``{"all": [...]}`` or ``{"any": [...]}``; each item is a condition
``{"field": "value", "op": "gte", "value": "10000"}`` or another group (up to
:data:`MAX_DEPTH` levels). Fields are the event's payload fields, read from its msgspec
definition when the rule is saved, so a typo or an operator that makes no sense for the field's
type is refused then, never discovered when the event comes. Evaluation never raises: a value of
an unexpected type simply does not match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec.inspect as spec

from core.errors import DomainError
from core.events.base import Event
from core.i18n import _

MAX_DEPTH = 3
MAX_CONDITIONS = 50

NUMBER, TEXT, BOOLEAN, DATETIME, LIST, OBJECT, ANY = "number", "text", "boolean", "datetime", "list", "object", "any"
EQUALITY = ("eq", "ne", "in", "not_in")
ORDER = ("gt", "gte", "lt", "lte")
PRESENCE = ("is_set", "is_not_set")
OPERATORS: dict[str, tuple[str, ...]] = {
    NUMBER: EQUALITY + ORDER + PRESENCE,
    # Amounts travel as text ("12500.00"); ordering compares them as numbers when both are.
    TEXT: (*EQUALITY, *ORDER, "contains", *PRESENCE),
    BOOLEAN: ("eq", "ne", *PRESENCE),
    DATETIME: ORDER + PRESENCE,
    LIST: ("contains", *PRESENCE),
    OBJECT: ("contains", *PRESENCE),  # contains: the key is present (e.g. a changed field)
    ANY: (*EQUALITY, "contains", *PRESENCE),
}
ALL_OPERATORS = sorted({op for ops in OPERATORS.values() for op in ops})
SAMPLES: dict[str, Any] = {
    NUMBER: 1,
    TEXT: "tekst",
    BOOLEAN: True,
    DATETIME: "2026-01-01T12:00:00+00:00",
    LIST: [],
    OBJECT: {},  # an open mapping: templates may name any key
    ANY: "",
}


@dataclass(frozen=True)
class PayloadField:
    name: str
    kind: str
    nullable: bool


def _kind(info: Any) -> tuple[str, bool]:
    if isinstance(info, spec.UnionType):
        kinds = [_kind(member)[0] for member in info.types if not isinstance(member, spec.NoneType)]
        nullable = any(isinstance(member, spec.NoneType) for member in info.types)
        return (kinds[0] if len(set(kinds)) == 1 else ANY), nullable
    if isinstance(info, spec.IntType | spec.FloatType | spec.DecimalType):
        return NUMBER, False
    if isinstance(info, spec.StrType | spec.LiteralType | spec.EnumType):
        return TEXT, False
    if isinstance(info, spec.BoolType):
        return BOOLEAN, False
    if isinstance(info, spec.DateTimeType | spec.DateType):
        return DATETIME, False
    if isinstance(info, spec.ListType | spec.SetType | spec.FrozenSetType | spec.VarTupleType | spec.TupleType):
        return LIST, False
    if isinstance(info, spec.DictType | spec.StructType | spec.TypedDictType | spec.DataclassType):
        return OBJECT, False
    return ANY, False


def payload_fields(event_type: type[Event]) -> list[PayloadField]:
    """The payload fields of an event class, with the kind each condition is checked against."""
    info = spec.type_info(event_type)
    fields = []
    for field in info.fields:  # type: ignore[attr-defined]
        kind, nullable = _kind(field.type)
        fields.append(PayloadField(field.name, kind, nullable))
    return fields


# Current fields of the event's company or person a condition may test ("company.lifecycle"):
# read when the event is dispatched, so they say how the record is then, not when it changed.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "company": ("lifecycle", "kind", "status", "classification"),
    "person": ("lifecycle", "kind"),
}


def condition_fields(event_type: type[Event]) -> list[PayloadField]:
    """What conditions on this event can test: its payload, and its records' current fields."""
    fields = payload_fields(event_type)
    for record, names in RECORD_FIELDS.items():
        if f"{record}_id" in event_type.__struct_fields__:
            fields += [PayloadField(f"{record}.{name}", TEXT, True) for name in names]
    return fields


def records_tested(conditions: Mapping[str, Any]) -> set[str]:
    """Which records (company, person) the conditions read current fields of."""
    found: set[str] = set()
    for items in conditions.values():
        for item in items:
            if "all" in item or "any" in item:
                found |= records_tested(item)
            elif "." in item["field"]:
                found.add(item["field"].split(".", 1)[0])
    return found


def sample_payload(event_type: type[Event]) -> dict[str, Any]:
    """Template variables of ``event`` with sample values, for check_template."""
    return {field.name: SAMPLES[field.kind] for field in payload_fields(event_type)}


# --- checking ------------------------------------------------------------------------------------
def _bad(code: str, message: str, path: list[str], **params: Any) -> DomainError:
    return DomainError(code, message, path, **params)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None  # NaN does not compare


def _value_fits(kind: str, op: str, value: Any) -> bool:
    if kind == NUMBER:
        return _number(value) is not None
    if kind == TEXT:
        return isinstance(value, str) or (op in ORDER and _number(value) is not None)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == DATETIME:
        return isinstance(value, str) and _datetime(value) is not None
    if kind in (LIST, ANY):
        return isinstance(value, str | int | float | bool)
    if kind == OBJECT:
        return isinstance(value, str)
    return False


def _check_condition(item: Mapping[str, Any], fields: dict[str, PayloadField], path: list[str]) -> dict[str, Any]:
    unknown = set(item) - {"field", "op", "value"}
    if unknown:
        raise _bad("UNKNOWN_KEY", _("Unknown key {key}."), path, key=sorted(unknown)[0])
    name = item.get("field")
    field = fields.get(name) if isinstance(name, str) else None
    if field is None:
        raise _bad(
            "UNKNOWN_FIELD",
            _("The event has no field {name}; it has: {fields}."),
            [*path, "field"],
            name=str(name),
            fields=", ".join(sorted(fields)),
        )
    op = item.get("op")
    if op not in OPERATORS[field.kind]:
        raise _bad(
            "OPERATOR_NOT_ALLOWED",
            _("The operator {op} does not apply to {name} ({kind}); use one of: {allowed}."),
            [*path, "op"],
            op=str(op),
            name=field.name,
            kind=field.kind,
            allowed=", ".join(OPERATORS[field.kind]),
        )
    if op in PRESENCE:
        if item.get("value") is not None:
            raise _bad("VALUE_NOT_ALLOWED", _("This operator takes no value."), [*path, "value"])
        return {"field": field.name, "op": op}
    value = item.get("value")
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and (not isinstance(value, list) or not value):
        raise _bad("LIST_EXPECTED", _("A non-empty list of values is expected."), [*path, "value"])
    if not all(_value_fits(field.kind, op, each) for each in values):
        raise _bad(
            "VALUE_TYPE",
            _("The value does not fit the field {name} ({kind})."),
            [*path, "value"],
            name=field.name,
            kind=field.kind,
        )
    return {"field": field.name, "op": op, "value": value}


def check_conditions(conditions: Any, event_type: type[Event], path: list[str]) -> dict[str, Any]:
    """The conditions in their stored form, or a DomainError naming the item at fault."""
    if conditions is None or conditions == {}:
        return {}
    fields = {field.name: field for field in condition_fields(event_type)}
    count = 0

    def group(node: Any, node_path: list[str], depth: int) -> dict[str, Any]:
        nonlocal count
        if not isinstance(node, Mapping) or len(node) != 1 or next(iter(node)) not in ("all", "any"):
            raise _bad("INVALID_GROUP", _("A group is an object with one key, all or any, holding a list."), node_path)
        mode, items = next(iter(node.items()))
        if not isinstance(items, list):
            raise _bad("LIST_EXPECTED", _("A non-empty list of values is expected."), [*node_path, mode])
        checked = []
        for index, item in enumerate(items):
            item_path = [*node_path, mode, str(index)]
            count += 1
            if count > MAX_CONDITIONS:
                raise _bad("TOO_MANY", _("At most {limit} entries."), item_path, limit=MAX_CONDITIONS)
            if isinstance(item, Mapping) and ("all" in item or "any" in item):
                if depth >= MAX_DEPTH:
                    raise _bad("TOO_DEEP", _("Groups nest at most {limit} levels deep."), item_path, limit=MAX_DEPTH)
                checked.append(group(item, item_path, depth + 1))
            elif isinstance(item, Mapping):
                checked.append(_check_condition(item, fields, item_path))
            else:
                raise _bad("INVALID_CONDITION", _("A condition is an object with field, op and value."), item_path)
        return {mode: checked}

    return group(conditions, path, 1)


# --- evaluating ----------------------------------------------------------------------------------
def _datetime(value: Any) -> datetime | None:
    """An ISO date-time, naive ones taken as UTC (naive and aware values do not compare)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) >= 10:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    numbers = _number(left), _number(right)
    if numbers[0] is not None and numbers[1] is not None:
        return numbers
    dates = _datetime(left), _datetime(right)
    if dates[0] is not None and dates[1] is not None:
        return dates
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return None


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    pair = _comparable(left, right)
    return pair is not None and pair[0] == pair[1]


def _holds(condition: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    op = condition["op"]
    actual = payload.get(condition["field"])
    if op == "is_set":
        return actual not in (None, "", [], {})
    if op == "is_not_set":
        return actual in (None, "", [], {})
    expected = condition.get("value")
    if op == "eq":
        return _equal(actual, expected)
    if op == "ne":
        return not _equal(actual, expected)
    if op == "in":
        return any(_equal(actual, each) for each in expected)
    if op == "not_in":
        return not any(_equal(actual, each) for each in expected)
    if op == "contains":
        if isinstance(actual, str):
            return isinstance(expected, str) and expected.casefold() in actual.casefold()
        if isinstance(actual, Mapping):
            return expected in actual
        if isinstance(actual, list):
            return any(_equal(each, expected) for each in actual)
        return False
    pair = _comparable(actual, expected)
    if pair is None:
        return False
    left, right = pair
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]


def matches(conditions: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    """Whether the payload satisfies the (checked) conditions; no conditions always match."""
    if not conditions:
        return True
    mode, items = next(iter(conditions.items()))
    results = (matches(item, payload) if ("all" in item or "any" in item) else _holds(item, payload) for item in items)
    return all(results) if mode == "all" else any(results)
