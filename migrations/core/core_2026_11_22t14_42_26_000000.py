"""Indexes for the client file: unique links, live-record listing, foreign keys used by scoping."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T14:42:26:000000"
VERSION = "1.38.0"
DESCRIPTION = "Client file indexes"

STATEMENTS = (
    'CREATE UNIQUE INDEX core_company_tag_pair ON core_company_tag ("company", "tag")',
    'CREATE UNIQUE INDEX core_person_tag_pair ON core_person_tag ("person", "tag")',
    'CREATE UNIQUE INDEX core_employment_pair ON core_employment ("company", "person")',
    'CREATE INDEX core_employment_person ON core_employment ("person")',
    'CREATE INDEX core_person_tag_tag ON core_person_tag ("tag")',
    'CREATE INDEX core_company_tag_tag ON core_company_tag ("tag")',
    'CREATE INDEX core_contact_point_company ON core_contact_point ("company")',
    'CREATE INDEX core_contact_point_person ON core_contact_point ("person")',
    'CREATE INDEX core_address_company ON core_address ("company")',
    'CREATE INDEX core_address_person ON core_address ("person")',
    # Lists show live records by name; the id breaks ties so pages are stable.
    "CREATE INDEX core_company_live_name ON core_company (name, id) WHERE deleted_at IS NULL",
    "CREATE INDEX core_person_live_name ON core_person (last_name, first_name, id) WHERE deleted_at IS NULL",
    'CREATE INDEX core_company_owner ON core_company ("owner")',
    'CREATE INDEX core_company_territory ON core_company ("territory")',
    'CREATE INDEX core_person_owner ON core_person ("owner")',
    'CREATE INDEX core_person_territory ON core_person ("territory")',
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, STATEMENTS)
