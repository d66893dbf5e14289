"""GraphQL types of web leads: forms and their submissions, merge candidates, tracked sites, routing
rules and the leads no rule placed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import TeamNode, UserNode, batched_field, extensible, global_id, load_each, nodes_by_loader
from plugins.marketing.graphql.types import PersonRef
from plugins.marketing.permissions import FORM_MANAGE, FORM_READ, LEAD_ROUTE

CompanyRef = extensible("Company", "staff")


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
