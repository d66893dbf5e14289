"""Indexes Piccolo cannot declare: a unique pair and partial indexes (both engines accept them)."""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T14:12:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "Delivery uniqueness and relay/sweeper indexes"

STATEMENTS = (
    # One delivery per outbox message and target: the relay can never fan out twice.
    "CREATE UNIQUE INDEX core_delivery_outbox_target ON core_delivery (outbox_id, target)",
    "CREATE INDEX core_outbox_undispatched ON core_outbox (id) WHERE dispatched_at IS NULL",
    "CREATE INDEX core_delivery_pending ON core_delivery (enqueued_at) WHERE status = 'pending'",
    "CREATE INDEX core_delivery_dead ON core_delivery (id) WHERE status = 'dead'",
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, STATEMENTS)
