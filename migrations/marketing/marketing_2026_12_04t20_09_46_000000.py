"""What Piccolo cannot declare, for the marketing tables: composite and partial indexes.

Self-contained on purpose: a migration imports nothing from the application (only Piccolo), so
that later changes to the code cannot change what it does.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T20:09:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "Marketing indexes (squashed history)"
# The hand-written migrations of the squashed history.
REPLACES = (
    "2026-11-22T22:36:18:000000",
    "2026-11-22T22:40:35:000000",
)

STATEMENTS = (
    # A person is in a campaign once and greeted once per occurrence of an occasion, even when two
    # workers race; batches find the next pending recipients of a campaign by an index.
    "CREATE UNIQUE INDEX marketing_recipient_once ON marketing_recipient (campaign, person)",
    "CREATE INDEX marketing_recipient_next ON marketing_recipient (campaign, status, id)",
    "CREATE INDEX marketing_recipient_person ON marketing_recipient (person, status)",
    "CREATE UNIQUE INDEX marketing_occasion_once ON marketing_occasion_send (occasion, person, occurs_on)",
    # A pair of records waits in the merge queue once; a person has one open visit per site; a
    # lead is routed once; the throttle counts a window of attempts by an index.
    "CREATE UNIQUE INDEX marketing_merge_candidate_once ON marketing_merge_candidate (kind, new_id, existing_id)"
    " WHERE status = 'open'",
    "CREATE UNIQUE INDEX marketing_web_visit_open ON marketing_web_visit (site, person) WHERE closed_at IS NULL",
    "CREATE UNIQUE INDEX marketing_lead_person_once ON marketing_lead_assignment (person) WHERE person IS NOT NULL",
    "CREATE UNIQUE INDEX marketing_lead_company_once ON marketing_lead_assignment (company)"
    " WHERE company IS NOT NULL AND person IS NULL",
    "CREATE INDEX marketing_form_attempt_window ON marketing_form_attempt (address, attempted_at)",
    "CREATE INDEX marketing_form_submission_status ON marketing_form_submission (status, id)",
    "CREATE INDEX marketing_routing_rule_order ON marketing_routing_rule (position, id)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="marketing", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
