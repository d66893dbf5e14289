"""The sales plugin: what it contributes to a deployment, through the core's hooks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import msgspec

from core.api import (
    CustomFieldEntity,
    JobSpec,
    LoaderSpec,
    Plugin,
    PluginInfo,
    ScheduleSpec,
    Subscriber,
    TimelineKind,
    TypeExtension,
    hookimpl,
)
from plugins.sales import permissions
from plugins.sales.services.values import ENTITY, Currencies

CURRENCY_CODE = 3


class SalesConfig(msgspec.Struct, forbid_unknown_fields=True):
    currency: str = "PLN"  # the reporting currency: plans, funnel and forecast are in it
    # Other currencies opportunities may be in: how much one unit is worth in the reporting currency.
    rates: dict[str, str] = msgspec.field(default_factory=lambda: {"EUR": "4.30", "USD": "4.00"})
    stuck_after_days: int = 14  # an open opportunity without contact for this long is stuck
    stuck_check_minutes: int = 60  # how often the stuck-deal check runs

    def __post_init__(self) -> None:
        if len(self.currency) != CURRENCY_CODE or not self.currency.isupper():
            raise ValueError(f"currency: expected a three-letter code such as PLN, got {self.currency!r}")
        for code, rate in self.rates.items():
            if len(code) != CURRENCY_CODE or not code.isupper():
                raise ValueError(f"rates.{code}: expected a three-letter currency code")
            try:
                valid = Decimal(rate) > 0
            except InvalidOperation:
                valid = False
            if not valid:
                raise ValueError(f"rates.{code}: expected a positive decimal number as text, got {rate!r}")
        if self.stuck_after_days < 1:
            raise ValueError("stuck_after_days: must be at least 1")
        if self.stuck_check_minutes < 1:
            raise ValueError("stuck_check_minutes: must be at least 1")

    def currencies(self) -> Currencies:
        return Currencies(self.currency, {code: Decimal(rate) for code, rate in self.rates.items()})


class SalesPlugin(Plugin):
    info = PluginInfo(
        description="Leads and opportunities in your own sales processes; funnel, plans and forecasts.",
        label="Sales",
    )
    Config = SalesConfig

    @hookimpl
    def kartoteka_piccolo_apps(self):
        return ["plugins.sales.piccolo_app"]

    @hookimpl
    def kartoteka_permissions(self):
        return permissions.PERMISSIONS

    @hookimpl
    def kartoteka_role_templates(self):
        return permissions.ROLE_TEMPLATES

    @hookimpl
    def kartoteka_event_types(self):
        from plugins.sales.events import EVENT_TYPES

        return EVENT_TYPES

    @hookimpl
    def kartoteka_timeline_kinds(self):
        return [
            TimelineKind("sales.opportunity_opened", "Opportunity opened", "Nowa szansa sprzedaży"),
            TimelineKind("sales.stage_changed", "Opportunity moved to another stage", "Zmiana etapu szansy"),
            TimelineKind("sales.opportunity_won", "Opportunity won", "Szansa wygrana"),
            TimelineKind("sales.opportunity_lost", "Opportunity lost", "Szansa przegrana"),
        ]

    @hookimpl
    def kartoteka_custom_field_entities(self):
        return [CustomFieldEntity(ENTITY, "Opportunity", "Szansa sprzedaży", permissions.OPPORTUNITY_READ)]

    @hookimpl
    def kartoteka_jobs(self):
        from plugins.sales.jobs import flag_stuck_opportunities

        return [
            JobSpec(
                "sales.flag_stuck",
                flag_stuck_opportunities(self.config),
                description="Flag opportunities overdue in their stage or without contact; task their owners.",
            )
        ]

    @hookimpl
    def kartoteka_schedules(self):
        return [
            ScheduleSpec("sales.flag_stuck", "sales.flag_stuck", timedelta(minutes=self.config.stuck_check_minutes))
        ]

    @hookimpl
    def kartoteka_graphql_queries(self, surface):
        from plugins.sales.graphql.queries import SalesQuery

        return [SalesQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface):
        from plugins.sales.graphql.mutations import SalesMutation

        return [SalesMutation] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_type_extensions(self, surface):
        from plugins.sales.graphql.types import CompanyOpportunities, PersonOpportunities

        if surface != "staff":
            return []
        return [
            TypeExtension(target="Company", fields=CompanyOpportunities),
            TypeExtension(target="Person", fields=PersonOpportunities),
        ]

    @hookimpl
    def kartoteka_dataloaders(self):
        from plugins.sales.graphql import loaders

        return [
            LoaderSpec(name="sales.opportunity", batch=loaders.load_opportunities),
            LoaderSpec(name="sales.process", batch=loaders.load_processes),
            LoaderSpec(name="sales.stage", batch=loaders.load_stages),
            LoaderSpec(name="sales.stages_by_process", batch=loaders.load_stages_by_process),
            LoaderSpec(name="sales.history", batch=loaders.load_history),
            LoaderSpec(name="sales.open_by_company", batch=loaders.load_open_by_company),
            LoaderSpec(name="sales.open_by_person", batch=loaders.load_open_by_person),
        ]

    @hookimpl
    async def kartoteka_demo_data(self, plugin_runtime, scale):
        from plugins.sales.demo import load_demo

        return await load_demo(plugin_runtime, self.config.currencies(), scale)

    @hookimpl
    async def kartoteka_person_export(self, person_id):
        from plugins.sales.services.gdpr import person_export

        return await person_export(person_id)

    @hookimpl
    async def kartoteka_person_erase(self, person_id):
        from plugins.sales.services.gdpr import person_erase

        await person_erase(person_id)

    # --- what marketing asks (plugins.marketing.contracts); optional: sales runs without marketing ---
    @hookimpl(optionalhook=True)
    def marketing_person_facts(self):
        from plugins.marketing.contracts import PersonFact
        from plugins.sales.services.facts import open_deal_persons, won_deal_persons

        return [
            PersonFact(
                "sales.won_deal",
                "Won a deal (or works at a company that did) since a date",
                "Wygrana szansa (osoby lub jej firmy) od dnia",
                won_deal_persons,
                {"since": "date"},
            ),
            PersonFact("sales.open_deal", "Has an open opportunity", "Ma otwartą szansę sprzedaży", open_deal_persons),
        ]

    @hookimpl(optionalhook=True)
    async def marketing_attributed_revenue(self, contacts, window_days):
        from plugins.sales.services.attribution import attributed_revenue

        return await attributed_revenue(contacts, window_days, self.config.currency)

    @hookimpl
    def kartoteka_event_subscribers(self):
        from plugins.sales.services.merges import follow_company_merge, follow_person_merge

        # In the merge's own transaction: the winner carries the deals from the moment it exists alone.
        return [
            Subscriber("sales.follow_company_merge", "core.company_merged", follow_company_merge, mode="sync"),
            Subscriber("sales.follow_person_merge", "core.person_merged", follow_person_merge, mode="sync"),
        ]
