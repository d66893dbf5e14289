"""Events of the client file; updates carry the changed fields as ``{field: [before, after]}``."""

from typing import Any, ClassVar

from core.events.base import Event


class CompanyCreated(Event, frozen=True):
    name: ClassVar[str] = "core.company_created"
    company_id: int


class CompanyUpdated(Event, frozen=True):
    name: ClassVar[str] = "core.company_updated"
    company_id: int
    changes: dict[str, list[Any]]


class CompanyDeleted(Event, frozen=True):
    name: ClassVar[str] = "core.company_deleted"
    company_id: int


class PersonCreated(Event, frozen=True):
    name: ClassVar[str] = "core.person_created"
    person_id: int


class PersonUpdated(Event, frozen=True):
    name: ClassVar[str] = "core.person_updated"
    person_id: int
    changes: dict[str, list[Any]]


class PersonDeleted(Event, frozen=True):
    name: ClassVar[str] = "core.person_deleted"
    person_id: int


EVENT_TYPES = [CompanyCreated, CompanyUpdated, CompanyDeleted, PersonCreated, PersonUpdated, PersonDeleted]


class CompanyMerged(Event, frozen=True):
    """``loser_id`` was merged into ``company_id``; plugins move their references in a sync subscriber."""

    name: ClassVar[str] = "core.company_merged"
    company_id: int
    loser_id: int


class PersonMerged(Event, frozen=True):
    name: ClassVar[str] = "core.person_merged"
    person_id: int
    loser_id: int


EVENT_TYPES += [CompanyMerged, PersonMerged]


class ConsentGiven(Event, frozen=True):
    name: ClassVar[str] = "core.consent_given"
    person_id: int
    purpose: str
    channel: str


class ConsentWithdrawn(Event, frozen=True):
    name: ClassVar[str] = "core.consent_withdrawn"
    person_id: int
    purpose: str
    channel: str


class PersonErased(Event, frozen=True):
    """The person's data was anonymised (GDPR right to erasure); plugins did their part in the hook."""

    name: ClassVar[str] = "core.person_erased"
    person_id: int


EVENT_TYPES += [ConsentGiven, ConsentWithdrawn, PersonErased]
