"""Root queries of the client timeline.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import contextlib
from typing import Annotated

import strawberry
from strawberry import relay

from core.access.graphql.types import maximum
from core.crm import services as crm
from core.crm import tables as db
from core.crm import timeline
from core.crm.graphql.timeline.types import TimelineEntryType, TimelineKindType
from core.crm.scoping import reachable
from core.errors import DomainError
from core.graphql.errors import ClientError
from core.graphql.ids import decode_one_of
from core.graphql.keyset import paginate_by_key
from core.graphql.permissions import AUTHENTICATED, field


@strawberry.type
class TimelineQuery:
    @field(permission=crm.COMPANY_READ, description="The history of a company or a person, newest first.")
    async def timeline(
        self,
        info: strawberry.Info,
        subject: relay.GlobalID,
        kinds: Annotated[
            list[str] | None, strawberry.argument(description="Only these kinds (namespaced: `core.call`).")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[TimelineEntryType]:
        actor = info.context.actor
        kinds_known = info.context.runtime.registry.timeline_kinds
        subjects = {
            "Company": (db.Company, db.TimelineEntry.company, crm.COMPANY_READ),
            "Person": (db.Person, db.TimelineEntry.person, crm.PERSON_READ),
        }
        subject_shown = False
        with contextlib.suppress(DomainError):  # an id of another type shows an empty timeline
            (table, column, permission), subject_id = decode_one_of(subject, subjects, ["subject"])
            subject_shown = await reachable(table, subject_id, actor, permission)
        query = db.TimelineEntry.select().output(load_json=True)
        query = query.where(column == subject_id) if subject_shown else query.where(db.TimelineEntry.id == -1)
        if kinds:
            unknown = [kind for kind in kinds if kind not in kinds_known]
            if unknown:
                error = timeline.unknown_kind(info.context.runtime, unknown)
                raise ClientError("BAD_USER_INPUT", error.message, extensions={"field": ["kinds"]}, **error.params)
            query = query.where(db.TimelineEntry.kind.is_in(kinds))
        return await paginate_by_key(
            query,
            [db.TimelineEntry.occurred_at, db.TimelineEntry.id],
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=TimelineEntryType.from_row,
            descending=True,
        )

    @field(permission=AUTHENTICATED, description="Kinds of timeline entries the enabled plugins write.")
    def timeline_kinds(self, info: strawberry.Info) -> list[TimelineKindType]:
        locale = info.context.locale
        return [
            TimelineKindType(name=kind.name, label=kind.label_pl if locale == "pl" else kind.label_en)
            for kind in info.context.runtime.registry.timeline_kinds.values()
        ]
