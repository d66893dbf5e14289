"""GDPR mutations: record consents, export everything held about a person, erase a person.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import attempt, decode_id
from core.crm import gdpr
from core.crm.graphql.loaders import _load
from core.crm.graphql.mutations import DeletePayload
from core.crm.graphql.types import PersonRef
from core.graphql.errors import UserError
from core.graphql.permissions import mutation


@strawberry.input
class ConsentInput:
    person: relay.GlobalID
    purpose: str = strawberry.field(description='What for, e.g. "marketing" or "newsletter".')
    channel: str = strawberry.field(description="email, phone, sms, post or any.")
    source: str = strawberry.field(default="", description="How it was obtained, e.g. a web form.")


@strawberry.type
class ConsentPayload:
    person: PersonRef | None
    user_errors: list[UserError]


@strawberry.type
class PersonExportPayload:
    data: JSON | None = strawberry.field(description="Everything held about the person, per plugin.")
    user_errors: list[UserError]


@strawberry.type
class GdprMutation:
    @mutation(permission=gdpr.CONSENT_MANAGE, description="Record that a person gave consent.")
    async def consent_give(self, info: strawberry.Info, input: ConsentInput) -> ConsentPayload:
        async def give() -> int:
            person_id = decode_id(input.person, "Person", ["input", "person"])
            await gdpr.give_consent(
                info.context.runtime, info.context.actor, person_id, input.purpose, input.channel, input.source
            )
            return person_id

        person_id, errors = await attempt(give())
        return ConsentPayload(person=await _load(info, "core.person", person_id), user_errors=errors)

    @mutation(permission=gdpr.CONSENT_MANAGE, description="Record that a person withdrew consent.")
    async def consent_withdraw(self, info: strawberry.Info, input: ConsentInput) -> ConsentPayload:
        async def withdraw() -> int:
            person_id = decode_id(input.person, "Person", ["input", "person"])
            await gdpr.withdraw_consent(
                info.context.runtime, info.context.actor, person_id, input.purpose, input.channel
            )
            return person_id

        person_id, errors = await attempt(withdraw())
        return ConsentPayload(person=await _load(info, "core.person", person_id), user_errors=errors)

    @mutation(permission=gdpr.EXPORT, description="Everything held about a person, as JSON (GDPR access request).")
    async def person_export(self, info: strawberry.Info, id: relay.GlobalID) -> PersonExportPayload:
        data, errors = await attempt(
            gdpr.export_person(info.context.runtime, info.context.actor, decode_id(id, "Person", ["id"]))
        )
        return PersonExportPayload(data=data, user_errors=errors)

    @mutation(permission=gdpr.ERASE, description="Anonymise a person everywhere, keeping what the law requires.")
    async def person_erase(self, info: strawberry.Info, id: relay.GlobalID) -> DeletePayload:
        async def erase() -> relay.GlobalID:
            await gdpr.erase_person(info.context.runtime, info.context.actor, decode_id(id, "Person", ["id"]))
            return id

        erased, errors = await attempt(erase())
        return DeletePayload(deleted_id=erased, user_errors=errors)
