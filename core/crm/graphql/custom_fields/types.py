"""GraphQL of custom fields: definitions, typed values, filters. The SDL never changes when an
administrator adds a field: values are data (``customFields: JSON`` and ``customField(key)``).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.crm.custom_fields import SENSITIVE_READ
from core.graphql.ids import global_id
from core.graphql.permissions import AUTHENTICATED, field


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


@strawberry.type(description="Something custom fields can be added to: companies, persons, or a plugin's records.")
class CustomFieldEntityType:
    name: str
    label: str = strawberry.field(description="In the language of the request.")
