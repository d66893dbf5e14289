"""GraphQL of custom fields: definitions, typed values, filters. The SDL never changes when an
administrator adds a field: values are data (``customFields: JSON`` and ``customField(key)``).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import attempt
from core.crm import custom_fields
from core.crm.custom_fields import SENSITIVE_READ
from core.crm.tables import CustomField
from core.graphql.errors import UserError
from core.graphql.ids import decode_id, global_id
from core.graphql.permissions import AUTHENTICATED, field, mutation


@strawberry.type(description="A field an administrator added to companies or persons.")
class CustomFieldDefinition:
    id: relay.GlobalID
    entity: str
    key: str
    label_pl: str
    label_en: str
    kind: str = strawberry.field(
        description="text, number, decimal, date, bool, choice, multi_choice, email, url, phone or reference."
    )
    options: JSON
    required: bool
    sensitive: bool = strawberry.field(
        description="Values are shown only to those with the permission `core.personal_data.read`."
    )
    archived: bool
    locale: strawberry.Private[str]

    @strawberry.field(description="The label in the language of the request.")
    def label(self) -> str:
        return self.label_pl if self.locale == "pl" else self.label_en

    @classmethod
    def from_row(cls, row: dict[str, Any], locale: str) -> "CustomFieldDefinition":
        return cls(
            id=global_id("CustomFieldDefinition", row["id"]),
            entity=row["entity"],
            key=row["key"],
            label_pl=row["label_pl"],
            label_en=row["label_en"],
            kind=row["kind"],
            options=row["options"],
            required=row["required"],
            sensitive=row["sensitive"],
            archived=row["archived_at"] is not None,
            locale=locale,
        )


@strawberry.interface(description="The typed value of one custom field.")
class CustomFieldValue:
    definition: CustomFieldDefinition


@strawberry.type
class TextFieldValue(CustomFieldValue):
    text: str


@strawberry.type
class NumberFieldValue(CustomFieldValue):
    number: float


@strawberry.type
class DecimalFieldValue(CustomFieldValue):
    decimal: Decimal


@strawberry.type
class DateFieldValue(CustomFieldValue):
    date: date


@strawberry.type
class BoolFieldValue(CustomFieldValue):
    bool: bool


@strawberry.type
class ChoiceFieldValue(CustomFieldValue):
    choice: str


@strawberry.type
class MultiChoiceFieldValue(CustomFieldValue):
    choices: list[str]


@strawberry.type
class ReferenceFieldValue(CustomFieldValue):
    id: relay.GlobalID = strawberry.field(description="Global id of the company or person; resolve it with `node`.")


VALUE_TYPES = [
    TextFieldValue,
    NumberFieldValue,
    DecimalFieldValue,
    DateFieldValue,
    BoolFieldValue,
    ChoiceFieldValue,
    MultiChoiceFieldValue,
    ReferenceFieldValue,
]


def typed_value(definition: CustomFieldDefinition, value: Any) -> CustomFieldValue:
    kind = definition.kind
    if kind == "number":
        return NumberFieldValue(definition=definition, number=float(value))
    if kind == "decimal":
        return DecimalFieldValue(definition=definition, decimal=Decimal(str(value)))
    if kind == "date":
        return DateFieldValue(definition=definition, date=date.fromisoformat(value))
    if kind == "bool":
        return BoolFieldValue(definition=definition, bool=bool(value))
    if kind == "choice":
        return ChoiceFieldValue(definition=definition, choice=value)
    if kind == "multi_choice":
        return MultiChoiceFieldValue(definition=definition, choices=list(value))
    if kind == "reference":
        type_name = "Company" if definition.options.get("entity") == "company" else "Person"
        return ReferenceFieldValue(definition=definition, id=relay.GlobalID(type_name, str(value)))
    return TextFieldValue(definition=definition, text=str(value))


class CustomFieldAccess:
    """Added by the core to Company and Person."""

    @field(permission=AUTHENTICATED, description="One custom field's typed value; null when empty or unknown.")
    async def custom_field(self, info: strawberry.Info, key: str) -> CustomFieldValue | None:
        value = self.custom_values.get(key)
        if value is None:
            return None
        definitions = await info.context.loaders["core.custom_field_definitions"].load(self.record_kind)
        definition = definitions.get(key)
        if definition is None or (definition.sensitive and not info.context.actor.can(SENSITIVE_READ)):
            return None
        return typed_value(definition, value)


@strawberry.enum
class CustomFieldOperator(Enum):
    EQ = strawberry.enum_value("eq", description="Equal to `value`.")
    NEQ = strawberry.enum_value("neq", description="Not equal to `value` (records without a value do not match).")
    LT = strawberry.enum_value("lt", description="Less than `value` (number, decimal, date, text).")
    LTE = strawberry.enum_value("lte", description="Less than or equal to `value` (number, decimal, date, text).")
    GT = strawberry.enum_value("gt", description="Greater than `value` (number, decimal, date, text).")
    GTE = strawberry.enum_value("gte", description="Greater than or equal to `value` (number, decimal, date, text).")
    IN = strawberry.enum_value("in", description="Equal to one of `value`, a non-empty list.")
    CONTAINS = strawberry.enum_value(
        "contains", description="A multi_choice field holds the choice `value`. For text use CONTAINS_TEXT."
    )
    CONTAINS_TEXT = strawberry.enum_value(
        "contains_text",
        description="A text, email, url or phone field contains `value`, ignoring case (Ł and ł alike); % and _ are"
        " plain characters.",
    )
    IS_NULL = strawberry.enum_value(
        "is_null", description="`value: true`: the field has no value; `value: false`: it has one."
    )


@strawberry.input(description='A condition on a custom field, e.g. {key: "employees", op: GTE, value: 50}.')
class CustomFieldFilter:
    key: str
    op: CustomFieldOperator = CustomFieldOperator.EQ
    value: JSON | None = None


def filter_conditions(conditions: list[CustomFieldFilter]) -> list[Any]:
    return [_Condition(c.key, c.op.value, c.value) for c in conditions]


class _Condition:
    def __init__(self, key: str, op: str, value: Any):
        self.key, self.op, self.value = key, op, value


@strawberry.type(description="Something custom fields can be added to: companies, persons, or a plugin's records.")
class CustomFieldEntityType:
    name: str
    label: str = strawberry.field(description="In the language of the request.")


@strawberry.type
class CustomFieldQuery:
    @field(permission=AUTHENTICATED, description="What custom fields can be added to (those you may read).")
    def custom_field_entities(self, info: strawberry.Info) -> list[CustomFieldEntityType]:
        pl = info.context.locale == "pl"
        return [
            CustomFieldEntityType(name=entity.name, label=entity.label_pl if pl else entity.label_en)
            for entity in info.context.runtime.registry.custom_field_entities.values()
            if info.context.actor.can(entity.read_permission)
        ]

    @field(
        permission=AUTHENTICATED,
        description="The custom fields of an entity (`customFieldEntities`), in order; none for one you cannot read.",
    )
    async def custom_field_definitions(
        self, info: strawberry.Info, entity: str, include_archived: bool = False
    ) -> list[CustomFieldDefinition]:
        known = info.context.runtime.registry.custom_field_entities.get(entity)
        if known is None or not info.context.actor.can(known.read_permission):
            return []
        rows = await custom_fields.definitions(entity, include_archived=include_archived)
        return [CustomFieldDefinition.from_row(row, info.context.locale) for row in rows.values()]


@strawberry.input
class CustomFieldDefineInput:
    entity: str = strawberry.field(description="`company`, `person`, or another of `customFieldEntities`.")
    key: str = strawberry.field(description="Lower-case letters, digits and _; never changes.")
    label_pl: str
    label_en: str
    kind: str
    options: JSON | None = strawberry.field(
        default=None, description='{"choices": [...]}, {"min": 0}, {"entity": "company"}'
    )
    required: bool = False
    sensitive: bool = strawberry.field(
        default=False, description="Hide the values from those without `core.personal_data.read`."
    )


@strawberry.input(description="Labels and options may change (choices only grow); key and kind never do.")
class CustomFieldUpdateInput:
    label_pl: str | None = None
    label_en: str | None = None
    options: JSON | None = None
    archived: bool | None = strawberry.field(default=None, description="Archived fields keep their data.")
    sensitive: bool | None = None


@strawberry.type
class CustomFieldPayload:
    definition: CustomFieldDefinition | None
    user_errors: list[UserError]


async def _definition(info: strawberry.Info, field_id: int | None) -> CustomFieldDefinition | None:
    if field_id is None:
        return None
    row = await CustomField.select().where(CustomField.id == field_id).output(load_json=True).first()
    return CustomFieldDefinition.from_row(row, info.context.locale)


@strawberry.type
class CustomFieldMutation:
    @mutation(permission=custom_fields.MANAGE, description="Add a custom field to companies or persons.")
    async def custom_field_define(self, info: strawberry.Info, input: CustomFieldDefineInput) -> CustomFieldPayload:
        ctx = info.context
        field_id, errors = await attempt(
            custom_fields.define(
                ctx.runtime,
                ctx.actor,
                entity=input.entity,
                key=input.key,
                label_pl=input.label_pl,
                label_en=input.label_en,
                kind=input.kind,
                options=input.options,
                required=input.required,
                sensitive=input.sensitive,
            )
        )
        return CustomFieldPayload(definition=await _definition(info, field_id), user_errors=errors)

    @mutation(permission=custom_fields.MANAGE, description="Rename, add choices to, archive or restore a custom field.")
    async def custom_field_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: CustomFieldUpdateInput
    ) -> CustomFieldPayload:
        ctx = info.context

        async def update() -> int:
            field_id = decode_id(id, "CustomFieldDefinition", ["id"])
            await custom_fields.update_definition(
                ctx.runtime,
                ctx.actor,
                field_id,
                label_pl=input.label_pl,
                label_en=input.label_en,
                options=input.options,
                archived=input.archived,
                sensitive=input.sensitive,
            )
            return field_id

        field_id, errors = await attempt(update())
        return CustomFieldPayload(definition=await _definition(info, field_id), user_errors=errors)


async def load_definitions(keys: list[str], context: Any) -> list[dict[str, CustomFieldDefinition]]:
    found = []
    for entity in keys:
        rows = await custom_fields.definitions(entity, include_archived=True)
        found.append({key: CustomFieldDefinition.from_row(row, context.locale) for key, row in rows.items()})
    return found
