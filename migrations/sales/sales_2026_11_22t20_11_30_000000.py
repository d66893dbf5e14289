"""Fill the furthest stage reached and the first entry into each stage from the history, and
index the entries (one per opportunity and stage)."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T20:11:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Furthest stage and stage entries from the history"

forwards = ddl_forwards(
    ID,
    "sales",
    DESCRIPTION,
    (
        "UPDATE sales_opportunity SET furthest_position = COALESCE((SELECT MAX(s.position)"
        " FROM sales_stage_change c JOIN sales_stage s ON s.id = c.to_stage"
        " WHERE c.opportunity = sales_opportunity.id), 1)",
        "INSERT INTO sales_stage_entry (opportunity, stage, entered_at)"
        " SELECT opportunity, to_stage, MIN(changed_at) FROM sales_stage_change"
        " WHERE to_stage IS NOT NULL GROUP BY opportunity, to_stage",
        "CREATE UNIQUE INDEX sales_stage_entry_once ON sales_stage_entry (opportunity, stage)",
        "CREATE INDEX sales_stage_entry_stage ON sales_stage_entry (stage)",
    ),
)
