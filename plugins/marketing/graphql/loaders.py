"""Per-request loaders: one statement per kind of record a response level needs."""

from __future__ import annotations

from typing import Any

from plugins.marketing.graphql.leads.types import (
    FormSubmissionNode,
    MergeCandidateNode,
    RoutingRuleNode,
    TrackingSiteNode,
    WebFormNode,
)
from plugins.marketing.graphql.types import CampaignNode, OccasionNode, SegmentNode
from plugins.marketing.permissions import CAMPAIGN_READ, FORM_MANAGE, FORM_READ, LEAD_ROUTE, SEGMENT_READ
from plugins.marketing.tables import (
    Campaign,
    FormSubmission,
    MergeCandidate,
    Occasion,
    RoutingRule,
    Segment,
    TrackingSite,
    WebForm,
)


def _by_id(table: Any, permission: str, to_node: Any) -> Any:
    async def load(keys: list[int], context: Any) -> list[Any]:
        if not context.actor.can(permission):
            return [None] * len(keys)
        rows = await table.select().where(table.id.is_in(keys)).output(load_json=True)
        found = {row["id"]: to_node(row) for row in rows}
        return [found.get(key) for key in keys]

    return load


load_segments = _by_id(Segment, SEGMENT_READ, SegmentNode.from_row)
load_campaigns = _by_id(Campaign, CAMPAIGN_READ, CampaignNode.from_row)
load_occasions = _by_id(Occasion, CAMPAIGN_READ, OccasionNode.from_row)

load_forms = _by_id(WebForm, FORM_READ, WebFormNode.from_row)
load_submissions = _by_id(FormSubmission, FORM_READ, FormSubmissionNode.from_row)
load_merge_candidates = _by_id(MergeCandidate, FORM_READ, MergeCandidateNode.from_row)
load_routing_rules = _by_id(RoutingRule, LEAD_ROUTE, RoutingRuleNode.from_row)
load_tracking_sites = _by_id(TrackingSite, FORM_MANAGE, TrackingSiteNode.from_row)
