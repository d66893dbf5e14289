"""Merging duplicates: everything of the loser moves to the winner, and the loser's id keeps
resolving to the winner (links in e-mails, bookmarks, partner systems stay valid)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.crm.events import CompanyMerged, PersonMerged
from core.crm.services import COMPANY_WRITE, PERSON_WRITE, _locked_visible
from core.crm.tables import Address, Company, CompanyTag, ContactPoint, Employment, Person, PersonTag, TimelineEntry
from core.errors import DomainError
from core.i18n import _

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime


async def merge(runtime: Runtime, actor: Actor, kind: str, winner_id: int, loser_id: int) -> None:
    if winner_id == loser_id:
        raise DomainError("SAME_RECORD", _("A record cannot be merged with itself."), ["input", "loser"])
    table, permission = (Company, COMPANY_WRITE) if kind == "company" else (Person, PERSON_WRITE)
    async with runtime.unit_of_work(actor) as uow:
        # Both rows are locked in id order, so two merges of the same pair in opposite
        # directions wait for each other instead of deadlocking.
        locked: dict[int, dict[str, Any]] = {}
        for record_id in sorted((winner_id, loser_id)):
            try:
                locked[record_id] = await _locked_visible(runtime, table, record_id, actor, permission)
            except DomainError as error:
                path = ["input", "loser"] if record_id == loser_id else error.field
                raise DomainError(error.code, error.message, path, **error.params) from None
        winner, loser = locked[winner_id], locked[loser_id]
        await _move_contacts(kind, winner_id, loser_id)
        await _move_links(kind, winner_id, loser_id)
        await TimelineEntry.update({getattr(TimelineEntry, kind): winner_id}).where(
            getattr(TimelineEntry, kind) == loser_id
        )
        await Address.update({getattr(Address, kind): winner_id}).where(getattr(Address, kind) == loser_id)
        # The winner's values win; the loser only fills what the winner lacks.
        custom = {**loser["custom"], **winner["custom"]}
        qualification = {**loser["qualification"], **winner["qualification"]}
        await table.update({table.custom: custom, table.qualification: qualification}).where(table.id == winner_id)
        await table.update({table.merged_into: winner_id, table.deleted_at: datetime.now(UTC)}).where(
            (table.id == loser_id) | (table.merged_into == loser_id)
        )
        event = (
            CompanyMerged(company_id=winner_id, loser_id=loser_id)
            if kind == "company"
            else PersonMerged(person_id=winner_id, loser_id=loser_id)
        )
        await uow.publish(event)


async def _move_contacts(kind: str, winner_id: int, loser_id: int) -> None:
    column = getattr(ContactPoint, kind)
    known = {(row["kind"], row["value"]) for row in await ContactPoint.select().where(column == winner_id)}
    for row in await ContactPoint.select().where(column == loser_id):
        if (row["kind"], row["value"]) in known:
            await ContactPoint.delete().where(ContactPoint.id == row["id"])
        else:
            await ContactPoint.update({column: winner_id, ContactPoint.is_primary: False}).where(
                ContactPoint.id == row["id"]
            )


async def _move_links(kind: str, winner_id: int, loser_id: int) -> None:
    tag_link = CompanyTag if kind == "company" else PersonTag
    pairs: list[tuple[Any, str, str]] = [(tag_link, kind, "tag"), (Employment, kind, _other(kind))]
    for link, own, other in pairs:
        own_column, other_column = getattr(link, own), getattr(link, other)
        taken = {row[other] for row in await link.select(other_column).where(own_column == winner_id)}
        for row in await link.select(link.id, other_column).where(own_column == loser_id):
            if row[other] in taken:
                await link.delete().where(link.id == row["id"])
            else:
                await link.update({own_column: winner_id}).where(link.id == row["id"])


def _other(kind: str) -> str:
    return "person" if kind == "company" else "company"


async def resolve_merged(table: Any, ids: list[int]) -> dict[int, int]:
    """Where merged records went: ``{loser id: winner id}`` (losers of losers point at the last winner)."""
    rows = await table.select(table.id, table.merged_into).where(table.id.is_in(ids) & table.merged_into.is_not_null())
    return {row["id"]: row["merged_into"] for row in rows}
