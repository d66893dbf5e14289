from pathlib import Path

from piccolo.conf.apps import AppConfig

from kartoteka_sample.tables import SampleNote, SampleRun, SampleTick

APP_CONFIG = AppConfig(
    app_name="sample",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[SampleNote, SampleRun, SampleTick],
    migration_dependencies=["core.db.piccolo_app"],
    commands=[],
)
