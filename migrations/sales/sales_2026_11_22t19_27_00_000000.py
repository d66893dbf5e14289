"""Indexes the sales lists, board, reports and the stuck-deal check read by."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T19:27:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes for opportunity lists, history and reports"

forwards = ddl_forwards(
    ID,
    "sales",
    DESCRIPTION,
    (
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
    ),
)
