"""The core's own contributions, registered through the same hooks every plugin uses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.exceptions import NotAuthorizedException

from core.auth import Actor
from core.plugins.hookspecs import hookimpl
from core.plugins.specs import (
    JobSpec,
    LoaderSpec,
    Permission,
    Plugin,
    PluginInfo,
    RetryPolicy,
    RoleTemplate,
    ScheduleSpec,
    Subscriber,
    Surface,
    TypeExtension,
)

BEARER = "bearer "
# Working clients by phone and in person: what a sales rep and a call-centre agent share.
CLIENT_WORK = (
    "core.company.read",
    "core.company.write",
    "core.person.read",
    "core.person.write",
    "core.timeline.write",
    "core.consent.manage",
    "core.call_queue.read",
    "core.call_queue.work",
)


async def prune_outbox(ctx: Any) -> None:
    from core.jobs.relay import prune

    await prune(ctx.runtime, timedelta(days=ctx.runtime.settings.outbox_retention_days))


class CorePlugin(Plugin):
    info = PluginInfo(description="Kartoteka core: plugin host, event bus, jobs and GraphQL.")

    @hookimpl
    def kartoteka_piccolo_apps(self) -> list[str]:
        return ["core.db.piccolo_app"]

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.system.read", "See the version, deployment shape and enabled plugins."),
            Permission("core.jobs.read", "See failed background deliveries (the dead-letter list)."),
            Permission("core.jobs.manage", "Retry failed background deliveries."),
            Permission("core.user.read", "See staff users, roles, teams and territories."),
            Permission("core.user.manage", "Create and change staff users, teams and territories."),
            Permission("core.role.manage", "Create and change roles and what they grant."),
            Permission("core.company.read", "See companies (within the role's record scope)."),
            Permission("core.company.write", "Create and change companies."),
            Permission("core.company.delete", "Remove companies."),
            Permission("core.person.read", "See persons (within the role's record scope)."),
            Permission("core.person.write", "Create and change persons."),
            Permission("core.person.delete", "Remove persons."),
            Permission("core.audit.read", "Read the audit log of every change."),
            Permission("core.timeline.write", "Log calls, meetings and notes on client timelines."),
            Permission("core.custom_field.manage", "Define, rename and archive custom fields."),
            Permission(
                "core.personal_data.read", "See sensitive personal data: birthdays and custom fields marked sensitive."
            ),
            Permission("core.consent.manage", "Record consents given and withdrawn."),
            Permission("core.person.export", "Export everything held about a person (GDPR)."),
            Permission("core.person.erase", "Anonymise a person everywhere (GDPR)."),
            Permission("core.task.read", "See other users' tasks and calendars (within the record scope)."),
            Permission("core.task.write", "Create tasks."),
            Permission("core.task.assign", "Give tasks to other users."),
            Permission("core.call_queue.read", "See the call queue (calls of the clients the record scope reaches)."),
            Permission("core.call_queue.work", "Take the next call, log its outcome, queue calls for yourself."),
            Permission("core.call_queue.assign", "Queue calls for other users and teams, reassign and cancel them."),
            Permission("core.oauth_client.manage", "Register OAuth clients, change them and rotate their secrets."),
            Permission("core.portal_account.manage", "Invite persons to the portal, set their rights, lock them."),
            Permission("core.portal.admin", "A client's portal administrator: invites colleagues (portal accounts)."),
            Permission("core.rule.read", "See process rules, their runs, webhook endpoints and the delivery log."),
            Permission(
                "core.rule.manage", "Define process rules and webhook endpoints, rotate secrets, redeliver webhooks."
            ),
            Permission("core.mail.read", "Read incoming e-mail and the queue of unmatched messages (all mailboxes)."),
            Permission("core.mail.manage", "Assign unmatched incoming e-mail to a client's timeline."),
        ]

    @hookimpl
    def kartoteka_custom_field_entities(self) -> list:
        from core.crm.custom_fields import CORE_ENTITIES

        return CORE_ENTITIES

    @hookimpl
    def kartoteka_timeline_kinds(self) -> list:
        from core.crm.timeline import CORE_KINDS

        return CORE_KINDS

    @hookimpl
    def kartoteka_event_subscribers(self) -> list:
        from core.audit import SUBSCRIBER as AUDIT
        from core.call_queue.services import SUBSCRIBERS as CALL_QUEUE
        from core.crm.search import SUBSCRIBER as SEARCH_INDEX
        from core.notifications.services import SUBSCRIBERS as NOTIFICATIONS
        from core.rules.engine import dispatch_rules, events_with_rules

        rules = Subscriber(name="core.rules", event="*", handler=dispatch_rules, wants=events_with_rules)
        return [AUDIT, SEARCH_INDEX, rules, *NOTIFICATIONS, *CALL_QUEUE]

    @hookimpl
    def kartoteka_role_templates(self) -> list[RoleTemplate]:
        return [
            RoleTemplate("administrator", "Every permission of every enabled plugin, on all records.", ("*",), "all"),
            RoleTemplate(
                "operator",
                "Runs the installation: deployment information and failed background work.",
                ("core.system.read", "core.jobs.read", "core.jobs.manage"),
                "all",
            ),
            RoleTemplate(
                "sales_rep",
                "Works the clients of their territories and their own.",
                (*CLIENT_WORK, "core.task.write"),
                "territory",
            ),
            RoleTemplate(
                "sales_manager",
                "Leads a team: sees and changes the clients of the team's members.",
                (
                    "core.company.read",
                    "core.company.write",
                    "core.company.delete",
                    "core.person.read",
                    "core.person.write",
                    "core.person.delete",
                    "core.personal_data.read",
                    "core.user.read",
                    "core.timeline.write",
                    "core.consent.manage",
                    "core.task.read",
                    "core.task.write",
                    "core.task.assign",
                    "core.call_queue.read",
                    "core.call_queue.work",
                    "core.call_queue.assign",
                    "core.mail.read",
                    "core.mail.manage",
                ),
                "team",
            ),
            RoleTemplate(
                "call_agent",
                "Works the call queue of their own and their team's: calls, logs outcomes, updates contacts.",
                CLIENT_WORK,
                # A call centre calls whoever the queue holds; what it is given is the limit.
                "all",
            ),
        ]

    @hookimpl
    async def kartoteka_demo_data(self, runtime: Any, scale: int, progress: Any) -> str:
        from core.crm.demo import load_demo

        return await load_demo(runtime, scale, progress)

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.attachments.services import AttachmentChanged
        from core.call_queue.services import EVENT_TYPES as CALL_EVENTS
        from core.crm.events import EVENT_TYPES
        from core.tasks.services import EVENT_TYPES as TASK_EVENTS
        from core.crm.timeline import TimelineEntryAdded
        from core.identity.events import EVENT_TYPES as IDENTITY_EVENTS
        from core.mail.inbox import EVENT_TYPES as MAIL_EVENTS
        from core.rules.services import EVENT_TYPES as RULE_EVENTS

        return [
            *EVENT_TYPES,
            TimelineEntryAdded,
            *TASK_EVENTS,
            *CALL_EVENTS,
            AttachmentChanged,
            *IDENTITY_EVENTS,
            *RULE_EVENTS,
            *MAIL_EVENTS,
        ]

    @hookimpl
    def kartoteka_jobs(self) -> list:
        from core.call_queue.services import ENQUEUE_JOB, enqueue_in_background
        from core.tasks.services import send_due_reminders
        from core.mail.inbox import POLL_ALL_JOB, POLL_JOB, poll_due_mailboxes, poll_mailbox
        from core.mail.outgoing import send_queued_mail
        from core.rules.engine import RUN_RULE_JOB, record_rule_failure, run_rule
        from core.rules.services import DELIVER_WEBHOOK_JOB
        from core.rules.webhooks import deliver_webhook, record_webhook_failure

        return [
            JobSpec(name="core.send_task_reminders", fn=send_due_reminders, description="Task reminders."),
            JobSpec(name=ENQUEUE_JOB, fn=enqueue_in_background, description="Queue a long list of calls."),
            JobSpec(name="core.prune_outbox", fn=prune_outbox, description="Forget finished background work."),
            JobSpec(name="core.send_mail", fn=send_queued_mail, description="Send a queued e-mail once."),
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
            JobSpec(name=POLL_ALL_JOB, fn=poll_due_mailboxes, description="Start a poll of each IMAP mailbox due."),
            JobSpec(name=POLL_JOB, fn=poll_mailbox, description="Read one batch of new mail from an IMAP mailbox."),
        ]

    @hookimpl
    def kartoteka_schedules(self) -> list:
        return [
            ScheduleSpec(name="core.task_reminders", job="core.send_task_reminders", every=timedelta(minutes=1)),
            ScheduleSpec(name="core.outbox_retention", job="core.prune_outbox", every=timedelta(hours=1)),
            # Every minute; the job itself honours KARTOTEKA_IMAP_POLL_MINUTES per mailbox.
            ScheduleSpec(name="core.imap_poll", job="core.poll_mailboxes", every=timedelta(minutes=1)),
        ]

    @hookimpl
    def kartoteka_http_routes(self) -> list:
        from core.attachments.graphql.types import download, upload
        from core.mail.graphql.types import download_mail_attachment
        from core.tasks.graphql.types import calendar_feed

        return [calendar_feed, upload, download, download_mail_attachment]

    @hookimpl
    async def kartoteka_actor_from_request(self, request: Any, runtime: Any) -> Actor | None:
        """Personal access tokens (``Bearer kt_…``) and OAuth access tokens (JWTs) of this server."""
        from core.access.services import TOKEN_PREFIX, InvalidToken, actor_for_token
        from core.identity.services import TokenRejected, actor_for_access_token, record_rejection

        header = request.headers.get("authorization", "")
        if not header.lower().startswith(BEARER):
            return None
        token = header[len(BEARER) :].strip()
        try:
            if token.startswith(TOKEN_PREFIX):
                return await actor_for_token(runtime, token)
            # Each API is its own audience: a portal token never opens the staff API, nor the reverse.
            audience = "portal" if request.url.path.startswith("/portal/") else "staff"
            return await actor_for_access_token(runtime, token, audience)
        except (InvalidToken, TokenRejected) as error:
            reason = getattr(error, "reason", "personal access token")
            address = request.client.host if request.client else ""
            await record_rejection(runtime, "api", "invalid_token", reason, "", address)
            raise NotAuthorizedException(
                detail="Invalid, expired or revoked access token.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None

    @hookimpl
    def kartoteka_dataloaders(self) -> list[LoaderSpec]:
        from core.access.graphql import types
        from core.call_queue.graphql import types as call_queue_types
        from core.crm.graphql import types as crm_types
        from core.crm.graphql.custom_fields import types as custom_field_types
        from core.mail.graphql import types as mail_types

        return [
            LoaderSpec(name="core.team", batch=types.load_teams),
            LoaderSpec(name="core.territory", batch=types.load_territories),
            LoaderSpec(name="core.roles_by_user", batch=types.load_roles_by_user),
            LoaderSpec(name="core.territories_by_user", batch=types.load_territories_by_user),
            LoaderSpec(name="core.user", batch=crm_types.load_users),
            LoaderSpec(name="core.company", batch=crm_types.load_companies),
            LoaderSpec(name="core.person", batch=crm_types.load_persons),
            LoaderSpec(name="core.contact_points", batch=crm_types.load_contact_points),
            LoaderSpec(name="core.addresses", batch=crm_types.load_addresses),
            LoaderSpec(name="core.tags", batch=crm_types.load_tags),
            LoaderSpec(name="core.employments_by_person", batch=crm_types.load_employments_by_person),
            LoaderSpec(name="core.last_activity", batch=crm_types.load_last_activity),
            LoaderSpec(name="core.custom_field_definitions", batch=custom_field_types.load_definitions),
            LoaderSpec(name="core.consents", batch=crm_types.load_consents),
            LoaderSpec(name="core.incoming_mail_attachments", batch=mail_types.load_attachments),
            LoaderSpec(name="core.call_queue_entry", batch=call_queue_types.load_entries),
            LoaderSpec(name="core.timeline_entry", batch=call_queue_types.load_timeline_entries),
        ]

    @hookimpl
    def kartoteka_graphql_type_extensions(self, surface: Surface) -> list[TypeExtension]:
        from core.access.graphql.types import ViewerAccessFields
        from core.crm.graphql.types import ConsentFields, TimelineFields
        from core.crm.graphql.custom_fields.types import CustomFieldAccess

        if surface != "staff":
            return []
        return [
            TypeExtension(target="Viewer", fields=ViewerAccessFields),
            TypeExtension(target="Company", fields=TimelineFields),
            TypeExtension(target="Person", fields=TimelineFields),
            TypeExtension(target="Company", fields=CustomFieldAccess),
            TypeExtension(target="Person", fields=CustomFieldAccess),
            TypeExtension(target="Person", fields=ConsentFields),
        ]

    @hookimpl
    def kartoteka_graphql_types(self, surface: Surface) -> list[type]:
        from core.system.graphql.types import Viewer
        from core.crm.graphql.types import Company, Person
        from core.crm.graphql.custom_fields.types import VALUE_TYPES

        return [Viewer, Company, Person, *VALUE_TYPES] if surface == "staff" else [Viewer]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.access.graphql.types import AccessQuery
        from core.attachments.graphql.types import AttachmentQuery
        from core.call_queue.graphql.types import CallQueueQuery
        from core.system.graphql.types import make_queries
        from core.crm.graphql.types import CrmQuery, SyncQuery, TimelineQuery
        from core.crm.graphql.custom_fields.types import CustomFieldQuery
        from core.identity.graphql.types import IdentityQuery
        from core.mail.graphql.types import MailQuery
        from core.notifications.graphql.types import NotificationQuery
        from core.rules.graphql.types import RuleQuery
        from core.tasks.graphql.types import TaskQuery

        if surface != "staff":
            return [make_queries(surface)]
        return [
            make_queries(surface),
            AccessQuery,
            CrmQuery,
            TimelineQuery,
            CustomFieldQuery,
            SyncQuery,
            TaskQuery,
            CallQueueQuery,
            AttachmentQuery,
            IdentityQuery,
            RuleQuery,
            MailQuery,
            NotificationQuery,
        ]

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.access.graphql.types import AccessMutation
        from core.attachments.graphql.types import AttachmentMutation
        from core.call_queue.graphql.types import CallQueueMutation
        from core.system.graphql.types import CoreMutation
        from core.crm.graphql.types import CrmMutation, GdprMutation, MergeMutation, TimelineMutation
        from core.crm.graphql.custom_fields.types import CustomFieldMutation
        from core.identity.graphql.types import IdentityMutation, PortalIdentityMutation
        from core.imports.graphql.types import ImportMutation
        from core.mail.graphql.types import MailMutation
        from core.notifications.graphql.types import NotificationMutation
        from core.rules.graphql.types import RuleMutation
        from core.tasks.graphql.types import TaskMutation

        if surface != "staff":
            return [PortalIdentityMutation]
        return [
            CoreMutation,
            AccessMutation,
            CrmMutation,
            MergeMutation,
            TimelineMutation,
            CustomFieldMutation,
            GdprMutation,
            TaskMutation,
            CallQueueMutation,
            AttachmentMutation,
            ImportMutation,
            IdentityMutation,
            RuleMutation,
            MailMutation,
            NotificationMutation,
        ]
