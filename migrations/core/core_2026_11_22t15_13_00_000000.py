"""Consents are read per person and purpose."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T15:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Consent index"


forwards = ddl_forwards(ID, "core", DESCRIPTION, ['CREATE INDEX core_consent_person ON core_consent ("person", purpose)'])
