"""Per-request dataloaders of consents.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from typing import Any

from core.crm import tables as db
from core.crm.graphql.gdpr.types import ConsentType


async def load_consents(keys: list[int], context: Any) -> list[list[ConsentType]]:
    rows = await db.Consent.select().where(db.Consent.person.is_in(keys)).order_by(db.Consent.id)
    found: dict[int, list[ConsentType]] = {key: [] for key in keys}
    for row in rows:
        found[row["person"]].append(
            ConsentType(
                purpose=row["purpose"],
                channel=row["channel"],
                source=row["source"],
                given_at=row["given_at"],
                withdrawn_at=row["withdrawn_at"],
            )
        )
    return [found[key] for key in keys]
