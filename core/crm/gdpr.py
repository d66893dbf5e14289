"""GDPR (RODO): consent records, a person's data export, and erasure by anonymisation.

Each plugin adds its own data to an export (``kartoteka_person_export``) and erases or keeps
its own data on erasure (``kartoteka_person_erase``) — an invoice must be kept for years, so the
offers plugin keeps it while everything else about the person goes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.access.tables import Notification
from core.crm.collation import person_sort_key
from core.crm.events import ConsentGiven, ConsentWithdrawn, PersonErased
from core.crm.scoping import visible
from core.crm.services import _locked_visible
from core.crm.tables import Address, Consent, ContactPoint, Employment, Person, PersonTag, SearchDocument, TimelineEntry
from core.db.values import plain
from core.errors import DomainError
from core.i18n import _

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime

CONSENT_MANAGE = "core.consent.manage"
EXPORT = "core.person.export"
ERASE = "core.person.erase"
CHANNELS = ("email", "phone", "sms", "post", "any")
ERASED_NAME = "—"


def _require(actor: Actor, code: str) -> None:
    if not actor.can(code):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=code)


def _check(purpose: str, channel: str) -> tuple[str, str]:
    purpose = purpose.strip().lower()
    if not purpose or len(purpose) > 100:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "purpose"])
    if channel not in CHANNELS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "channel"], allowed=", ".join(CHANNELS)
        )
    return purpose, channel


async def give_consent(runtime: Runtime, actor: Actor, person_id: int, purpose: str, channel: str, source: str) -> int:
    _require(actor, CONSENT_MANAGE)
    purpose, channel = _check(purpose, channel)
    async with runtime.unit_of_work(actor) as uow:
        await _locked_visible(runtime, Person, person_id, actor, "core.person.read")
        [row] = await Consent.insert(
            Consent(
                person=person_id, purpose=purpose, channel=channel, source=source.strip()[:100], recorded_by=actor.id
            )
        ).returning(Consent.id)
        await uow.publish(ConsentGiven(person_id=person_id, purpose=purpose, channel=channel))
    return row["id"]


async def withdraw_consent(runtime: Runtime, actor: Actor, person_id: int, purpose: str, channel: str) -> int:
    """Withdraw every active consent for the purpose over the channel (``any`` covers all)."""
    _require(actor, CONSENT_MANAGE)
    purpose, channel = _check(purpose, channel)
    async with runtime.unit_of_work(actor) as uow:
        await _locked_visible(runtime, Person, person_id, actor, "core.person.read")
        active = (Consent.person == person_id) & (Consent.purpose == purpose) & Consent.withdrawn_at.is_null()
        if channel != "any":
            active = active & Consent.channel.is_in([channel, "any"])
        withdrawn = await Consent.update({Consent.withdrawn_at: datetime.now(UTC)}).where(active).returning(Consent.id)
        await uow.publish(ConsentWithdrawn(person_id=person_id, purpose=purpose, channel=channel))
    return len(withdrawn)


async def has_consent(person_id: int, purpose: str, channel: str) -> bool:
    """Checked at the moment of sending, never only when planning."""
    return await Consent.exists().where(
        (Consent.person == person_id)
        & (Consent.purpose == purpose)
        & Consent.channel.is_in([channel, "any"])
        & Consent.withdrawn_at.is_null()
    )


async def export_person(runtime: Runtime, actor: Actor, person_id: int) -> dict[str, Any]:
    """Everything Kartoteka holds about a person, as JSON, with each plugin's part under its name."""
    _require(actor, EXPORT)
    person = (
        await Person.select()
        .where((Person.id == person_id) & visible(Person, actor, "core.person.read"))
        .output(load_json=True)
        .first()
    )
    if person is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["id"])
    core = {
        "person": person,
        "contact_points": await ContactPoint.select().where(ContactPoint.person == person_id),
        "addresses": await Address.select().where(Address.person == person_id),
        "employments": await Employment.select(Employment.company.name, Employment.position).where(
            Employment.person == person_id
        ),
        "tags": [
            r["tag.name"] for r in await PersonTag.select(PersonTag.tag.name).where(PersonTag.person == person_id)
        ],
        "consents": await Consent.select().where(Consent.person == person_id),
        "timeline": await TimelineEntry.select().where(TimelineEntry.person == person_id).output(load_json=True),
    }
    exported: dict[str, Any] = {"generated_at": datetime.now(UTC), "core": core}
    for plugin_name, part in await runtime.call_each("kartoteka_person_export", runtime=runtime, person_id=person_id):
        if part is not None:
            exported[plugin_name] = part
    return plain(exported)


async def erase_person(runtime: Runtime, actor: Actor, person_id: int) -> None:
    """Anonymise the person everywhere; what the law makes us keep, plugins keep (see module doc)."""
    _require(actor, ERASE)
    async with runtime.unit_of_work(actor) as uow:
        await _locked_visible(runtime, Person, person_id, actor, "core.person.read")
        await Person.update(
            {
                Person.first_name: "",
                Person.last_name: ERASED_NAME,
                Person.sort_name: person_sort_key(ERASED_NAME, ""),
                Person.birthday: None,
                Person.custom: {},
                Person.qualification: {},
                Person.deleted_at: datetime.now(UTC),
            }
        ).where(Person.id == person_id)
        for table in (ContactPoint, Address, PersonTag):
            await table.delete().where(table.person == person_id)
        await SearchDocument.delete().where(
            (SearchDocument.entity == "person") & (SearchDocument.entity_id == person_id)
        )
        await TimelineEntry.update({TimelineEntry.subject: "", TimelineEntry.body: "", TimelineEntry.data: {}}).where(
            TimelineEntry.person == person_id
        )
        # Notifications about the person carry their name in the title.
        await Notification.delete().where((Notification.link_type == "Person") & (Notification.link_id == person_id))
        await runtime.call_each("kartoteka_person_erase", runtime=runtime, person_id=person_id, uow=uow)
        await uow.publish(PersonErased(person_id=person_id))
