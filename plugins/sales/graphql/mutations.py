"""Staff mutations of the sales plugin. Each returns its payload with ``userErrors``; a refused
change writes nothing (the service's unit of work rolls back)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import DeletePayload, DomainError, UserError, _, attempt, decode_id, global_id, mutation, reload
from plugins.sales.graphql.types import OpportunityNode, SalesProcessNode, SalesStageNode
from plugins.sales.permissions import OPPORTUNITY_WRITE, PLAN_MANAGE, PROCESS_MANAGE
from plugins.sales.services import leads, opportunities, plans, processes
from plugins.sales.services.values import currencies_of


# --- inputs -----------------------------------------------------------------------------------------
@strawberry.input
class SalesStageInput:
    name: str
    probability: int = strawberry.field(default=0, description="Default chance of winning from here, 0-100.")
    required_fields: list[str] = strawberry.field(
        default_factory=list,
        description="value, expectedCloseDate, company, person, competitors or custom.<key>.",
    )
    expected_days: int | None = strawberry.field(default=None, description="Longer than this here = stuck.")

    def to_service(self) -> processes.StageInput:
        return processes.StageInput(self.name, self.probability, tuple(self.required_fields), self.expected_days)


@strawberry.input
class SalesProcessCreateInput:
    name: str
    stages: list[SalesStageInput] = strawberry.field(description="In their order.")
    description: str = ""
    team: relay.GlobalID | None = None


@strawberry.input(description="Only the fields given change.")
class SalesProcessUpdateInput:
    name: str | None = None
    description: str | None = None
    team: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="null: the process belongs to no team any more."
    )
    archived: bool | None = strawberry.field(default=None, description="Archived processes take no new deals.")


@strawberry.input
class CompetitorInput:
    name: str
    strengths: str = ""
    weaknesses: str = ""
    price: Decimal | None = None


@strawberry.input
class OpportunityCreateInput:
    name: str
    process: relay.GlobalID
    stage: relay.GlobalID | None = strawberry.field(default=None, description="Default: the process's first stage.")
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    owner: relay.GlobalID | None = strawberry.field(default=None, description="Default: you.")
    value: Decimal = Decimal(0)
    currency: str | None = strawberry.field(default=None, description="Default: the reporting currency.")
    expected_close_date: date | None = None
    competitors: list[CompetitorInput] | None = None
    source: str = ""
    custom_fields: JSON | None = None
    opened_at: datetime | None = strawberry.field(
        default=None, description="When it was opened, if earlier than now (entering history)."
    )


@strawberry.input(description="Only the fields given change; `clear` empties company, person or expectedCloseDate.")
class OpportunityUpdateInput:
    name: str | None = None
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    owner: relay.GlobalID | None = None
    value: Decimal | None = None
    currency: str | None = None
    expected_close_date: date | None = None
    competitors: list[CompetitorInput] | None = None
    source: str | None = None
    custom_fields: JSON | None = None
    clear: list[str] | None = None


@strawberry.input
class OpportunityMoveInput:
    stage: relay.GlobalID
    at: datetime | None = strawberry.field(default=None, description="When it happened, if earlier than now.")


@strawberry.input
class OpportunityLoseInput:
    reason: str
    at: datetime | None = None


@strawberry.input
class OpportunityContactInput:
    kind: str = strawberry.field(description="core.call, core.email, core.meeting or core.note.")
    subject: str
    body: str = ""
    occurred_at: datetime | None = None
    duration_minutes: int = 0


@strawberry.input
class LeadQualifyInput:
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    qualification: JSON = strawberry.field(description="What qualifying found out: need, budget, timing…")


@strawberry.input
class NewCompanyInput:
    name: str
    nip: str = ""


@strawberry.input
class NewPersonInput:
    last_name: str
    first_name: str = ""
    email: str = ""
    position: str = ""


@strawberry.input(
    description="A lead becomes an opportunity. Name existing records or describe new ones; a new company "
    "with a known NIP or name, or a new person with a known e-mail, is matched to the record the CRM has."
)
class LeadConvertInput:
    process: relay.GlobalID
    name: str
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    new_company: NewCompanyInput | None = None
    new_person: NewPersonInput | None = None
    value: Decimal = Decimal(0)
    currency: str | None = None
    expected_close_date: date | None = None
    source: str | None = None


@strawberry.input
class SalesPlanInput:
    user: relay.GlobalID | None = None
    team: relay.GlobalID | None = None
    period_start: date
    period_end: date = strawberry.field(description="Inclusive.")
    target_value: Decimal = strawberry.field(description="In the reporting currency.")
    target_deals: int = 0


# --- payloads ---------------------------------------------------------------------------------------
@strawberry.type
class SalesProcessPayload:
    process: SalesProcessNode | None
    user_errors: list[UserError]


@strawberry.type
class SalesStagePayload:
    stage: SalesStageNode | None
    user_errors: list[UserError]


@strawberry.type
class OpportunityPayload:
    opportunity: OpportunityNode | None
    user_errors: list[UserError]


@strawberry.type
class LeadQualifyPayload:
    qualified: bool
    user_errors: list[UserError]


@strawberry.type
class OpportunityContactPayload:
    opportunity: OpportunityNode | None
    timeline_entry_id: relay.GlobalID | None
    user_errors: list[UserError]


@strawberry.type
class SalesPlanPayload:
    plan_id: relay.GlobalID | None
    user_errors: list[UserError]


# --- helpers ----------------------------------------------------------------------------------------
def _optional_id(value: relay.GlobalID | None, type_name: str, path: list[str]) -> int | None:
    return None if value is None else decode_id(value, type_name, path)


def _values(input: Any, clear: tuple[str, ...] = ()) -> opportunities.OpportunityValues:
    """What an opportunityCreate or opportunityUpdate input says, for the service."""
    return opportunities.OpportunityValues(
        name=input.name,
        company_id=_optional_id(input.company, "Company", ["input", "company"]),
        person_id=_optional_id(input.person, "Person", ["input", "person"]),
        owner_id=_optional_id(input.owner, "UserNode", ["input", "owner"]),
        value=input.value,
        currency=input.currency,
        expected_close_date=input.expected_close_date,
        competitors=_competitors(input.competitors),
        source=input.source,
        custom=input.custom_fields,
        clear=clear,
    )


def _team_change(team: Any) -> int | None:
    """Not given: unchanged (None); null: no team (NO_TEAM); an id: that team."""
    if team is strawberry.UNSET:
        return None
    return processes.NO_TEAM if team is None else decode_id(team, "TeamNode", ["input", "team"])


def _competitors(items: list[CompetitorInput] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    return [{"name": c.name, "strengths": c.strengths, "weaknesses": c.weaknesses, "price": c.price} for c in items]


async def _process_payload(info: Any, action: Any) -> SalesProcessPayload:
    process_id, errors = await attempt(action)
    return SalesProcessPayload(process=await reload(info, "sales.process", process_id), user_errors=errors)


async def _stage_payload(info: Any, action: Any) -> SalesStagePayload:
    stage_id, errors = await attempt(action)
    return SalesStagePayload(stage=await reload(info, "sales.stage", stage_id), user_errors=errors)


async def _opportunity_payload(info: Any, action: Any) -> OpportunityPayload:
    opportunity_id, errors = await attempt(action)
    return OpportunityPayload(opportunity=await reload(info, "sales.opportunity", opportunity_id), user_errors=errors)


async def _act(info: Any, id: relay.GlobalID, action: Any) -> OpportunityPayload:
    """Run ``action(context, opportunity id)`` on the opportunity ``id`` names."""

    async def run() -> int:
        opportunity_id = decode_id(id, "Opportunity", ["id"])
        await action(info.context, opportunity_id)
        return opportunity_id

    return await _opportunity_payload(info, run())


# --- mutations --------------------------------------------------------------------------------------
@strawberry.type
class SalesMutation:
    @mutation(permission=PROCESS_MANAGE, description="Define a sales process with its stages.")
    async def sales_process_create(self, info: strawberry.Info, input: SalesProcessCreateInput) -> SalesProcessPayload:
        ctx = info.context

        async def create() -> int:
            return await processes.create_process(
                ctx.plugin(info),
                ctx.actor,
                name=input.name,
                description=input.description,
                team_id=_optional_id(input.team, "TeamNode", ["input", "team"]),
                stages=[stage.to_service() for stage in input.stages],
            )

        return await _process_payload(info, create())

    @mutation(permission=PROCESS_MANAGE, description="Rename, describe, hand to a team, archive or restore.")
    async def sales_process_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: SalesProcessUpdateInput
    ) -> SalesProcessPayload:
        ctx = info.context

        async def update() -> int:
            process_id = decode_id(id, "SalesProcess", ["id"])
            await processes.update_process(
                ctx.plugin(info),
                ctx.actor,
                process_id,
                name=input.name,
                description=input.description,
                team_id=_team_change(input.team),
                archived=input.archived,
            )
            return process_id

        return await _process_payload(info, update())

    @mutation(permission=PROCESS_MANAGE, description="Add a stage at a position (1 = first; default: last).")
    async def sales_stage_add(
        self, info: strawberry.Info, process: relay.GlobalID, input: SalesStageInput, position: int | None = None
    ) -> SalesStagePayload:
        ctx = info.context

        async def add() -> int:
            process_id = decode_id(process, "SalesProcess", ["process"])
            return await processes.add_stage(ctx.plugin(info), ctx.actor, process_id, input.to_service(), position)

        return await _stage_payload(info, add())

    @mutation(permission=PROCESS_MANAGE, description="Change a stage's name, probability, requirements or duration.")
    async def sales_stage_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: SalesStageInput
    ) -> SalesStagePayload:
        ctx = info.context

        async def update() -> int:
            stage_id = decode_id(id, "SalesStage", ["id"])
            await processes.update_stage(ctx.plugin(info), ctx.actor, stage_id, input.to_service())
            return stage_id

        return await _stage_payload(info, update())

    @mutation(permission=PROCESS_MANAGE, description="Remove a stage no opportunity is in.")
    async def sales_stage_delete(self, info: strawberry.Info, id: relay.GlobalID) -> DeletePayload:
        ctx = info.context

        async def delete() -> relay.GlobalID:
            await processes.delete_stage(ctx.plugin(info), ctx.actor, decode_id(id, "SalesStage", ["id"]))
            return id

        deleted, errors = await attempt(delete())
        return DeletePayload(deleted_id=deleted, user_errors=errors)

    @mutation(permission=PROCESS_MANAGE, description="Put the stages of a process in a new order (list them all).")
    async def sales_stages_reorder(
        self, info: strawberry.Info, process: relay.GlobalID, stages: list[relay.GlobalID]
    ) -> SalesProcessPayload:
        ctx = info.context

        async def reorder() -> int:
            process_id = decode_id(process, "SalesProcess", ["process"])
            ids = [decode_id(s, "SalesStage", ["stages", str(i)]) for i, s in enumerate(stages)]
            await processes.reorder_stages(ctx.plugin(info), ctx.actor, process_id, ids)
            return process_id

        process_id, errors = await attempt(reorder())
        if process_id is not None:
            with contextlib.suppress(KeyError):
                ctx.loaders["sales.stages_by_process"].clear(process_id)
        return SalesProcessPayload(process=await reload(info, "sales.process", process_id), user_errors=errors)

    @mutation(permission=OPPORTUNITY_WRITE, description="Mark a lead qualified and keep what qualification found.")
    async def lead_qualify(self, info: strawberry.Info, input: LeadQualifyInput) -> LeadQualifyPayload:
        ctx = info.context

        async def qualify() -> bool:
            if not isinstance(input.qualification, dict):
                raise DomainError("INVALID_JSON_OBJECT", _("A JSON object is expected."), ["input", "qualification"])
            await leads.qualify_lead(
                ctx.plugin(info),
                ctx.actor,
                company_id=_optional_id(input.company, "Company", ["input", "company"]),
                person_id=_optional_id(input.person, "Person", ["input", "person"]),
                qualification=input.qualification,
            )
            return True

        done, errors = await attempt(qualify())
        return LeadQualifyPayload(qualified=bool(done), user_errors=errors)

    @mutation(
        permission=OPPORTUNITY_WRITE,
        description="Convert a lead into an opportunity with a company and a person, reusing matching records.",
    )
    async def lead_convert(self, info: strawberry.Info, input: LeadConvertInput) -> OpportunityPayload:
        ctx = info.context

        async def convert() -> int:
            opportunity_id, _company, _person = await leads.convert_lead(
                ctx.plugin(info),
                ctx.actor,
                currencies_of(ctx.plugin(info)),
                process_id=decode_id(input.process, "SalesProcess", ["input", "process"]),
                values=opportunities.OpportunityValues(
                    name=input.name,
                    value=input.value,
                    currency=input.currency,
                    expected_close_date=input.expected_close_date,
                    source=input.source,
                ),
                company_id=_optional_id(input.company, "Company", ["input", "company"]),
                person_id=_optional_id(input.person, "Person", ["input", "person"]),
                new_company=leads.NewCompany(input.new_company.name, input.new_company.nip)
                if input.new_company
                else None,
                new_person=leads.NewPerson(
                    input.new_person.last_name,
                    input.new_person.first_name,
                    input.new_person.email,
                    input.new_person.position,
                )
                if input.new_person
                else None,
            )
            return opportunity_id

        return await _opportunity_payload(info, convert())

    @mutation(permission=OPPORTUNITY_WRITE, description="Open an opportunity in a sales process.")
    async def opportunity_create(self, info: strawberry.Info, input: OpportunityCreateInput) -> OpportunityPayload:
        ctx = info.context

        async def create() -> int:
            return await opportunities.create_opportunity(
                ctx.plugin(info),
                ctx.actor,
                currencies_of(ctx.plugin(info)),
                process_id=decode_id(input.process, "SalesProcess", ["input", "process"]),
                stage_id=_optional_id(input.stage, "SalesStage", ["input", "stage"]),
                opened_at=input.opened_at,
                values=_values(input),
            )

        return await _opportunity_payload(info, create())

    @mutation(permission=OPPORTUNITY_WRITE, description="Change an opportunity you may work on.")
    async def opportunity_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: OpportunityUpdateInput
    ) -> OpportunityPayload:
        ctx = info.context

        async def update() -> int:
            opportunity_id = decode_id(id, "Opportunity", ["id"])
            await opportunities.update_opportunity(
                ctx.plugin(info),
                ctx.actor,
                currencies_of(ctx.plugin(info)),
                opportunity_id,
                _values(input, clear=tuple(input.clear or ())),
            )
            return opportunity_id

        return await _opportunity_payload(info, update())

    @mutation(permission=OPPORTUNITY_WRITE, description="Move an open opportunity to another stage of its process.")
    async def opportunity_move(
        self, info: strawberry.Info, id: relay.GlobalID, input: OpportunityMoveInput
    ) -> OpportunityPayload:
        def move(ctx: Any, opportunity_id: int) -> Any:
            stage_id = decode_id(input.stage, "SalesStage", ["input", "stage"])
            return opportunities.move_opportunity(ctx.plugin(info), ctx.actor, opportunity_id, stage_id, input.at)

        return await _act(info, id, move)

    @mutation(permission=OPPORTUNITY_WRITE, description="Close an opportunity as won; its client becomes a customer.")
    async def opportunity_win(
        self, info: strawberry.Info, id: relay.GlobalID, at: datetime | None = None
    ) -> OpportunityPayload:
        return await _act(info, id, lambda ctx, i: opportunities.win_opportunity(ctx.plugin(info), ctx.actor, i, at))

    @mutation(permission=OPPORTUNITY_WRITE, description="Close an opportunity as lost, saying why.")
    async def opportunity_lose(
        self, info: strawberry.Info, id: relay.GlobalID, input: OpportunityLoseInput
    ) -> OpportunityPayload:
        def lose(ctx: Any, opportunity_id: int) -> Any:
            return opportunities.lose_opportunity(ctx.plugin(info), ctx.actor, opportunity_id, input.reason, input.at)

        return await _act(info, id, lose)

    @mutation(permission=OPPORTUNITY_WRITE, description="Remove an open opportunity entered by mistake.")
    async def opportunity_delete(self, info: strawberry.Info, id: relay.GlobalID) -> DeletePayload:
        ctx = info.context

        async def delete() -> relay.GlobalID:
            await opportunities.delete_opportunity(ctx.plugin(info), ctx.actor, decode_id(id, "Opportunity", ["id"]))
            return id

        deleted, errors = await attempt(delete())
        return DeletePayload(deleted_id=deleted, user_errors=errors)

    @mutation(
        permission=OPPORTUNITY_WRITE,
        description="Log a contact about the opportunity: it lands on the client's timeline with the current stage.",
    )
    async def opportunity_log_contact(
        self, info: strawberry.Info, id: relay.GlobalID, input: OpportunityContactInput
    ) -> OpportunityContactPayload:
        ctx = info.context
        opportunity_id: int | None = None

        async def log() -> int:
            nonlocal opportunity_id
            opportunity_id = decode_id(id, "Opportunity", ["id"])
            return await opportunities.log_contact(
                ctx.plugin(info),
                ctx.actor,
                opportunity_id,
                kind=input.kind,
                subject=input.subject,
                body=input.body,
                occurred_at=input.occurred_at,
                duration_minutes=input.duration_minutes,
            )

        entry_id, errors = await attempt(log())
        return OpportunityContactPayload(
            opportunity=await reload(info, "sales.opportunity", opportunity_id if entry_id else None),
            timeline_entry_id=None if entry_id is None else global_id("TimelineEntryType", entry_id),
            user_errors=errors,
        )

    @mutation(permission=PLAN_MANAGE, description="Set the plan of a rep or a team for a period (replaces the old).")
    async def sales_plan_set(self, info: strawberry.Info, input: SalesPlanInput) -> SalesPlanPayload:
        ctx = info.context

        async def set_plan() -> int:
            return await plans.set_plan(
                ctx.plugin(info),
                ctx.actor,
                user=_optional_id(input.user, "UserNode", ["input", "user"]),
                team=_optional_id(input.team, "TeamNode", ["input", "team"]),
                period_start=input.period_start,
                period_end=input.period_end,
                target_value=input.target_value,
                target_deals=input.target_deals,
            )

        plan_id, errors = await attempt(set_plan())
        return SalesPlanPayload(
            plan_id=None if plan_id is None else global_id("SalesPlanType", plan_id), user_errors=errors
        )
