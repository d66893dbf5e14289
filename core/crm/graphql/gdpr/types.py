"""GraphQL types of consents (GDPR) and their fields on persons.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime

import strawberry

from core.crm import services as crm
from core.graphql.batching import batched_field, each, load_each
from core.graphql.permissions import field


# --- GDPR -----------------------------------------------------------------------------------------------
@strawberry.type(description="Consent to be contacted for a purpose over a channel.")
class ConsentType:
    purpose: str
    channel: str
    source: str
    given_at: datetime
    withdrawn_at: datetime | None

    @batched_field(each(lambda s: s.withdrawn_at is None))
    def active(self) -> bool:
        return self.withdrawn_at is None


class ConsentFields:
    """Added by the core to Person."""

    @field(
        permission=crm.PERSON_READ,
        batch=load_each("core.consents", lambda s: s.id),
        description="Every consent given and withdrawn, oldest first.",
    )
    async def consents(self, info: strawberry.Info) -> list[ConsentType]:
        return await info.context.loaders["core.consents"].load(self.id)
