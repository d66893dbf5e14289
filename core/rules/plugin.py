"""Process rules and webhooks, as a built-in plugin."""

from __future__ import annotations

from datetime import timedelta

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import JobSpec, Permission, Plugin, PluginInfo, RetryPolicy, Subscriber, Surface


class RulesPlugin(Plugin):
    info = PluginInfo(description="Process rules (when an event happens, do this) and signed webhooks.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.rule.read", "See process rules, their runs, webhook endpoints and the delivery log."),
            Permission(
                "core.rule.manage", "Define process rules and webhook endpoints, rotate secrets, redeliver webhooks."
            ),
        ]

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.rules.services import EVENT_TYPES

        return list(EVENT_TYPES)

    @hookimpl
    def kartoteka_event_subscribers(self) -> list:
        from core.rules.engine import dispatch_rules, events_with_rules

        return [Subscriber(name="core.rules", event="*", handler=dispatch_rules, wants=events_with_rules)]

    @hookimpl
    def kartoteka_jobs(self) -> list:
        from core.rules.engine import RUN_RULE_JOB, record_rule_failure, run_rule
        from core.rules.services import DELIVER_WEBHOOK_JOB
        from core.rules.webhooks import deliver_webhook, record_webhook_failure

        return [
            JobSpec(
                name=RUN_RULE_JOB,
                fn=run_rule,
                on_failure=record_rule_failure,
                description="Run one process rule's actions for one event.",
            ),
            JobSpec(
                name=DELIVER_WEBHOOK_JOB,
                fn=deliver_webhook,
                on_failure=record_webhook_failure,
                # About two hours of patience for a receiver that is down: 2 s, 4 s … 1 h.
                retry=RetryPolicy(max_retries=12, min_backoff=timedelta(seconds=1), max_backoff=timedelta(hours=1)),
                description="One signed attempt to deliver a webhook.",
            ),
        ]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.rules.graphql.queries import RuleQuery

        return [RuleQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.rules.graphql.mutations import RuleMutation

        return [RuleMutation] if surface == "staff" else []
