"""The core's Piccolo app; its migrations live in the top-level ``migrations/core``."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.access import tables as access
from core.crm import tables as crm
from core.db import tables
from core.identity.tables import TABLES as IDENTITY_TABLES
from core.rules.tables import TABLES as RULE_TABLES

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "core"),
    table_classes=[
        tables.OutboxMessage,
        tables.Delivery,
        tables.ScheduleState,
        tables.AuditEntry,
        tables.OutgoingMail,
        tables.IncomingMail,
        tables.IncomingMailAttachment,
        tables.MailboxState,
        access.Team,
        access.Territory,
        access.User,
        access.Role,
        access.UserRole,
        access.UserTerritory,
        access.AccessToken,
        crm.Company,
        crm.Person,
        crm.Employment,
        crm.ContactPoint,
        crm.Address,
        crm.Tag,
        crm.CompanyTag,
        crm.PersonTag,
        crm.TimelineEntry,
        crm.CustomField,
        crm.SearchDocument,
        crm.Consent,
        crm.Task,
        access.CalendarFeed,
        access.Notification,
        crm.Attachment,
        crm.Follower,
        *IDENTITY_TABLES,
        *RULE_TABLES,
    ],
    migration_dependencies=[],
    commands=[],
)
