"""Business rules about failed deliveries (the dead-letter list). No GraphQL here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.auth import Actor
from core.db.tables import Delivery, OutboxMessage
from core.errors import DomainError
from core.i18n import _
from core.jobs.relay import send_all, utcnow

if TYPE_CHECKING:
    from core.runtime import Runtime

READ = "core.jobs.read"
MANAGE = "core.jobs.manage"

DEAD_LETTER_COLUMNS = (
    Delivery.id,
    Delivery.target,
    Delivery.attempts,
    Delivery.last_error,
    Delivery.finished_at,
    Delivery.outbox_id,
)


def dead_letters_query(target: str | None = None) -> Any:
    query = Delivery.select(*DEAD_LETTER_COLUMNS).where(Delivery.status == "dead")
    if target:
        query = query.where(Delivery.target == target)
    return query


async def outbox_messages(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = await OutboxMessage.select().where(OutboxMessage.id.is_in(ids)).output(load_json=True) if ids else []
    return {row["id"]: row for row in rows}


async def retry_dead_letter(runtime: Runtime, actor: Actor, delivery_id: int) -> None:
    """Put a dead delivery back in the queue with a fresh retry budget."""
    if not actor.can(MANAGE):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=MANAGE)
    async with runtime.unit_of_work(actor):
        row = await Delivery.select(Delivery.status, Delivery.target).where(Delivery.id == delivery_id).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such dead letter."), ["id"])
        if row["status"] != "dead":
            raise DomainError("NOT_DEAD", _("This delivery has not failed; only dead letters can be retried."), ["id"])
        if row["target"] not in runtime.dispatcher.targets:
            raise DomainError(
                "TARGET_DISABLED", _("{target} belongs to a plugin that is not enabled."), ["id"], target=row["target"]
            )
        await Delivery.update(
            {
                Delivery.status: "pending",
                Delivery.attempts: 0,
                Delivery.finished_at: None,
                Delivery.enqueued_at: utcnow(),
            }
        ).where(Delivery.id == delivery_id)
    await send_all(runtime, [(delivery_id, row["target"])])  # the sweeper resends if the broker is down
