"""The marketing plugin's Piccolo app; its migrations live in the top-level ``migrations/marketing``."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.marketing import tables

APP_CONFIG = AppConfig(
    app_name="marketing",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "marketing"),
    table_classes=[
        tables.Segment,
        tables.Campaign,
        tables.Recipient,
        tables.Click,
        tables.Suppression,
        tables.Occasion,
        tables.OccasionSend,
        tables.WebForm,
        tables.FormSubmission,
        tables.FormAttempt,
        tables.MergeCandidate,
        tables.TrackingSite,
        tables.WebVisit,
        tables.RoutingRule,
        tables.LeadAssignment,
    ],
    migration_dependencies=["core.db.piccolo_app"],
    commands=[],
)
