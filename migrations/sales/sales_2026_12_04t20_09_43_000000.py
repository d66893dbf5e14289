"""What Piccolo cannot declare, for the sales tables: composite, partial and expression indexes.

Self-contained on purpose: a migration imports nothing from the application (only Piccolo), so
that later changes to the code cannot change what it does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T20:09:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "Sales indexes (squashed history)"
# The hand-written migrations of the squashed history (their data updates had no rows to change on
# a new database and are gone).
REPLACES = (
    "2026-11-22T19:27:00:000000",
    "2026-11-22T20:11:30:000000",
    "2026-11-22T20:40:00:000000",
)

STATEMENTS = (
    # Opportunity lists, the board, reports and the stuck-deal check.
    "CREATE INDEX sales_opportunity_live ON sales_opportunity (process, status, stage, created_at, id)"
    " WHERE deleted_at IS NULL",
    "CREATE INDEX sales_opportunity_created ON sales_opportunity (created_at, id) WHERE deleted_at IS NULL",
    "CREATE INDEX sales_opportunity_closed ON sales_opportunity (closed_at) WHERE closed_at IS NOT NULL",
    "CREATE INDEX sales_opportunity_owner ON sales_opportunity (owner, status)",
    "CREATE INDEX sales_opportunity_company ON sales_opportunity (company, status)",
    "CREATE INDEX sales_opportunity_person ON sales_opportunity (person, status)",
    "CREATE INDEX sales_stage_process ON sales_stage (process, position)",
    "CREATE INDEX sales_stage_change_opportunity ON sales_stage_change (opportunity, changed_at)",
    "CREATE INDEX sales_stage_change_stage ON sales_stage_change (to_stage, opportunity)",
    "CREATE INDEX sales_plan_period ON sales_plan (period_start, period_end)",
    # The first entry into each stage: one per opportunity and stage.
    "CREATE UNIQUE INDEX sales_stage_entry_once ON sales_stage_entry (opportunity, stage)",
    "CREATE INDEX sales_stage_entry_stage ON sales_stage_entry (stage)",
    # Territory-scoped lists and reports (a rep sees their territories' deals); one plan per rep or
    # team and period, even when two managers set it at the same moment.
    "CREATE INDEX sales_opportunity_territory ON sales_opportunity (territory, status) WHERE deleted_at IS NULL",
    'CREATE UNIQUE INDEX sales_plan_once ON sales_plan (COALESCE("user", 0), COALESCE(team, 0),'
    " period_start, period_end)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="sales", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
