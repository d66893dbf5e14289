"""The inbox is read per recipient, newest first, and its unread count is shown on every page."""

from core.db.ddl import ddl_forwards

ID = "2026-12-03T18:28:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "Notification indexes: a user's inbox and their unread notifications"

forwards = ddl_forwards(
    ID,
    "core",
    DESCRIPTION,
    (
        "CREATE INDEX core_notification_inbox ON core_notification (recipient, id)",
        "CREATE INDEX core_notification_unread ON core_notification (recipient, id) WHERE read_at IS NULL",
        # Existing recurring tasks: the series starts at the open occurrence (its start is unknown).
        "UPDATE core_task SET series_start = due_at WHERE recurrence <> '' AND series_start IS NULL",
    ),
)
