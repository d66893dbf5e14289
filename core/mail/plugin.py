"""E-mail as a built-in plugin: the outgoing queue and the IMAP inbox read into the client file."""

from __future__ import annotations

from datetime import timedelta

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import JobSpec, LoaderSpec, Permission, Plugin, PluginInfo, ScheduleSpec, Surface


class MailPlugin(Plugin):
    info = PluginInfo(description="E-mail: the outgoing queue and incoming mail matched to clients.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.mail.read", "Read incoming e-mail and the queue of unmatched messages (all mailboxes)."),
            Permission("core.mail.manage", "Assign unmatched incoming e-mail to a client's timeline."),
        ]

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.mail.inbox import EVENT_TYPES

        return list(EVENT_TYPES)

    @hookimpl
    def kartoteka_jobs(self) -> list:
        from core.mail.inbox import POLL_ALL_JOB, POLL_JOB, poll_due_mailboxes, poll_mailbox
        from core.mail.outgoing import send_queued_mail

        return [
            JobSpec(name="core.send_mail", fn=send_queued_mail, description="Send a queued e-mail once."),
            JobSpec(name=POLL_ALL_JOB, fn=poll_due_mailboxes, description="Start a poll of each IMAP mailbox due."),
            JobSpec(name=POLL_JOB, fn=poll_mailbox, description="Read one batch of new mail from an IMAP mailbox."),
        ]

    @hookimpl
    def kartoteka_schedules(self) -> list:
        # Every minute; the job itself honours KARTOTEKA_IMAP_POLL_MINUTES per mailbox.
        return [ScheduleSpec(name="core.imap_poll", job="core.poll_mailboxes", every=timedelta(minutes=1))]

    @hookimpl
    def kartoteka_dataloaders(self) -> list[LoaderSpec]:
        from core.mail.graphql import loaders

        return [LoaderSpec(name="core.incoming_mail_attachments", batch=loaders.load_attachments)]

    @hookimpl
    def kartoteka_http_routes(self) -> list:
        from core.mail.graphql.routes import download_mail_attachment

        return [download_mail_attachment]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.mail.graphql.queries import MailQuery

        return [MailQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.mail.graphql.mutations import MailMutation

        return [MailMutation] if surface == "staff" else []

    @hookimpl
    def kartoteka_cli_commands(self) -> list:
        from core.mail.cli import mail

        return [mail]
