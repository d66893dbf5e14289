"""Staff queries of web leads: forms, submissions, the merge queue, tracked sites, routing rules and
the leads no rule placed.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from core.api import decode_id, field, paginate_by_key
from plugins.marketing.graphql.leads.types import (
    FormSubmissionNode,
    MergeCandidateNode,
    RoutedLead,
    RoutingRuleNode,
    TrackingSiteNode,
    WebFormNode,
)
from plugins.marketing.permissions import FORM_MANAGE, FORM_READ, LEAD_ROUTE
from plugins.marketing.tables import FormSubmission, LeadAssignment, MergeCandidate, RoutingRule, TrackingSite, WebForm


def _maximum(info: Any) -> int:
    return info.context.plugin(info).settings.max_page_size


@strawberry.type
class LeadQuery:
    @field(permission=FORM_READ, description="Web forms, newest first.")
    async def forms(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[WebFormNode]:
        return await paginate_by_key(
            WebForm.select().output(load_json=True),
            [WebForm.id],
            first=first,
            after=after,
            maximum=_maximum(info),
            to_node=WebFormNode.from_row,
            descending=True,
        )

    @field(permission=FORM_READ, description="What visitors sent, newest first; optionally one form's or by status.")
    async def form_submissions(
        self,
        info: strawberry.Info,
        form: relay.GlobalID | None = None,
        status: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[FormSubmissionNode]:
        query = FormSubmission.select().output(load_json=True)
        if form is not None:
            query = query.where(FormSubmission.form == decode_id(form, "WebForm", ["form"]))
        if status:
            query = query.where(FormSubmission.status == status)
        return await paginate_by_key(
            query,
            [FormSubmission.id],
            first=first,
            after=after,
            maximum=_maximum(info),
            to_node=FormSubmissionNode.from_row,
            descending=True,
        )

    @field(permission=FORM_READ, description="The merge queue: open candidates by default, oldest first.")
    async def merge_candidates(
        self, info: strawberry.Info, status: str = "open", first: int | None = None, after: str | None = None
    ) -> relay.Connection[MergeCandidateNode]:
        return await paginate_by_key(
            MergeCandidate.select().where(MergeCandidate.status == status).output(load_json=True),
            [MergeCandidate.id],
            first=first,
            after=after,
            maximum=_maximum(info),
            to_node=MergeCandidateNode.from_row,
        )

    @field(permission=FORM_MANAGE, description="Sites that report web activity.")
    async def tracking_sites(self, info: strawberry.Info) -> list[TrackingSiteNode]:
        return [TrackingSiteNode.from_row(row) for row in await TrackingSite.select().order_by(TrackingSite.id)]

    @field(permission=LEAD_ROUTE, description="Lead routing rules in the order they are tried.")
    async def routing_rules(self, info: strawberry.Info) -> list[RoutingRuleNode]:
        rows = await RoutingRule.select().order_by(RoutingRule.position, RoutingRule.id)
        return [RoutingRuleNode.from_row(row) for row in rows]

    @field(permission=LEAD_ROUTE, description="New leads no routing rule placed (no owner), newest first.")
    async def unrouted_leads(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[RoutedLead]:
        return await paginate_by_key(
            LeadAssignment.select().where(LeadAssignment.owner.is_null()),
            [LeadAssignment.id],
            first=first,
            after=after,
            maximum=_maximum(info),
            to_node=RoutedLead.from_row,
            descending=True,
        )
