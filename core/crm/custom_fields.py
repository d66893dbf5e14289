"""Custom fields defined at runtime (MISSION F2, ARCHITECTURE decision 8).

Definitions live in ``core_custom_field``; values in the record's ``custom`` JSON column,
validated on write against the definitions. Renaming a label or archiving a field keeps the
data. Filters compile to SQL per engine with the key matched against the definitions and
passed as a bound parameter — never spliced into the statement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from piccolo.querystring import QueryString

from core.crm.tables import CustomField
from core.db.engine import contains_text
from core.errors import DomainError
from core.i18n import _
from core.plugins.specs import CustomFieldEntity
from core.validation import normalise_email, normalise_phone

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime

MANAGE = "core.custom_field.manage"
SENSITIVE_READ = "core.personal_data.read"  # see sensitive values: birthdays, sensitive custom fields
REFERENCE_TARGETS = ("company", "person")  # what a reference field may point at (GraphQL nodes)


CORE_ENTITIES = [
    CustomFieldEntity("company", "Company", "Firma", "core.company.read"),
    CustomFieldEntity("person", "Person", "Osoba", "core.person.read"),
]
KINDS = ("text", "number", "decimal", "date", "bool", "choice", "multi_choice", "email", "url", "phone", "reference")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_TEXT = 2_000
OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "in", "contains", "contains_text", "is_null")
TEXT_KINDS = ("text", "email", "url", "phone")  # kept as strings: contains_text searches them
ORDERED_KINDS = ("number", "decimal", "date", "text")
SORTABLE_KINDS = (*ORDERED_KINDS, "choice", "email", "url", "phone", "bool")


# --- definitions ---------------------------------------------------------------------------------
def _choices(options: Mapping[str, Any], path: list[str]) -> list[str]:
    choices = options.get("choices")
    if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip() for c in choices):
        raise DomainError("CHOICES_REQUIRED", _("List the choices (non-empty texts)."), [*path, "choices"])
    if len(set(choices)) != len(choices):
        raise DomainError("DUPLICATE_CHOICE", _("Each choice may appear once."), [*path, "choices"])
    return choices


def check_options(kind: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    path = ["input", "options"]
    options = dict(options or {})
    if kind in ("choice", "multi_choice"):
        options["choices"] = _choices(options, path)
    if kind == "reference" and options.get("entity") not in REFERENCE_TARGETS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), [*path, "entity"], allowed=", ".join(REFERENCE_TARGETS)
        )
    for bound in ("min", "max"):
        if bound in options and not isinstance(options[bound], int | float):
            raise DomainError("INVALID_NUMBER", _("A number is expected."), [*path, bound])
    return options


async def define(
    runtime: Runtime,
    actor: Actor,
    *,
    entity: str,
    key: str,
    label_pl: str,
    label_en: str,
    kind: str,
    options: Mapping[str, Any] | None = None,
    required: bool = False,
    sensitive: bool = False,
) -> int:
    _require(actor)
    entities = runtime.registry.custom_field_entities
    if entity not in entities:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "entity"], allowed=", ".join(sorted(entities))
        )
    if not KEY.match(key):
        raise DomainError(
            "INVALID_KEY", _("A key is lower-case letters, digits and _, starting with a letter."), ["input", "key"]
        )
    if kind not in KINDS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "kind"], allowed=", ".join(KINDS)
        )
    if not label_pl.strip() or not label_en.strip():
        raise DomainError(
            "BLANK", _("This field must not be blank."), ["input", "labelPl" if not label_pl.strip() else "labelEn"]
        )
    checked = check_options(kind, options)
    async with runtime.unit_of_work(actor):
        if await CustomField.exists().where((CustomField.entity == entity) & (CustomField.key == key)):
            raise DomainError("KEY_TAKEN", _("This entity already has a field with this key."), ["input", "key"])
        position = await CustomField.count().where(CustomField.entity == entity)
        [row] = await CustomField.insert(
            CustomField(
                entity=entity,
                key=key,
                label_pl=label_pl.strip(),
                label_en=label_en.strip(),
                kind=kind,
                options=checked,
                required=required,
                sensitive=sensitive,
                position=position,
            )
        ).returning(CustomField.id)
    return row["id"]


async def update_definition(
    runtime: Runtime,
    actor: Actor,
    field_id: int,
    *,
    label_pl: str | None = None,
    label_en: str | None = None,
    options: Mapping[str, Any] | None = None,
    archived: bool | None = None,
    sensitive: bool | None = None,
) -> None:
    """Labels, options and archiving change; the key and the kind never do (the data keeps its meaning)."""
    _require(actor)
    async with runtime.unit_of_work(actor):
        row = await CustomField.select().where(CustomField.id == field_id).output(load_json=True).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such custom field."), ["id"])
        changes: dict[Any, Any] = {}
        if label_pl is not None:
            changes[CustomField.label_pl] = label_pl.strip() or row["label_pl"]
        if label_en is not None:
            changes[CustomField.label_en] = label_en.strip() or row["label_en"]
        if options is not None:
            new = check_options(row["kind"], options)
            removed = set(row["options"].get("choices", [])) - set(new.get("choices", []))
            if removed:
                raise DomainError(
                    "CHOICE_REMOVED",
                    _("Choices cannot be removed, only added: {choices}."),
                    ["input", "options", "choices"],
                    choices=", ".join(sorted(removed)),
                )
            changes[CustomField.options] = new
        if sensitive is not None:
            changes[CustomField.sensitive] = sensitive
        if archived is not None:
            changes[CustomField.archived_at] = datetime.now(UTC) if archived else None
        if changes:
            await CustomField.update(changes).where(CustomField.id == field_id)


def _require(actor: Actor) -> None:
    if not actor.can(MANAGE):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=MANAGE)


async def definitions(entity: str, *, include_archived: bool = False) -> dict[str, dict[str, Any]]:
    query = (
        CustomField.select().where(CustomField.entity == entity).order_by(CustomField.position).output(load_json=True)
    )
    if not include_archived:
        query = query.where(CustomField.archived_at.is_null())
    return {row["key"]: row for row in await query}


# --- values ------------------------------------------------------------------------------------------
def _value(definition: Mapping[str, Any], value: Any, path: list[str]) -> Any:
    """One value as stored in JSON, or a DomainError naming the field."""
    kind, options = definition["kind"], definition["options"]

    def invalid(message: str, **params: Any) -> DomainError:
        return DomainError("CUSTOM_FIELD_INVALID", message, path, **params)

    if kind == "text":
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise invalid(_("A text of at most {limit} characters is expected."), limit=MAX_TEXT)
        return value
    if kind in ("number", "decimal"):
        if isinstance(value, bool):
            raise invalid(_("A number is expected."))
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise invalid(_("A number is expected.")) from None
        if not number.is_finite():
            raise invalid(_("A number is expected."))
        if "min" in options and number < Decimal(str(options["min"])):
            raise invalid(_("At least {min}."), min=options["min"])
        if "max" in options and number > Decimal(str(options["max"])):
            raise invalid(_("At most {max}."), max=options["max"])
        # Numbers are stored as JSON numbers (so SQL compares them as numbers); decimals as text, exactly.
        return float(number) if kind == "number" else str(number)
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise invalid(_("A date (YYYY-MM-DD) is expected.")) from None
    if kind == "bool":
        if not isinstance(value, bool):
            raise invalid(_("true or false is expected."))
        return value
    if kind == "choice":
        if value not in options["choices"]:
            raise invalid(_("Allowed values: {allowed}."), allowed=", ".join(options["choices"]))
        return value
    if kind == "multi_choice":
        if not isinstance(value, list) or any(item not in options["choices"] for item in value):
            raise invalid(_("Allowed values: {allowed}."), allowed=", ".join(options["choices"]))
        return list(dict.fromkeys(value))
    if kind == "email":
        return normalise_email(str(value), path)
    if kind == "phone":
        return normalise_phone(str(value), path)
    if kind == "url":
        parts = urlsplit(str(value))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise invalid(_("An http(s) address is expected."))
        return str(value)
    if kind == "reference":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise invalid(_("The id of a {entity} is expected."), entity=options["entity"])
        return value
    raise invalid(_("A JSON object is expected."))


def check_value(definition: Mapping[str, Any], value: Any, path: list[str]) -> Any:
    """A value for the field ``definition`` as it would be stored, or a DomainError at ``path``."""
    return _value(definition, value, path)


async def apply_patch(
    entity: str, current: Mapping[str, Any], patch: Mapping[str, Any] | None, *, creating: bool
) -> dict[str, Any]:
    """``current`` with ``patch`` applied: absent keys stay, ``null`` clears. Required fields are checked."""
    defined = await definitions(entity)
    result = dict(current)
    for key, value in (patch or {}).items():
        path = ["input", "customFields", key]
        definition = defined.get(key)
        if definition is None:
            raise DomainError("CUSTOM_FIELD_UNKNOWN", _("There is no custom field {key} here."), path, key=key)
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _value(definition, value, path)
    if creating or patch:
        for key, definition in defined.items():
            if definition["required"] and result.get(key) is None:
                raise DomainError("REQUIRED", _("This field is required."), ["input", "customFields", key])
    return result


# --- filters -------------------------------------------------------------------------------------------
def filter_clause(table: Any, definition: Mapping[str, Any], operator: str, value: Any, *, sqlite: bool) -> QueryString:
    """A where-clause on ``table.custom`` for one definition; the key and value are parameters."""
    kind, key = definition["kind"], definition["key"]
    path = ["filter", "customFields", key]
    if operator not in OPERATORS:
        raise DomainError("INVALID_CHOICE", _("Allowed values: {allowed}."), path, allowed=", ".join(OPERATORS))
    column = f'"{table._meta.tablename}"."custom"'
    text = f"json_extract({column}, {{}})" if sqlite else f"({column} ->> {{}}::text)"
    argument = f"$.{key}" if sqlite else key
    if operator == "is_null":
        return QueryString(f"{text} IS NULL" if value else f"{text} IS NOT NULL", argument)
    if operator == "contains":
        if kind != "multi_choice":
            raise DomainError("INVALID_OPERATOR", _("This operator does not suit this field."), path)
        member = _value({**definition, "kind": "choice"}, value, path)
        if sqlite:
            return QueryString(f"EXISTS (SELECT 1 FROM json_each({column}, {{}}) WHERE value = {{}})", argument, member)
        return QueryString(f"(({column} -> {{}}::text) @> to_jsonb({{}}::text))", key, member)
    if operator == "contains_text":
        if kind not in TEXT_KINDS:
            raise DomainError("INVALID_OPERATOR", _("This operator does not suit this field."), path)
        if not isinstance(value, str) or not value:
            raise DomainError("INVALID_FILTER", _("A non-empty text is expected."), path)
        return contains_text(text, value, argument, sqlite=sqlite)
    if operator in ("lt", "lte", "gt", "gte") and kind not in ORDERED_KINDS:
        raise DomainError("INVALID_OPERATOR", _("This operator does not suit this field."), path)
    sql_operator = {"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}.get(operator, "IN")
    values = value if operator == "in" else [value]
    if operator == "in" and (not isinstance(value, list) or not value):
        raise DomainError("INVALID_FILTER", _("A non-empty list is expected."), path)
    stored = [_value({**definition, "kind": "choice" if kind == "multi_choice" else kind}, v, path) for v in values]
    if kind in ("number", "decimal"):
        expression = f"CAST({text} AS REAL)" if sqlite else f"CAST({text} AS NUMERIC)"
        stored = [float(v) for v in stored]
    elif kind == "bool":
        expression = text if sqlite else f"CAST({text} AS BOOLEAN)"
        stored = [int(v) for v in stored] if sqlite else stored
    else:
        expression = text
    placeholders = ", ".join("{}" for _item in stored)
    if operator == "in":
        return QueryString(f"{expression} IN ({placeholders})", argument, *stored)
    return QueryString(f"{expression} {sql_operator} {{}}", argument, stored[0])


def readable(definition: Mapping[str, Any], actor: Actor) -> bool:
    """Whether ``actor`` may see (and so filter or sort by) values of this field."""
    return not definition["sensitive"] or actor.can(SENSITIVE_READ)


def usable_definition(defined: Mapping[str, dict[str, Any]], key: str, actor: Actor, path: list[str]) -> dict[str, Any]:
    """The definition a filter or a sort names, among an entity's ``defined`` ones (archived
    included); a sensitive one only for those who may see it, or filtering would reveal the
    values one question at a time."""
    definition = defined.get(key)
    if definition is None:
        raise DomainError("CUSTOM_FIELD_UNKNOWN", _("There is no custom field {key} here."), path, key=key)
    if not readable(definition, actor):
        raise DomainError(
            "FORBIDDEN", _("You do not have the permission {permission}."), path, permission=SENSITIVE_READ
        )
    return definition


async def filters(
    table: Any, entity: str, conditions: Sequence[Any], actor: Actor, *, sqlite: bool
) -> list[QueryString]:
    defined = await definitions(entity, include_archived=True)
    clauses = []
    for condition in conditions:
        definition = usable_definition(defined, condition.key, actor, ["filter", "customFields", condition.key])
        clauses.append(filter_clause(table, definition, condition.op, condition.value, sqlite=sqlite))
    return clauses


# --- sorting -------------------------------------------------------------------------------------------
def sort_expression(table: Any, definition: Mapping[str, Any], *, sqlite: bool) -> tuple[QueryString, Any]:
    """The SQL value lists are ordered by for one field (the key a bound parameter), and a function
    turning a stored value into what that expression yields, for cursors."""
    kind, key = definition["kind"], definition["key"]
    if kind not in SORTABLE_KINDS:
        raise DomainError("NOT_SORTABLE", _("Lists cannot be sorted by this field."), ["orderBy", "customField"])
    column = f'"{table._meta.tablename}"."custom"'
    text = f"json_extract({column}, {{}})" if sqlite else f"({column} ->> {{}}::text)"
    argument = f"$.{key}" if sqlite else key
    if kind in ("number", "decimal"):
        return QueryString(f"CAST({text} AS REAL)" if sqlite else f"CAST({text} AS NUMERIC)", argument), float
    if kind == "bool":
        return QueryString(text if sqlite else f"CAST({text} AS BOOLEAN)", argument), int if sqlite else bool
    # Code-point order, the same on both engines whatever the database's locale.
    return QueryString(text if sqlite else f'{text} COLLATE "C"', argument), str
