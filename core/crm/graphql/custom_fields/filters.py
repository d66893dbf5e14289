"""Filters on custom-field values, for the lists of the entities that have them."""

from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON


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
