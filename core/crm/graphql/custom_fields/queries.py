"""The root queries of custom fields: definitions and the entities that have them."""

import strawberry

from core.crm import custom_fields
from core.crm.graphql.custom_fields.types import CustomFieldDefinition, CustomFieldEntityType
from core.graphql.permissions import AUTHENTICATED, field


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
