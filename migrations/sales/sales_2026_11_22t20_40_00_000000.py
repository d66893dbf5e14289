"""Territory-scoped lists and reports (a rep sees their territories' deals) read by an index."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index opportunities by territory"

forwards = ddl_forwards(
    ID,
    "sales",
    DESCRIPTION,
    ("CREATE INDEX sales_opportunity_territory ON sales_opportunity (territory, status) WHERE deleted_at IS NULL",),
)
