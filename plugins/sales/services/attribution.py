"""Deals won from persons a campaign contacted (``marketing_attributed_revenue``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from plugins.sales.tables import Opportunity


async def attributed_revenue(contacts: list[tuple[int, datetime]], window_days: int, currency: str) -> dict[str, Any]:
    """Deals won on which a contacted person is the client, within the window after the contact."""
    first_contact: dict[int, datetime] = {}
    for person_id, at in contacts:
        if person_id not in first_contact or at < first_contact[person_id]:
            first_contact[person_id] = at
    deals, revenue = 0, Decimal("0")
    ids = sorted(first_contact)
    for start in range(0, len(ids), 5_000):
        rows = await Opportunity.select(Opportunity.person, Opportunity.closed_at, Opportunity.value_base).where(
            Opportunity.person.is_in(ids[start : start + 5_000])
            & (Opportunity.status == "won")
            & Opportunity.deleted_at.is_null()
        )
        for row in rows:
            closed = row["closed_at"] if row["closed_at"].tzinfo else row["closed_at"].replace(tzinfo=UTC)
            contacted = first_contact[row["person"]]
            if contacted <= closed <= contacted + timedelta(days=window_days):
                deals += 1
                revenue += Decimal(str(row["value_base"] or 0))
    return {"deals": deals, "revenue": revenue, "currency": currency}
