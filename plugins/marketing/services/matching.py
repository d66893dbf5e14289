"""Finding the person and company a web lead already is in the CRM.

An e-mail address or a NIP identifies a record for certain. Names only resemble one another, so
they are compared with rapidfuzz on a plain form (lower case, no diacritics, no legal form such
as "sp. z o.o."), and the result is a score from 0 to 100: from ``CERTAIN`` up the lead is
attached to the record found, from ``DOUBTFUL`` up a person decides (the merge queue), below it
the lead is someone new.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from core.api import Company, ContactPoint, Employment, Person, name_key

CERTAIN = 95
DOUBTFUL = 75
CANDIDATE_LIMIT = 200  # rows compared per look-up: a prefix of the sort name narrows them first
PREFIX = 3

_LEGAL_FORM = re.compile(r"\s(sp z o ?o|sp k|sp j|sp p|s k a|sp|spolka( \w+)*|s a|sa|s c|sc|z o ?o|ltd|gmbh|inc|llc)$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def plain(text: str) -> str:
    """Lower case, Polish letters folded to ASCII, punctuation gone, single spaces."""
    text = text.casefold().replace("ł", "l")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", text).strip()


def company_key(name: str) -> str:
    """A company's name without its legal form: "Huta Szkła S.A." and "HUTA SZKLA" are alike."""
    key = plain(name)
    while True:
        shorter = _LEGAL_FORM.sub("", key).strip()
        if shorter == key:
            return key
        key = shorter


def name_similarity(a: str, b: str) -> int:
    """Word order does not matter ("Kowalski Jan" is "Jan Kowalski")."""
    return round(fuzz.token_sort_ratio(plain(a), plain(b)))


def company_similarity(a: str, b: str) -> int:
    return round(fuzz.token_sort_ratio(company_key(a), company_key(b)))


@dataclass
class Match:
    """The best record found and how sure we are; ``record_id`` None: nothing resembles the lead."""

    record_id: int | None = None
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        return self.record_id is not None and self.score >= CERTAIN

    @property
    def doubtful(self) -> bool:
        return self.record_id is not None and DOUBTFUL <= self.score < CERTAIN

    def as_data(self, how: str) -> dict[str, object]:
        return {"id": self.record_id, "how": how, "score": self.score, "reasons": self.reasons}


def _best(matches: Iterable[Match]) -> Match:
    return max(matches, key=lambda m: (m.score, -(m.record_id or 0)), default=Match())


def _prefix_condition(table: object, text: str) -> object | None:
    """Records whose sort name starts like ``text``. The key's characters are cut at the first one
    LIKE treats specially (SQLite and PostgreSQL escape differently): a shorter prefix only lets
    more rows through to the fuzzy comparison."""
    prefix = name_key(text)[:PREFIX]
    prefix = re.split(r"[\\%_]", prefix, maxsplit=1)[0]
    return table.sort_name.like(f"{prefix}%") if prefix else None  # type: ignore[attr-defined]


async def match_company(name: str, nip: str | None) -> Match:
    alive = Company.deleted_at.is_null()
    if nip:
        found = await Company.select(Company.id).where(alive & (Company.nip == nip)).order_by(Company.id).first()
        if found:
            return Match(found["id"], 100, ["nip"])
    if not company_key(name):
        return Match()
    condition = _prefix_condition(Company, name.strip())
    if condition is None:
        return Match()
    rows = await Company.select(Company.id, Company.name).where(alive & condition).limit(CANDIDATE_LIMIT)
    return _best(
        Match(row["id"], score, [f"company {score}"])
        for row in rows
        if (score := company_similarity(name, row["name"])) >= DOUBTFUL
    )


async def match_person(
    *, email: str, phone: str | None, first_name: str, last_name: str, company_name: str
) -> tuple[Match, str]:
    """The person the lead is, and how it was found (``email``, ``phone``, ``name``)."""
    alive = Person.deleted_at.is_null()
    by_email = (
        await ContactPoint.select(ContactPoint.person)
        .where(
            (ContactPoint.kind == "email")
            & (ContactPoint.value == email)
            & ContactPoint.person.is_not_null()
            & (ContactPoint.person.deleted_at.is_null())
        )
        .order_by(ContactPoint.person)
        .first()
    )
    if by_email:
        return Match(by_email["person"], 100, ["email"]), "email"
    full_name = f"{first_name} {last_name}".strip()
    same_phone: set[int] = set()
    if phone:
        rows = await ContactPoint.select(ContactPoint.person).where(
            (ContactPoint.kind == "phone") & (ContactPoint.value == phone) & ContactPoint.person.is_not_null()
        )
        same_phone = {row["person"] for row in rows}
    condition = _prefix_condition(Person, last_name)
    ids = set(same_phone)
    if condition is not None:
        ids |= {row["id"] for row in await Person.select(Person.id).where(alive & condition).limit(CANDIDATE_LIMIT)}
    if not ids or not full_name:
        return Match(), ""
    people = await Person.select(Person.id, Person.first_name, Person.last_name).where(alive & Person.id.is_in(ids))
    employers: dict[int, list[str]] = {}
    for row in await Employment.select(Employment.person, Employment.company.name).where(
        Employment.person.is_in(list(ids)) & Employment.company.deleted_at.is_null()
    ):
        employers.setdefault(row["person"], []).append(row["company.name"])
    matches = []
    for person in people:
        name_score = name_similarity(full_name, f"{person['first_name']} {person['last_name']}")
        reasons = [f"name {name_score}"]
        known = employers.get(person["id"], [])
        if company_name and known:
            company_score = max(company_similarity(company_name, other) for other in known)
            reasons.append(f"company {company_score}")
            score = 0.6 * name_score + 0.4 * company_score
        else:
            score = 0.8 * name_score  # a name alone is never certain: there are many Jan Kowalskis
        if person["id"] in same_phone:
            reasons.append("phone")
            score = max(score, 0.5 * name_score + 50)
        matches.append(Match(person["id"], round(score), reasons))
    best = _best(matches)
    return (best, "phone" if best.record_id in same_phone else "name") if best.score >= DOUBTFUL else (Match(), "")
