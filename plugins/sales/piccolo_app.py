"""The sales plugin's Piccolo app; its migrations live in the top-level ``migrations/sales``."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.sales import tables

APP_CONFIG = AppConfig(
    app_name="sales",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "sales"),
    table_classes=[
        tables.SalesProcess,
        tables.SalesStage,
        tables.Opportunity,
        tables.StageChange,
        tables.StageEntry,
        tables.SalesPlan,
    ],
    migration_dependencies=["core.db.piccolo_app"],
    commands=[],
)
