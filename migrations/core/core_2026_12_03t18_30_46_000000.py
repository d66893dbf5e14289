"""The call queue is read per agent, per team and per person (next call, duplicates, merges)."""

from core.db.ddl import ddl_forwards

ID = "2026-12-03T18:30:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "Call queue indexes"


forwards = ddl_forwards(
    ID,
    "core",
    DESCRIPTION,
    [
        'CREATE INDEX core_call_queue_assignee ON core_call_queue_entry (assignee, status, priority, due_at)',
        'CREATE INDEX core_call_queue_team ON core_call_queue_entry (team, status, priority, due_at)',
        'CREATE INDEX core_call_queue_person ON core_call_queue_entry (person, status)',
        'CREATE INDEX core_call_queue_company ON core_call_queue_entry (company)',
    ],
)
