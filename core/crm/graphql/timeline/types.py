"""GraphQL types of the client timeline: kinds, entries and the fields on companies and persons.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import UserNode
from core.crm import services as crm
from core.crm.graphql.types import CompanyRef, PersonRef, _subject
from core.graphql.batching import batched_field, load_each
from core.graphql.ids import global_id
from core.graphql.permissions import field


# --- timeline ------------------------------------------------------------------------------------------
@strawberry.type(description="A kind of timeline entry.")
class TimelineKindType:
    name: str = strawberry.field(description="Namespaced by the plugin that defines it, e.g. `core.call`.")
    label: str = strawberry.field(description="In the language of the request.")


@strawberry.type(description="One contact with a client: a call, an e-mail, a meeting, an invoice issued…")
class TimelineEntryType:
    id: relay.GlobalID
    kind: str
    occurred_at: datetime
    title: str
    body: str
    duration_minutes: int
    cost: Decimal
    source: str = strawberry.field(description="Where the entry comes from, e.g. `offers.invoice:17`.")
    data: JSON
    author_id: strawberry.Private[int | None]
    company_id: strawberry.Private[int | None]
    person_id: strawberry.Private[int | None]

    @batched_field(load_each("core.user", lambda s: s.author_id))
    async def author(self, info: strawberry.Info) -> UserNode | None:
        return None if self.author_id is None else await info.context.loaders["core.user"].load(self.author_id)

    @batched_field(
        load_each("core.company", lambda s: s.company_id), description="Null when none, or outside your area."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return None if self.company_id is None else await info.context.loaders["core.company"].load(self.company_id)

    @batched_field(load_each("core.person", lambda s: s.person_id), description="Null when none, or outside your area.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return None if self.person_id is None else await info.context.loaders["core.person"].load(self.person_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "TimelineEntryType":
        return cls(
            id=global_id("TimelineEntryType", row["id"]),
            kind=row["kind"],
            occurred_at=row["occurred_at"],
            title=row["subject"],
            body=row["body"],
            duration_minutes=row["duration_minutes"],
            cost=_money(row["cost"]),
            source=row["source"],
            data=row["data"],
            author_id=row["author"],
            company_id=row["company"],
            person_id=row["person"],
        )


def _money(value: Any) -> Decimal:
    # Raw rows from SQLite carry floats; amounts always have two decimal places.
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


CENT = Decimal("0.01")


class TimelineFields:
    """Added by the core to Company and Person."""

    @field(
        permission=crm.COMPANY_READ,
        batch=load_each("core.last_activity", _subject),
        description="The most recent entry of the timeline.",
    )
    async def last_activity(self, info: strawberry.Info) -> TimelineEntryType | None:
        return await info.context.loaders["core.last_activity"].load((self.record_kind, self.id))
