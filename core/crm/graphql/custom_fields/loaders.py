"""Per-request dataloaders of custom-field definitions."""

from typing import Any

from core.crm import custom_fields
from core.crm.graphql.custom_fields.types import CustomFieldDefinition


async def load_definitions(keys: list[str], context: Any) -> list[dict[str, CustomFieldDefinition]]:
    found = []
    for entity in keys:
        rows = await custom_fields.definitions(entity, include_archived=True)
        found.append({key: CustomFieldDefinition.from_row(row, context.locale) for key, row in rows.items()})
    return found
