"""Finding companies and persons by any part of a name, NIP, REGON, e-mail or phone.

Each record has one search document, rewritten by a synchronous subscriber whenever the record
changes, so the index is always in step with the data. Words are matched as substrings through
trigram indexes (pg_trgm / SQLite FTS5 trigram), after folding case and Polish diacritics, so
``lodz`` finds ``Łódź``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import WhereRaw

from core.crm.events import (
    CompanyCreated,
    CompanyDeleted,
    CompanyMerged,
    CompanyUpdated,
    PersonCreated,
    PersonDeleted,
    PersonMerged,
    PersonUpdated,
)
from core.crm.scoping import visible
from core.crm.tables import Company, ContactPoint, Employment, Person, SearchDocument
from core.events.base import Event
from core.jobs.context import JobContext
from core.plugins.specs import Subscriber

if TYPE_CHECKING:
    from core.auth import Actor

MIN_TRIGRAM = 3
MAX_TERMS = 8
_SPECIAL = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ASCII: diacritics dropped (``Łódź`` → ``lodz``)."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


async def _document(entity: str, record_id: int) -> str | None:
    table = Company if entity == "company" else Person
    row = await table.select().where(table.id == record_id).first()
    if row is None or row["deleted_at"] is not None:
        return None
    parts: list[str] = []
    if entity == "company":
        parts += [row["name"], row["nip"] or "", row["regon"] or "", row["website"]]
    else:
        parts += [row["first_name"], row["last_name"]]
        employers = await Employment.select(Employment.company.name).where(Employment.person == record_id)
        parts += [e["company.name"] for e in employers]
    column = getattr(ContactPoint, entity)
    for point in await ContactPoint.select(ContactPoint.kind, ContactPoint.value).where(column == record_id):
        parts.append(point["value"])
        if point["kind"] == "phone" and point["value"].startswith("+48"):
            parts.append(point["value"][3:])  # people type Polish numbers without the country code
    return fold(" ".join(part for part in parts if part))


async def reindex(entity: str, record_id: int) -> None:
    document = await _document(entity, record_id)
    await SearchDocument.delete().where((SearchDocument.entity == entity) & (SearchDocument.entity_id == record_id))
    if document is not None:
        await SearchDocument.insert(SearchDocument(entity=entity, entity_id=record_id, document=document))


async def reindex_all(entity: str) -> int:
    table = Company if entity == "company" else Person
    ids = [row["id"] for row in await table.select(table.id).where(table.deleted_at.is_null())]
    for record_id in ids:
        await reindex(entity, record_id)
    return len(ids)


_EVENTS: dict[type[Event], str] = {
    CompanyCreated: "company",
    CompanyUpdated: "company",
    CompanyDeleted: "company",
    CompanyMerged: "company",
    PersonCreated: "person",
    PersonUpdated: "person",
    PersonDeleted: "person",
    PersonMerged: "person",
}


async def on_change(event: Event, context: JobContext) -> None:
    entity = _EVENTS.get(type(event))
    if entity is None:
        return
    subject = event.subject()
    if subject is not None:
        await reindex(entity, subject[1])
    loser = getattr(event, "loser_id", None)
    if loser is not None:
        await reindex(entity, loser)
    if entity == "company" and subject is not None:
        # Persons are also found by their employer's name.
        for row in await Employment.select(Employment.person).where(Employment.company == subject[1]):
            await reindex("person", row["person"])


SUBSCRIBER = Subscriber(name="core.search_index", event="*", handler=on_change, mode="sync")


def matching_ids(entity: str, words: list[str], *, sqlite: bool) -> Any:
    """A sub-select of the ids of ``entity`` whose document holds every word."""
    query = SearchDocument.select(SearchDocument.entity_id)
    if sqlite and any(len(word) >= MIN_TRIGRAM for word in words):
        # The unary + keeps SQLite from scanning every document of the entity by its index and
        # checking each against the full-text matches; it starts from the matches (60x faster).
        query = query.where(WhereRaw('+"core_search"."entity" = {}', entity))
    else:
        query = query.where(SearchDocument.entity == entity)
    for word in words:
        pattern = f"%{word}%"  # words hold only letters and digits: nothing to escape
        if sqlite and len(word) >= MIN_TRIGRAM:
            fts = SearchDocument.raw("SELECT rowid FROM core_search_fts WHERE document LIKE {}", pattern)
            query = query.where(SearchDocument.id.is_in(fts.querystrings[0]))
        else:
            query = query.where(SearchDocument.document.ilike(pattern))
    return query


async def search(actor: Actor, query: str, limit: int, *, sqlite: bool) -> tuple[list[dict], list[dict]]:
    words = terms(query)
    if not words:
        return [], []
    found = []
    for table, entity, permission, order in (
        (Company, "company", "core.company.read", [Company.sort_name, Company.id]),
        (Person, "person", "core.person.read", [Person.sort_name, Person.id]),
    ):
        if actor.scope_for(permission) is None:
            found.append([])
            continue
        ids = matching_ids(entity, words, sqlite=sqlite)
        rows = await (
            table.select()
            .where(table.id.is_in(ids) & visible(table, actor, permission))
            .order_by(*order)
            .limit(limit)
            .output(load_json=True)
        )
        found.append(rows)
    return found[0], found[1]
