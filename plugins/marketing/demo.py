"""Demonstration data: consents for part of the demo client file, a segment, a draft campaign and
a birthday greeting; and :func:`generate_audience`, the large audiences of tests and benchmarks."""

from __future__ import annotations

from typing import Any

from core.api import SYSTEM, Consent, ContactPoint, Person, PluginRuntime
from plugins.marketing.services import campaigns, occasions, segments
from plugins.marketing.services.campaigns import MessageTemplate

CHUNK = 1_000
MESSAGE = MessageTemplate(
    subject="{{ recipient.first_name }}, nowości dla {{ recipient.company.name or 'Państwa' }}",
    text="Dzień dobry {{ recipient.first_name }},\n\nprzygotowaliśmy jesienną ofertę.\n\n"
    "Pozdrawiamy\n{{ recipient.owner.name }}\n\nRezygnacja: {{ unsubscribe_url }}",
    html="<p>Dzień dobry {{ recipient.first_name }},</p>"
    '<p>przygotowaliśmy <a href="https://example.com/oferta">jesienną ofertę</a>.</p>',
)


async def generate_audience(count: int, domain: str = "example.pl", progress: Any = None) -> list[int]:
    """``count`` persons with an address and consent to marketing mail, inserted in bulk."""
    made: list[int] = []
    for start in range(0, count, CHUNK):
        numbers = range(start, min(start + CHUNK, count))
        rows = await Person.insert(
            *[Person(first_name=f"Osoba{n}", last_name="Testowa", sort_name=f"testowa osoba{n}") for n in numbers]
        ).returning(Person.id)
        ids = [row["id"] for row in rows]
        await ContactPoint.insert(
            *[
                ContactPoint(person=i, kind="email", value=f"osoba{n}@{domain}")
                for i, n in zip(ids, numbers, strict=True)
            ]
        )
        await Consent.insert(*[Consent(person=i, purpose="marketing", channel="email", source="demo") for i in ids])
        made += ids
        if progress:
            progress(len(ids))
    return made


async def load_demo(runtime: PluginRuntime) -> str:
    persons = await Person.select(Person.id).where(Person.deleted_at.is_null()).order_by(Person.id)
    consenting = [row["id"] for row in persons[::2]]  # half of the client file agreed to newsletters
    for start in range(0, len(consenting), CHUNK):
        await Consent.insert(
            *[
                Consent(person=i, purpose="marketing", channel="email", source="demo: web form")
                for i in consenting[start : start + CHUNK]
            ]
        )
    segment = await segments.create_segment(
        runtime,
        SYSTEM,
        name="Klienci z prawem do newslettera",
        description="Customers who agreed to marketing e-mail.",
        criteria={"all": [{"field": "company.lifecycle", "value": "customer"}, {"consent": "marketing"}]},
    )
    await campaigns.create_campaign(runtime, SYSTEM, name="Jesienna oferta", segment_id=segment, message=MESSAGE)
    await occasions.create_occasion(
        runtime,
        SYSTEM,
        name="Urodziny",
        kind="birthday",
        holiday="",
        segment_id=None,
        message=MessageTemplate("Wszystkiego najlepszego, {{ recipient.first_name }}!", "Sto lat!"),
    )
    return f"marketing: consents for {len(consenting)} persons, 1 segment, 1 draft campaign, 1 birthday greeting"
