"""A key is unique per entity."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Custom field key per entity"


forwards = ddl_forwards(ID, "core", DESCRIPTION, ["CREATE UNIQUE INDEX core_custom_field_key ON core_custom_field (entity, key)"])
