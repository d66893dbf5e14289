"""Staff GraphQL of web leads: forms and their submissions, the merge queue, tracked sites, lead
routing rules and the leads no rule placed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import (
    TeamNode,
    UserError,
    UserNode,
    attempt,
    batched_field,
    decode_id,
    extensible,
    field,
    global_id,
    load_each,
    mutation,
    nodes_by_loader,
    paginate_by_key,
    reload,
)
from plugins.marketing import forms, routing, tracking
from plugins.marketing.graphql.types import PersonRef
from plugins.marketing.permissions import FORM_MANAGE, FORM_READ, LEAD_MERGE, LEAD_ROUTE
from plugins.marketing.tables import FormSubmission, LeadAssignment, MergeCandidate, RoutingRule, TrackingSite, WebForm

CompanyRef = extensible("Company", "staff")


def _maximum(info: Any) -> int:
    return info.context.runtime.settings.max_page_size


async def _person(info: Any, person_id: int | None) -> Any:
    return None if person_id is None else await info.context.loaders["core.person"].load(person_id)


async def _company(info: Any, company_id: int | None) -> Any:
    return None if company_id is None else await info.context.loaders["core.company"].load(company_id)


async def _user(info: Any, user_id: int | None) -> UserNode | None:
    return None if user_id is None else await info.context.loaders["core.user"].load(user_id)


# --- types ------------------------------------------------------------------------------------------------
@strawberry.type(description="A question of a form's short survey.")
class SurveyQuestion:
    key: str
    question: str
    choices: list[str] = strawberry.field(description="Empty: a free answer.")


@strawberry.type(description="A consent a form offers, with the text the visitor sees.")
class ConsentOffer:
    purpose: str
    channel: str
    text: str


@strawberry.type(name="WebForm", description="A contact form embedded on a website; its posts become leads.")
class WebFormNode(relay.Node):
    node_permission: ClassVar[str] = FORM_READ

    id: relay.NodeID[int]
    key: str = strawberry.field(description="Public: posts go to /plugins/marketing/forms/{key}.")
    name: str
    fields: list[str]
    required: list[str]
    survey: list[SurveyQuestion]
    consents: list[ConsentOffer]
    allowed_origins: list[str] = strawberry.field(description="Sites allowed to post it from a browser (CORS).")
    active: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WebFormNode:
        return cls(
            id=row["id"],
            key=row["key"],
            name=row["name"],
            fields=row["fields"],
            required=row["required"],
            survey=[SurveyQuestion(key=q["key"], question=q["question"], choices=q["choices"]) for q in row["survey"]],
            consents=[
                ConsentOffer(purpose=c["purpose"], channel=c["channel"], text=c["text"]) for c in row["consents"]
            ],
            allowed_origins=row["allowed_origins"],
            active=row["active"],
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.form", node_ids)


@strawberry.type(name="FormSubmission", description="What a visitor sent through a form, as sent.")
class FormSubmissionNode(relay.Node):
    node_permission: ClassVar[str] = FORM_READ

    id: relay.NodeID[int]
    values: JSON = strawberry.field(description="The form's fields, by name.")
    answers: JSON = strawberry.field(description="Survey answers by question key.")
    consents: list[str] = strawberry.field(description="The purposes the visitor agreed to.")
    email: str
    status: str = strawberry.field(description="received, processed or failed (retried by a job).")
    error: str
    matched: JSON = strawberry.field(description='How the person and company were found: {"person": {"how", "score"}}.')
    received_at: datetime
    processed_at: datetime | None
    form_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]
    company_id: strawberry.Private[int | None]

    @batched_field(load_each("marketing.form", lambda s: s.form_id))
    async def form(self, info: strawberry.Info) -> WebFormNode | None:
        return await info.context.loaders["marketing.form"].load(self.form_id)

    @batched_field(load_each("core.person", lambda s: s.person_id), description="The lead, once processed.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:  # type: ignore[valid-type]
        return await _person(info, self.person_id)

    @batched_field(load_each("core.company", lambda s: s.company_id))
    async def company(self, info: strawberry.Info) -> CompanyRef | None:  # type: ignore[valid-type]
        return await _company(info, self.company_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FormSubmissionNode:
        return cls(
            id=row["id"],
            values=row["values"],
            answers=row["answers"],
            consents=row["consents"],
            email=row["email"],
            status=row["status"],
            error=row["error"],
            matched=row["matched"],
            received_at=row["received_at"],
            processed_at=row["processed_at"],
            form_id=row["form"],
            person_id=row["person"],
            company_id=row["company"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.form_submission", node_ids)


@strawberry.type(name="MergeCandidate", description="A web lead that may be a record the CRM has: a person decides.")
class MergeCandidateNode(relay.Node):
    node_permission: ClassVar[str] = FORM_READ

    id: relay.NodeID[int]
    kind: str = strawberry.field(description="person or company.")
    score: int = strawberry.field(description="0 to 100: how alike the two records are.")
    reasons: list[str]
    status: str = strawberry.field(description="open, merged or kept_apart.")
    created_at: datetime
    resolved_at: datetime | None
    new_id: strawberry.Private[int]
    existing_id: strawberry.Private[int]

    @strawberry.field(description="The record the web lead created (a person).")
    async def new_person(self, info: strawberry.Info) -> PersonRef | None:  # type: ignore[valid-type]
        return await _person(info, self.new_id) if self.kind == "person" else None

    @strawberry.field(description="The existing person it resembles.")
    async def existing_person(self, info: strawberry.Info) -> PersonRef | None:  # type: ignore[valid-type]
        return await _person(info, self.existing_id) if self.kind == "person" else None

    @strawberry.field(description="The record the web lead created (a company).")
    async def new_company(self, info: strawberry.Info) -> CompanyRef | None:  # type: ignore[valid-type]
        return await _company(info, self.new_id) if self.kind == "company" else None

    @strawberry.field(description="The existing company it resembles.")
    async def existing_company(self, info: strawberry.Info) -> CompanyRef | None:  # type: ignore[valid-type]
        return await _company(info, self.existing_id) if self.kind == "company" else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MergeCandidateNode:
        return cls(
            id=row["id"],
            kind=row["kind"],
            score=row["score"],
            reasons=row["reasons"],
            status=row["status"],
            created_at=row["created_at"],
            resolved_at=row["resolved_at"],
            new_id=row["new_id"],
            existing_id=row["existing_id"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.merge_candidate", node_ids)


@strawberry.type(name="TrackingSite", description="A website allowed to report its visitors' activity.")
class TrackingSiteNode(relay.Node):
    node_permission: ClassVar[str] = FORM_MANAGE

    id: relay.NodeID[int]
    name: str
    key: str = strawberry.field(description="The first part of the site's token (the secret is never shown again).")
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TrackingSiteNode:
        return cls(
            id=row["id"], name=row["name"], key=row["key"], revoked_at=row["revoked_at"], created_at=row["created_at"]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.tracking_site", node_ids)


@strawberry.type(name="RoutingRule", description="Where new leads go; rules are tried in order, the first match wins.")
class RoutingRuleNode(relay.Node):
    node_permission: ClassVar[str] = LEAD_ROUTE

    id: relay.NodeID[int]
    name: str
    position: int
    min_employees: int | None = strawberry.field(description="Company size from its `employees` custom field.")
    max_employees: int | None
    source: str = strawberry.field(description='"" (any), "form", "form:<key>", "import", "campaign" or "other".')
    active: bool
    territory_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]
    team_id: strawberry.Private[int | None]

    @strawberry.field(description="Leads in this territory or one inside it; null: anywhere.")
    async def territory(self, info: strawberry.Info) -> str | None:
        if self.territory_id is None:
            return None
        found = await info.context.loaders["core.territory"].load(self.territory_id)
        return None if found is None else found.code

    @strawberry.field(description="The named salesperson, or null for round-robin within the team.")
    async def assignee(self, info: strawberry.Info) -> UserNode | None:
        return await _user(info, self.assignee_id)

    @strawberry.field(description="Members of this team take the rule's leads in turn.")
    async def team(self, info: strawberry.Info) -> TeamNode | None:
        return None if self.team_id is None else await info.context.loaders["core.team"].load(self.team_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RoutingRuleNode:
        return cls(
            id=row["id"],
            name=row["name"],
            position=row["position"],
            min_employees=row["min_employees"],
            max_employees=row["max_employees"],
            source=row["source"],
            active=row["active"],
            territory_id=row["territory"],
            assignee_id=row["assignee"],
            team_id=row["team"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.routing_rule", node_ids)


@strawberry.type(description="A new lead and where routing sent it.")
class RoutedLead:
    id: relay.GlobalID
    source: str
    created_at: datetime
    person_id: strawberry.Private[int | None]
    company_id: strawberry.Private[int | None]
    owner_id: strawberry.Private[int | None]

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonRef | None:  # type: ignore[valid-type]
        return await _person(info, self.person_id)

    @strawberry.field
    async def company(self, info: strawberry.Info) -> CompanyRef | None:  # type: ignore[valid-type]
        return await _company(info, self.company_id)

    @strawberry.field(description="Null: no rule matched.")
    async def owner(self, info: strawberry.Info) -> UserNode | None:
        return await _user(info, self.owner_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RoutedLead:
        return cls(
            id=global_id("RoutedLead", row["id"]),
            source=row["source"],
            created_at=row["created_at"],
            person_id=row["person"],
            company_id=row["company"],
            owner_id=row["owner"],
        )


# --- queries ----------------------------------------------------------------------------------------------
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


# --- mutations --------------------------------------------------------------------------------------------
@strawberry.input
class SurveyQuestionInput:
    key: str
    question: str
    choices: list[str] = strawberry.field(default_factory=list, description="Empty: a free answer.")


@strawberry.input
class ConsentOfferInput:
    purpose: str = strawberry.field(description="The consent recorded when ticked, e.g. marketing.")
    text: str = strawberry.field(description="What the visitor agrees to, as the page shows it.")
    channel: str = "email"


@strawberry.input
class FormInput:
    name: str
    fields: list[str] = strawberry.field(
        default_factory=lambda: ["email", "first_name", "last_name"],
        description="Of: " + ", ".join(forms.FIELDS) + ". The e-mail address is always asked.",
    )
    required: list[str] = strawberry.field(default_factory=lambda: ["email"])
    survey: list[SurveyQuestionInput] = strawberry.field(default_factory=list)
    consents: list[ConsentOfferInput] = strawberry.field(default_factory=list)
    allowed_origins: list[str] = strawberry.field(
        default_factory=list, description="https://www.example.pl and the like."
    )
    territory: str | None = strawberry.field(default=None, description="A territory code its leads belong to.")


@strawberry.enum(description="What to do with a merge candidate.")
class MergeDecision(Enum):
    MERGE = "merge"
    KEEP_APART = "keep_apart"


@strawberry.input
class RoutingRuleInput:
    name: str
    territory: str | None = strawberry.field(default=None, description="A territory code; null: anywhere.")
    min_employees: int | None = None
    max_employees: int | None = None
    source: str = ""
    assignee: relay.GlobalID | None = strawberry.field(default=None, description="A User: gets every lead of the rule.")
    team: relay.GlobalID | None = strawberry.field(default=None, description="A Team: its members take turns.")
    active: bool = True

    def to_service(self) -> routing.RuleValues:
        return routing.RuleValues(
            name=self.name,
            territory=self.territory,
            min_employees=self.min_employees,
            max_employees=self.max_employees,
            source=self.source,
            assignee_id=None if self.assignee is None else decode_id(self.assignee, UserNode, ["input", "assignee"]),
            team_id=None if self.team is None else decode_id(self.team, TeamNode, ["input", "team"]),
            active=self.active,
        )


@strawberry.type
class FormPayload:
    form: WebFormNode | None
    user_errors: list[UserError]


@strawberry.type
class MergeCandidatePayload:
    merge_candidate: MergeCandidateNode | None
    user_errors: list[UserError]


@strawberry.type
class TrackingSitePayload:
    site: TrackingSiteNode | None
    token: str | None = strawberry.field(description="key.secret for the site's server; shown only now.")
    user_errors: list[UserError]


@strawberry.type
class RoutingRulePayload:
    routing_rule: RoutingRuleNode | None
    user_errors: list[UserError]


@strawberry.type
class RoutingRulesPayload:
    routing_rules: list[RoutingRuleNode]
    user_errors: list[UserError]


@strawberry.type
class LeadMutation:
    @mutation(permission=FORM_MANAGE, description="Define a web form; its public key is made for it.")
    async def form_create(self, info: strawberry.Info, input: FormInput) -> FormPayload:
        ctx = info.context
        definition = forms.FormDefinition(
            name=input.name,
            fields=input.fields,
            required=input.required,
            survey=[forms.SurveyQuestion(q.key, q.question, q.choices) for q in input.survey],
            consents=[forms.ConsentOffer(c.purpose, c.text, c.channel) for c in input.consents],
            allowed_origins=input.allowed_origins,
            territory=input.territory,
        )
        form_id, errors = await attempt(forms.create_form(ctx.runtime, ctx.actor, definition))
        return FormPayload(form=await reload(info, "marketing.form", form_id), user_errors=errors)

    @mutation(permission=FORM_MANAGE, description="Close a form (its posts are refused) or open it again.")
    async def form_set_active(self, info: strawberry.Info, id: relay.GlobalID, active: bool) -> FormPayload:
        ctx = info.context

        async def change() -> int:
            return await forms.set_form_active(ctx.runtime, ctx.actor, decode_id(id, "WebForm", ["id"]), active)

        form_id, errors = await attempt(change())
        return FormPayload(form=await reload(info, "marketing.form", form_id), user_errors=errors)

    @mutation(permission=LEAD_MERGE, description="MERGE the new record into the existing one, or KEEP_APART.")
    async def merge_candidate_resolve(
        self, info: strawberry.Info, id: relay.GlobalID, decision: MergeDecision
    ) -> MergeCandidatePayload:
        ctx = info.context

        async def resolve() -> int:
            candidate_id = decode_id(id, "MergeCandidate", ["id"])
            return await forms.resolve_candidate(ctx.runtime, ctx.actor, candidate_id, decision is MergeDecision.MERGE)

        candidate_id, errors = await attempt(resolve())
        return MergeCandidatePayload(
            merge_candidate=await reload(info, "marketing.merge_candidate", candidate_id), user_errors=errors
        )

    @mutation(permission=FORM_MANAGE, description="Let a site report web activity; returns its token once.")
    async def tracking_site_create(self, info: strawberry.Info, name: str) -> TrackingSitePayload:
        ctx = info.context
        created, errors = await attempt(tracking.create_site(ctx.runtime, ctx.actor, name))
        site_id, token = created if created else (None, None)
        return TrackingSitePayload(
            site=await reload(info, "marketing.tracking_site", site_id), token=token, user_errors=errors
        )

    @mutation(permission=FORM_MANAGE, description="The site's token stops working at once.")
    async def tracking_site_revoke(self, info: strawberry.Info, id: relay.GlobalID) -> TrackingSitePayload:
        ctx = info.context

        async def revoke() -> int:
            return await tracking.revoke_site(ctx.runtime, ctx.actor, decode_id(id, "TrackingSite", ["id"]))

        site_id, errors = await attempt(revoke())
        return TrackingSitePayload(
            site=await reload(info, "marketing.tracking_site", site_id), token=None, user_errors=errors
        )

    @mutation(permission=LEAD_ROUTE, description="Add a routing rule at the end of the list.")
    async def routing_rule_create(self, info: strawberry.Info, input: RoutingRuleInput) -> RoutingRulePayload:
        ctx = info.context

        async def create() -> int:
            return await routing.create_rule(ctx.runtime, ctx.actor, input.to_service())

        rule_id, errors = await attempt(create())
        return RoutingRulePayload(
            routing_rule=await reload(info, "marketing.routing_rule", rule_id), user_errors=errors
        )

    @mutation(permission=LEAD_ROUTE, description="Replace a rule's conditions and target.")
    async def routing_rule_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: RoutingRuleInput
    ) -> RoutingRulePayload:
        ctx = info.context

        async def update() -> int:
            rule_id = decode_id(id, "RoutingRule", ["id"])
            return await routing.update_rule(ctx.runtime, ctx.actor, rule_id, input.to_service())

        rule_id, errors = await attempt(update())
        return RoutingRulePayload(
            routing_rule=await reload(info, "marketing.routing_rule", rule_id), user_errors=errors
        )

    @mutation(permission=LEAD_ROUTE)
    async def routing_rule_delete(self, info: strawberry.Info, id: relay.GlobalID) -> RoutingRulePayload:
        ctx = info.context

        async def delete() -> None:
            await routing.delete_rule(ctx.runtime, ctx.actor, decode_id(id, "RoutingRule", ["id"]))

        _done, errors = await attempt(delete())
        return RoutingRulePayload(routing_rule=None, user_errors=errors)

    @mutation(permission=LEAD_ROUTE, description="Give every rule, in the order they are to be tried.")
    async def routing_rules_reorder(self, info: strawberry.Info, ids: list[relay.GlobalID]) -> RoutingRulesPayload:
        ctx = info.context

        async def reorder() -> None:
            rule_ids = [decode_id(rule, "RoutingRule", ["ids", str(i)]) for i, rule in enumerate(ids)]
            await routing.reorder_rules(ctx.runtime, ctx.actor, rule_ids)

        _done, errors = await attempt(reorder())
        rows = await RoutingRule.select().order_by(RoutingRule.position, RoutingRule.id)
        return RoutingRulesPayload(routing_rules=[RoutingRuleNode.from_row(row) for row in rows], user_errors=errors)
