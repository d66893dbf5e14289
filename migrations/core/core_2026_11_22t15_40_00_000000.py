"""Files are listed per record; a user follows a record once."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T15:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Attachment and follower indexes"

STATEMENTS = (
    'CREATE INDEX core_attachment_company ON core_attachment ("company") WHERE deleted_at IS NULL',
    'CREATE INDEX core_attachment_person ON core_attachment ("person") WHERE deleted_at IS NULL',
    'CREATE UNIQUE INDEX core_follower_company ON core_follower ("user", "company") WHERE "company" IS NOT NULL',
    'CREATE UNIQUE INDEX core_follower_person ON core_follower ("user", "person") WHERE "person" IS NOT NULL',
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, STATEMENTS)
