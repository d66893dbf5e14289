"""The marketing plugin: segments, campaigns, unsubscribe and results, occasion mailings."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from pluggy import PluginValidationError

from core.api import (
    JobSpec,
    LoaderSpec,
    Plugin,
    PluginInfo,
    RetryPolicy,
    ScheduleSpec,
    Subscriber,
    TimelineKind,
    hookimpl,
)
from plugins.marketing import permissions


class MarketingConfig(msgspec.Struct, forbid_unknown_fields=True):
    tick_seconds: int = 5  # how often scheduled campaigns are started and sending ones given a batch
    occasion_check_minutes: int = 60  # how often birthdays and holidays are looked for
    form_window_minutes: int = 10  # the throttle's window for web-form posts
    form_posts_per_ip: int = 10  # posts one IP address may send to forms in that window
    form_posts_per_email: int = 3  # posts naming one e-mail address in that window
    visit_gap_minutes: int = 30  # a pause this long ends a web visit (and puts it on the timeline)

    def __post_init__(self) -> None:
        if not 1 <= self.tick_seconds <= 3600:
            raise ValueError("tick_seconds: expected a number of seconds from 1 to 3600")
        if not 1 <= self.occasion_check_minutes <= 1440:
            raise ValueError("occasion_check_minutes: expected a number of minutes from 1 to 1440")
        for name in ("form_window_minutes", "visit_gap_minutes"):
            if not 1 <= getattr(self, name) <= 1440:
                raise ValueError(f"{name}: expected a number of minutes from 1 to 1440")
        for name in ("form_posts_per_ip", "form_posts_per_email"):
            if not 1 <= getattr(self, name) <= 10_000:
                raise ValueError(f"{name}: expected a number from 1 to 10000")


class MarketingPlugin(Plugin):
    info = PluginInfo(
        description="Segments, personalised campaigns with consent and one-click unsubscribe, results, occasion mail, "
        "web forms to leads with a merge queue, web activity, lead routing.",
        label="Marketing",
    )
    Config = MarketingConfig

    @hookimpl
    def kartoteka_addhooks(self, plugin_manager):
        from plugins.marketing import contracts

        plugin_manager.add_hookspecs(contracts)
        # An optional implementation is never checked against a hook it does not name: one with
        # marketing's prefix that matches none of its hooks is a typo, refused like the core's.
        for name, caller in vars(plugin_manager.hook).items():
            if name.startswith(contracts.PREFIX) and not caller.has_spec():
                impl = caller.get_hookimpls()[0]
                raise PluginValidationError(impl.plugin, f"unknown hook {name!r} (marketing publishes no such hook)")

    @hookimpl
    async def kartoteka_startup(self, plugin_runtime):
        from plugins.marketing.services.segments import person_facts

        await person_facts(plugin_runtime)  # a misnamed or twice-offered fact stops start-up

    @hookimpl
    def kartoteka_piccolo_apps(self):
        return ["plugins.marketing.piccolo_app"]

    @hookimpl
    def kartoteka_permissions(self):
        return permissions.PERMISSIONS

    @hookimpl
    def kartoteka_role_templates(self):
        return permissions.ROLE_TEMPLATES

    @hookimpl
    def kartoteka_event_types(self):
        from plugins.marketing.events import EVENT_TYPES

        return EVENT_TYPES

    @hookimpl
    def kartoteka_timeline_kinds(self):
        return [
            TimelineKind("marketing.clicked", "Clicked a link in a campaign", "Kliknięcie w link kampanii"),
            TimelineKind("marketing.unsubscribed", "Unsubscribed", "Rezygnacja z subskrypcji"),
            TimelineKind("marketing.form_submitted", "Sent a web form", "Wysłanie formularza ze strony"),
        ]

    @hookimpl
    def kartoteka_jobs(self):
        from plugins.marketing import jobs

        return [
            JobSpec("marketing.campaign_tick", jobs.campaign_tick, description="Start due campaigns; pace sending."),
            JobSpec(
                "marketing.send_batch",
                jobs.send_batch,
                queue="mail",
                retry=RetryPolicy(max_retries=20),
                description="Queue a campaign's next messages.",
            ),
            JobSpec("marketing.send_occasions", jobs.send_occasions, description="Greet birthdays and holidays."),
            JobSpec(
                "marketing.retry_submissions",
                jobs.retry_submissions,
                description="Process web-form submissions whose processing failed or was cut short.",
            ),
            JobSpec("marketing.close_visits", jobs.close_visits, description="Put ended web visits on the timeline."),
        ]

    @hookimpl
    def kartoteka_schedules(self):
        return [
            ScheduleSpec(
                "marketing.campaign_tick", "marketing.campaign_tick", timedelta(seconds=self.config.tick_seconds)
            ),
            ScheduleSpec(
                "marketing.send_occasions",
                "marketing.send_occasions",
                timedelta(minutes=self.config.occasion_check_minutes),
            ),
            ScheduleSpec("marketing.retry_submissions", "marketing.retry_submissions", timedelta(minutes=1)),
            ScheduleSpec("marketing.close_visits", "marketing.close_visits", timedelta(minutes=5)),
        ]

    @hookimpl
    def kartoteka_event_subscribers(self):
        from plugins.marketing.jobs import route_new_company, route_new_person
        from plugins.marketing.services.responses import mail_response, stop_queued_mail

        return [
            # In the withdrawal's own transaction: from its commit on, no queued message goes out.
            Subscriber("marketing.stop_queued_mail", "core.consent_withdrawn", stop_queued_mail, mode="sync"),
            # Replies and bounces of campaign messages, read by the core's IMAP poller.
            Subscriber("marketing.mail_response", "core.email_received", mail_response),
            # Leads from imports and other plugins are routed like web leads (after their commit).
            Subscriber("marketing.route_new_person", "core.person_created", route_new_person),
            Subscriber("marketing.route_new_company", "core.company_created", route_new_company),
        ]

    @hookimpl
    def kartoteka_graphql_queries(self, surface):
        from plugins.marketing.graphql.leads.queries import LeadQuery
        from plugins.marketing.graphql.queries import MarketingQuery

        return [MarketingQuery, LeadQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface):
        from plugins.marketing.graphql.leads.mutations import LeadMutation
        from plugins.marketing.graphql.mutations import MarketingMutation

        return [MarketingMutation, LeadMutation] if surface == "staff" else []

    @hookimpl
    def kartoteka_dataloaders(self):
        from plugins.marketing.graphql import loaders

        return [
            LoaderSpec(name="marketing.segment", batch=loaders.load_segments),
            LoaderSpec(name="marketing.campaign", batch=loaders.load_campaigns),
            LoaderSpec(name="marketing.occasion", batch=loaders.load_occasions),
            LoaderSpec(name="marketing.form", batch=loaders.load_forms),
            LoaderSpec(name="marketing.form_submission", batch=loaders.load_submissions),
            LoaderSpec(name="marketing.merge_candidate", batch=loaders.load_merge_candidates),
            LoaderSpec(name="marketing.routing_rule", batch=loaders.load_routing_rules),
            LoaderSpec(name="marketing.tracking_site", batch=loaders.load_tracking_sites),
        ]

    @hookimpl
    def kartoteka_http_routes(self):
        from plugins.marketing.http import forms, messages

        return [*messages.ROUTES, *forms.ROUTES]

    @hookimpl
    async def kartoteka_demo_data(self, plugin_runtime):
        from plugins.marketing.demo import load_demo

        return await load_demo(plugin_runtime)

    @hookimpl
    async def kartoteka_person_export(self, person_id):
        from plugins.marketing.services.responses import person_export

        return await person_export(person_id)

    @hookimpl
    async def kartoteka_person_erase(self, person_id):
        from plugins.marketing.services.responses import person_erase

        await person_erase(person_id)
