"""One row per user and role, and per user and territory."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T14:34:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique role and territory assignments"

STATEMENTS = (
    'CREATE UNIQUE INDEX core_user_role_pair ON core_user_role ("user", "role")',
    'CREATE UNIQUE INDEX core_user_territory_pair ON core_user_territory ("user", "territory")',
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, STATEMENTS)
