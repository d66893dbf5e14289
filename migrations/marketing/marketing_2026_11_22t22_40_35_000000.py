"""A pair of records waits in the merge queue once; a person has one open visit per site; a lead
is routed once; the throttle counts a window of attempts by an index."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T22:40:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "One open merge candidate per pair, one open visit per person and site, one routing per lead"

forwards = ddl_forwards(
    ID,
    "marketing",
    DESCRIPTION,
    (
        "CREATE UNIQUE INDEX marketing_merge_candidate_once ON marketing_merge_candidate (kind, new_id, existing_id)"
        " WHERE status = 'open'",
        "CREATE UNIQUE INDEX marketing_web_visit_open ON marketing_web_visit (site, person) WHERE closed_at IS NULL",
        "CREATE UNIQUE INDEX marketing_lead_person_once ON marketing_lead_assignment (person) WHERE person IS NOT NULL",
        "CREATE UNIQUE INDEX marketing_lead_company_once ON marketing_lead_assignment (company)"
        " WHERE company IS NOT NULL AND person IS NULL",
        "CREATE INDEX marketing_form_attempt_window ON marketing_form_attempt (address, attempted_at)",
        "CREATE INDEX marketing_form_submission_status ON marketing_form_submission (status, id)",
        "CREATE INDEX marketing_routing_rule_order ON marketing_routing_rule (position, id)",
    ),
)
