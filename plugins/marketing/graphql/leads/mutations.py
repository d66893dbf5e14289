"""Staff mutations of web leads: forms, merge decisions, tracked sites and lead routing rules."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import relay

from core.api import TeamNode, UserError, UserNode, attempt, decode_id, mutation, reload
from plugins.marketing.graphql.leads.types import MergeCandidateNode, RoutingRuleNode, TrackingSiteNode, WebFormNode
from plugins.marketing.permissions import FORM_MANAGE, LEAD_MERGE, LEAD_ROUTE
from plugins.marketing.services import forms, routing, tracking
from plugins.marketing.tables import RoutingRule


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
        form_id, errors = await attempt(forms.create_form(ctx.plugin(info), ctx.actor, definition))
        return FormPayload(form=await reload(info, "marketing.form", form_id), user_errors=errors)

    @mutation(permission=FORM_MANAGE, description="Close a form (its posts are refused) or open it again.")
    async def form_set_active(self, info: strawberry.Info, id: relay.GlobalID, active: bool) -> FormPayload:
        ctx = info.context

        async def change() -> int:
            return await forms.set_form_active(ctx.plugin(info), ctx.actor, decode_id(id, "WebForm", ["id"]), active)

        form_id, errors = await attempt(change())
        return FormPayload(form=await reload(info, "marketing.form", form_id), user_errors=errors)

    @mutation(permission=LEAD_MERGE, description="MERGE the new record into the existing one, or KEEP_APART.")
    async def merge_candidate_resolve(
        self, info: strawberry.Info, id: relay.GlobalID, decision: MergeDecision
    ) -> MergeCandidatePayload:
        ctx = info.context

        async def resolve() -> int:
            candidate_id = decode_id(id, "MergeCandidate", ["id"])
            return await forms.resolve_candidate(
                ctx.plugin(info), ctx.actor, candidate_id, decision is MergeDecision.MERGE
            )

        candidate_id, errors = await attempt(resolve())
        return MergeCandidatePayload(
            merge_candidate=await reload(info, "marketing.merge_candidate", candidate_id), user_errors=errors
        )

    @mutation(permission=FORM_MANAGE, description="Let a site report web activity; returns its token once.")
    async def tracking_site_create(self, info: strawberry.Info, name: str) -> TrackingSitePayload:
        ctx = info.context
        created, errors = await attempt(tracking.create_site(ctx.plugin(info), ctx.actor, name))
        site_id, token = created if created else (None, None)
        return TrackingSitePayload(
            site=await reload(info, "marketing.tracking_site", site_id), token=token, user_errors=errors
        )

    @mutation(permission=FORM_MANAGE, description="The site's token stops working at once.")
    async def tracking_site_revoke(self, info: strawberry.Info, id: relay.GlobalID) -> TrackingSitePayload:
        ctx = info.context

        async def revoke() -> int:
            return await tracking.revoke_site(ctx.plugin(info), ctx.actor, decode_id(id, "TrackingSite", ["id"]))

        site_id, errors = await attempt(revoke())
        return TrackingSitePayload(
            site=await reload(info, "marketing.tracking_site", site_id), token=None, user_errors=errors
        )

    @mutation(permission=LEAD_ROUTE, description="Add a routing rule at the end of the list.")
    async def routing_rule_create(self, info: strawberry.Info, input: RoutingRuleInput) -> RoutingRulePayload:
        ctx = info.context

        async def create() -> int:
            return await routing.create_rule(ctx.plugin(info), ctx.actor, input.to_service())

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
            return await routing.update_rule(ctx.plugin(info), ctx.actor, rule_id, input.to_service())

        rule_id, errors = await attempt(update())
        return RoutingRulePayload(
            routing_rule=await reload(info, "marketing.routing_rule", rule_id), user_errors=errors
        )

    @mutation(permission=LEAD_ROUTE)
    async def routing_rule_delete(self, info: strawberry.Info, id: relay.GlobalID) -> RoutingRulePayload:
        ctx = info.context

        async def delete() -> None:
            await routing.delete_rule(ctx.plugin(info), ctx.actor, decode_id(id, "RoutingRule", ["id"]))

        _done, errors = await attempt(delete())
        return RoutingRulePayload(routing_rule=None, user_errors=errors)

    @mutation(permission=LEAD_ROUTE, description="Give every rule, in the order they are to be tried.")
    async def routing_rules_reorder(self, info: strawberry.Info, ids: list[relay.GlobalID]) -> RoutingRulesPayload:
        ctx = info.context

        async def reorder() -> None:
            rule_ids = [decode_id(rule, "RoutingRule", ["ids", str(i)]) for i, rule in enumerate(ids)]
            await routing.reorder_rules(ctx.plugin(info), ctx.actor, rule_ids)

        _done, errors = await attempt(reorder())
        rows = await RoutingRule.select().order_by(RoutingRule.position, RoutingRule.id)
        return RoutingRulesPayload(routing_rules=[RoutingRuleNode.from_row(row) for row in rows], user_errors=errors)
