"""The mutations of custom fields (define, change, archive), with their inputs and payloads."""

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import attempt
from core.crm import custom_fields
from core.crm.graphql.custom_fields.types import CustomFieldDefinition
from core.crm.tables import CustomField
from core.graphql.errors import UserError
from core.graphql.ids import decode_id
from core.graphql.permissions import mutation


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
