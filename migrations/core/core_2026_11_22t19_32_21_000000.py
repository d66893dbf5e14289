"""What built-in roles hold now counts as synced with their templates, so nothing an administrator
removed comes back; permissions plugins add from now on are granted."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T19:32:21:000000"
VERSION = "1.38.0"
DESCRIPTION = "Built-in roles: current permissions count as granted by their template"

forwards = ddl_forwards(
    ID, "core", DESCRIPTION, ("UPDATE core_role SET template_permissions = permissions WHERE builtin",)
)
