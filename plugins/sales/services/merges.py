"""Deals follow the company or person they belong to when the core merges two records."""

from __future__ import annotations

from typing import Any

from core.api import Company
from plugins.sales.tables import Opportunity


async def follow_company_merge(event: Any, ctx: Any) -> None:
    """Sync subscriber of ``core.company_merged``: the loser's deals go to the winner (and its
    territory, so they stay where the winner's reps see them)."""
    winner = await Company.select(Company.territory).where(Company.id == event.company_id).first()
    await Opportunity.update(
        {Opportunity.company: event.company_id, Opportunity.territory: winner["territory"] if winner else None}
    ).where(Opportunity.company == event.loser_id)


async def follow_person_merge(event: Any, ctx: Any) -> None:
    """Sync subscriber of ``core.person_merged``."""
    await Opportunity.update({Opportunity.person: event.person_id}).where(Opportunity.person == event.loser_id)
