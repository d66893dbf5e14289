"""A person is in a campaign once and greeted once per occurrence of an occasion, even when two
workers race; batches find the next pending recipients of a campaign by an index."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T22:36:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "One recipient per campaign and person; one greeting per occasion, person and day"

forwards = ddl_forwards(
    ID,
    "marketing",
    DESCRIPTION,
    (
        "CREATE UNIQUE INDEX marketing_recipient_once ON marketing_recipient (campaign, person)",
        "CREATE INDEX marketing_recipient_next ON marketing_recipient (campaign, status, id)",
        "CREATE INDEX marketing_recipient_person ON marketing_recipient (person, status)",
        "CREATE UNIQUE INDEX marketing_occasion_once ON marketing_occasion_send (occasion, person, occurs_on)",
    ),
)
