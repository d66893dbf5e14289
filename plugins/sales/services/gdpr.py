"""What sales gives up for a person's GDPR export and erasure."""

from __future__ import annotations

from typing import Any

from plugins.sales.services.values import amount
from plugins.sales.tables import Opportunity

ERASED = "—"  # the name of a deal whose person was erased (GDPR)


async def person_export(person_id: int) -> dict[str, Any]:
    """The person's opportunities, for a GDPR export."""
    rows = await Opportunity.select(
        Opportunity.id,
        Opportunity.name,
        Opportunity.status,
        Opportunity.value,
        Opportunity.currency,
        Opportunity.created_at,
        Opportunity.closed_at,
    ).where(Opportunity.person == person_id)
    return {
        "opportunities": [
            {
                **row,
                "value": str(amount(row["value"])),
                "created_at": row["created_at"].isoformat(),
                "closed_at": row["closed_at"].isoformat() if row["closed_at"] else None,
            }
            for row in rows
        ]
    }


async def person_erase(person_id: int) -> None:
    """GDPR erasure: the person's own deals keep their figures (the funnel's history) but lose
    their name and custom values; deals with a company only lose the person."""
    alone = (Opportunity.person == person_id) & Opportunity.company.is_null()
    await Opportunity.update({Opportunity.name: ERASED, Opportunity.custom: {}}).where(alone)
    await Opportunity.update({Opportunity.person: None}).where(
        (Opportunity.person == person_id) & Opportunity.company.is_not_null()
    )
