"""Events other plugins build on: offers drafts an offer when a deal is won, marketing
attributes revenue to campaigns, the core audit log records each."""

from typing import ClassVar

from core.api import Event


class OpportunityCreated(Event, frozen=True):
    name: ClassVar[str] = "sales.opportunity.created"
    opportunity_id: int
    process_id: int
    stage_id: int


class OpportunityStageChanged(Event, frozen=True):
    name: ClassVar[str] = "sales.opportunity.stage_changed"
    opportunity_id: int
    from_stage_id: int
    to_stage_id: int


class OpportunityWon(Event, frozen=True):
    name: ClassVar[str] = "sales.opportunity.won"
    opportunity_id: int
    company_id: int | None
    person_id: int | None
    value: str  # decimal as text: the amount in the opportunity's currency
    currency: str


class OpportunityLost(Event, frozen=True):
    name: ClassVar[str] = "sales.opportunity.lost"
    opportunity_id: int
    reason: str


class OpportunityDeleted(Event, frozen=True):
    name: ClassVar[str] = "sales.opportunity.deleted"
    opportunity_id: int


class OpportunityStuck(Event, frozen=True):
    name: ClassVar[str] = "sales.opportunity.stuck"
    opportunity_id: int
    reason: str  # stage_overdue | no_contact
    task_id: int | None


class LeadQualified(Event, frozen=True):
    name: ClassVar[str] = "sales.lead.qualified"
    company_id: int | None
    person_id: int | None


class LeadConverted(Event, frozen=True):
    name: ClassVar[str] = "sales.lead.converted"
    opportunity_id: int
    company_id: int | None
    person_id: int | None


EVENT_TYPES = [
    OpportunityCreated,
    OpportunityStageChanged,
    OpportunityWon,
    OpportunityLost,
    OpportunityDeleted,
    OpportunityStuck,
    LeadQualified,
    LeadConverted,
]
