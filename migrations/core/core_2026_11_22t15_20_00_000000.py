"""Calendars read tasks per assignee and time; the reminder job reads due reminders."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Task indexes"

STATEMENTS = (
    'CREATE INDEX core_task_assignee_due ON core_task ("assignee", due_at, id)',
    "CREATE INDEX core_task_reminders ON core_task (remind_at) WHERE reminded_at IS NULL AND status = 'open'",
    'CREATE INDEX core_task_company ON core_task ("company")',
    'CREATE INDEX core_task_person ON core_task ("person")',
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, STATEMENTS)
