"""Territory-scoped lists and reports (a rep sees their territories' deals) read by an index; one
plan per rep or team and period, even when two managers set it at the same moment."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index opportunities by territory; one plan per subject and period"

forwards = ddl_forwards(
    ID,
    "sales",
    DESCRIPTION,
    (
        "CREATE INDEX sales_opportunity_territory ON sales_opportunity (territory, status) WHERE deleted_at IS NULL",
        'CREATE UNIQUE INDEX sales_plan_once ON sales_plan (COALESCE("user", 0), COALESCE(team, 0),'
        " period_start, period_end)",
    ),
)
