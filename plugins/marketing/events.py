"""Events of the marketing plugin: process rules and other plugins react to them."""

from typing import ClassVar

from core.api import Event


class CampaignStarted(Event, frozen=True):
    name: ClassVar[str] = "marketing.campaign.started"
    campaign_id: int
    audience_size: int


class CampaignFinished(Event, frozen=True):
    name: ClassVar[str] = "marketing.campaign.finished"
    campaign_id: int


EVENT_TYPES = [CampaignStarted, CampaignFinished]
