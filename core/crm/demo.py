"""A realistic Polish demo company: territories, a sales team, companies and persons (Faker pl_PL),
custom fields with their values, and about ten timeline entries per company.

Rows are written in bulk (one statement per batch), so benchmark-sized data sets load in minutes.
Bulk rows skip the services' per-record side effects: no events, no outbox, no audit entries.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from faker import Faker

from core.access import services as access
from core.access.tables import Territory
from core.auth import SYSTEM
from core.crm import custom_fields
from core.crm.collation import person_sort_key, sort_key
from core.crm.search import fold
from core.crm.tables import (
    Address,
    Company,
    CompanyTag,
    ContactPoint,
    Employment,
    Person,
    PersonTag,
    SearchDocument,
    Tag,
    TimelineEntry,
)
from core.validation import phone_search_key

if TYPE_CHECKING:
    from core.runtime import Runtime

VOIVODESHIPS = {
    "dolnoslaskie": "Dolnośląskie",
    "kujawsko-pomorskie": "Kujawsko-pomorskie",
    "lubelskie": "Lubelskie",
    "lubuskie": "Lubuskie",
    "lodzkie": "Łódzkie",
    "malopolskie": "Małopolskie",
    "mazowieckie": "Mazowieckie",
    "opolskie": "Opolskie",
    "podkarpackie": "Podkarpackie",
    "podlaskie": "Podlaskie",
    "pomorskie": "Pomorskie",
    "slaskie": "Śląskie",
    "swietokrzyskie": "Świętokrzyskie",
    "warminsko-mazurskie": "Warmińsko-mazurskie",
    "wielkopolskie": "Wielkopolskie",
    "zachodniopomorskie": "Zachodniopomorskie",
}
TEAMS = {
    "Północ": ("pomorskie", "zachodniopomorskie", "warminsko-mazurskie", "kujawsko-pomorskie", "podlaskie"),
    "Centrum": ("mazowieckie", "lodzkie", "wielkopolskie", "lubuskie", "swietokrzyskie", "lubelskie"),
    "Południe": ("malopolskie", "slaskie", "podkarpackie", "opolskie", "dolnoslaskie"),
}
TAGS = ("VIP", "hurt", "detal", "eksport", "przetarg", "nowy", "serwis", "kluczowy klient", "dystrybutor")
POSITIONS = (
    "Prezes zarządu",
    "Dyrektor handlowy",
    "Kierownik zakupów",
    "Księgowa",
    "Specjalista ds. zakupów",
    "Właściciel",
    "Kierownik działu IT",
    "Office manager",
)
BATCH = 1000
INDUSTRIES = (
    "Budownictwo",
    "Handel hurtowy",
    "Handel detaliczny",
    "Produkcja",
    "IT i telekomunikacja",
    "Transport i logistyka",
    "Usługi finansowe",
    "Rolnictwo",
    "Energetyka",
    "Ochrona zdrowia",
    "Turystyka i gastronomia",
    "Edukacja",
)
CHANNELS = ("telefon", "e-mail", "spotkanie", "SMS", "wideorozmowa")
# (entity, key, label_pl, label_en, kind, options): registered through core.crm.custom_fields.define.
CUSTOM_FIELDS = (
    ("company", "branza", "Branża", "Industry", "choice", {"choices": list(INDUSTRIES)}),
    ("company", "roczny_obrot", "Roczny obrót (PLN)", "Annual turnover (PLN)", "decimal", {"min": 0}),
    ("company", "liczba_pracownikow", "Liczba pracowników", "Number of employees", "number", {"min": 1}),
    ("company", "data_zalozenia", "Data założenia", "Founded on", "date", {}),
    ("person", "ulubiony_kanal", "Ulubiony kanał kontaktu", "Preferred channel", "choice", {"choices": list(CHANNELS)}),
    ("person", "newsletter", "Zapisany na newsletter", "Newsletter subscriber", "bool", {}),
)
# Timeline kinds with their weights; subjects per kind. Author: the company's owner.
ENTRY_KINDS = (
    ("core.call", 35),
    ("core.email", 30),
    ("core.meeting", 14),
    ("core.note", 14),
    ("core.form", 3),
    ("core.web_visit", 3),
    ("core.fax", 1),
)
SUBJECTS = {
    "core.call": (
        "Rozmowa o ofercie",
        "Telefon w sprawie zamówienia",
        "Przypomnienie o płatności",
        "Umówienie spotkania",
        "Pytanie o termin dostawy",
        "Reklamacja dostawy",
    ),
    "core.email": (
        "Oferta handlowa",
        "Potwierdzenie zamówienia",
        "Faktura do zapłaty",
        "Cennik na nowy rok",
        "Odpowiedź na zapytanie ofertowe",
        "Dokumenty do umowy",
    ),
    "core.meeting": (
        "Spotkanie w siedzibie klienta",
        "Prezentacja produktów",
        "Negocjacje warunków umowy",
        "Przegląd współpracy",
        "Szkolenie dla działu zakupów",
    ),
    "core.note": (
        "Klient rozważa zmianę dostawcy",
        "Budżet zatwierdzony na kolejny kwartał",
        "Nowa osoba decyzyjna",
        "Zainteresowanie ofertą serwisową",
        "Do ponowienia kontaktu po urlopie",
    ),
    "core.form": ("Formularz kontaktowy na stronie", "Zapytanie ofertowe przez formularz"),
    "core.web_visit": ("Wizyta na stronie cennika", "Wizyta na stronie produktu"),
    "core.fax": ("Zamówienie faksem",),
}
BODIES = (
    "",
    "Klient prosi o kontakt w przyszłym tygodniu.",
    "Ustalono kolejne kroki; oferta do wysłania do piątku.",
    "Omówiono warunki płatności i rabat za większe zamówienie.",
    "Brak decyzji — klient czeka na zatwierdzenie budżetu.",
    "Przekazano materiały informacyjne i cennik.",
)
ADMIN_EMAIL = "admin@demo.kartoteka.pl"
HISTORY_DAYS = 3 * 365
CENTS = Decimal("0.01")


async def load_demo(runtime: Runtime, companies: int, progress: Callable[[int], None] | None = None) -> str:
    """Create the demo organisation and ``companies`` companies with about three persons and ten
    timeline entries each, all in one transaction: a failed load leaves an empty database, not
    half a demo. ``progress`` hears the number of companies of each finished batch."""
    async with runtime.unit_of_work(SYSTEM):
        return await _load(runtime, companies, progress)


async def _load(runtime: Runtime, companies: int, progress: Callable[[int], None] | None) -> str:
    fake = Faker("pl_PL")
    Faker.seed(2026)
    rng = random.Random(2026)
    await access.create_territory(runtime, SYSTEM, "pl", "Polska")
    for code, name in VOIVODESHIPS.items():
        await access.create_territory(runtime, SYSTEM, code, name, parent="pl")
    territory_ids = {row["code"]: row["id"] for row in await Territory.select(Territory.id, Territory.code)}
    # Random, not a known demo password: an embedded install listening beyond this computer
    # must not open to anyone who read the README.
    password = secrets.token_urlsafe(12)
    admin_id = await access.create_user(
        runtime,
        SYSTEM,
        email=ADMIN_EMAIL,
        display_name="Administrator",
        roles=["administrator"],
        password=password,
    )
    owners: list[tuple[int, int]] = []  # (user id, territory id)
    for team, regions in TEAMS.items():
        await access.create_team(runtime, SYSTEM, team)
        await access.create_user(
            runtime,
            SYSTEM,
            email=f"kierownik.{_slug(team)}@demo.kartoteka.pl",
            display_name=fake.name(),
            roles=["sales_manager"],
            team=team,
        )
        for region in regions:
            user_id = await access.create_user(
                runtime,
                SYSTEM,
                email=f"handlowiec.{region}@demo.kartoteka.pl",
                display_name=fake.name(),
                roles=["sales_rep"],
                team=team,
                territories=[region],
            )
            owners.append((user_id, territory_ids[region]))
    _, token = await access.create_token(runtime, SYSTEM, user_id=admin_id, name="demo")
    tag_ids = [row["id"] for row in await Tag.insert(*(Tag(name=name) for name in TAGS)).returning(Tag.id)]
    for entity, key, label_pl, label_en, kind, options in CUSTOM_FIELDS:
        await custom_fields.define(
            runtime, SYSTEM, entity=entity, key=key, label_pl=label_pl, label_en=label_en, kind=kind, options=options
        )

    made = 0
    now = datetime.now(UTC)
    while made < companies:
        count = min(BATCH, companies - made)
        await _company_batch(fake, rng, count, owners, tag_ids, now)
        made += count
        if progress:
            progress(count)
    # The token last: scripts take the message's last word.
    return (
        f"Demo organisation loaded: {companies} companies. Sign in to the admin UI at"
        f" {runtime.settings.issuer}/admin as {ADMIN_EMAIL} with the password (shown once): {password}\n"
        f"Administrator token (shown once): {token}"
    )


async def _company_batch(
    fake: Faker, rng: random.Random, count: int, owners: list[tuple[int, int]], tag_ids: list[int], now: datetime
) -> None:
    rows = []
    for _ in range(count):
        owner, territory = rng.choice(owners)
        name = fake.company()
        rows.append(
            Company(
                name=name,
                sort_name=sort_key(name),
                kind=rng.choice(("b2b", "b2b", "b2b", "partner", "supplier")),
                lifecycle=rng.choice(("lead", "qualified", "customer", "customer", "former")),
                classification=rng.choice(("A", "B", "C", "")),
                nip=fake.company_vat(),
                regon=fake.regon(),
                website=f"https://{fake.domain_name()}",
                owner=owner,
                territory=territory,
                custom=_company_custom(rng, now),
                created_at=now - timedelta(days=rng.randint(0, 2000)),
            )
        )
    companies = await Company.insert(*rows).returning(Company.id, Company.owner, Company.territory)
    company_points = [
        (
            ContactPoint(company=c["id"], kind="phone", value=_phone(fake), label="centrala", is_primary=True),
            ContactPoint(company=c["id"], kind="email", value=fake.company_email(), label="biuro", is_primary=True),
        )
        for c in companies
    ]
    await _insert(ContactPoint, [point for pair in company_points for point in pair])
    # Search documents are written here in bulk; the services write them one record at a time.
    await _insert(
        SearchDocument,
        [
            SearchDocument(
                entity="company",
                entity_id=c["id"],
                document=fold(
                    f"{row.name} {row.nip} {row.regon} {row.website} {phone.value} {phone.value[3:]} {email.value}"
                ),
            )
            for c, row, (phone, email) in zip(companies, rows, company_points, strict=True)
        ],
    )
    await _insert(
        Address,
        [
            Address(company=c["id"], street=fake.street_address(), postal_code=fake.postcode(), city=fake.city())
            for c in companies
        ],
    )
    await _insert(
        CompanyTag,
        [CompanyTag(company=c["id"], tag=tag) for c in companies for tag in rng.sample(tag_ids, rng.randint(0, 3))],
    )
    persons, links = [], []
    for company in companies:
        for _ in range(rng.randint(1, 5)):
            first_name, last_name = fake.first_name(), fake.last_name()
            persons.append(
                Person(
                    first_name=first_name,
                    last_name=last_name,
                    sort_name=person_sort_key(last_name, first_name),
                    lifecycle="customer",
                    owner=company["owner"],
                    territory=company["territory"],
                    birthday=fake.date_of_birth(minimum_age=22, maximum_age=70),
                    custom=_person_custom(rng),
                )
            )
            links.append(company["id"])
    # In slices: a batch of companies has up to five persons each, and PostgreSQL takes at most
    # 32,767 parameters per statement.
    person_rows = [
        row
        for start in range(0, len(persons), BATCH)
        for row in await Person.insert(*persons[start : start + BATCH]).returning(Person.id)
    ]
    names = {c["id"]: row.name for c, row in zip(companies, rows, strict=True)}
    await _insert(
        Employment,
        [
            Employment(company=company_id, person=p["id"], position=rng.choice(POSITIONS))
            for company_id, p in zip(links, person_rows, strict=True)
        ],
    )
    person_points = [
        (
            ContactPoint(person=p["id"], kind="phone", value=_phone(fake), is_primary=True),
            ContactPoint(person=p["id"], kind="email", value=fake.email(), is_primary=True),
        )
        for p in person_rows
    ]
    await _insert(ContactPoint, [point for pair in person_points for point in pair])
    await _insert(
        SearchDocument,
        [
            SearchDocument(
                entity="person",
                entity_id=p["id"],
                document=fold(
                    f"{person.first_name} {person.last_name} {names[company_id]} "
                    f"{phone.value} {phone.value[3:]} {email.value}"
                ),
            )
            for p, person, company_id, (phone, email) in zip(person_rows, persons, links, person_points, strict=True)
        ],
    )
    await _insert(
        PersonTag, [PersonTag(person=p["id"], tag=rng.choice(tag_ids)) for p in person_rows if rng.random() < 0.2]
    )
    staff = {company_id: [] for company_id in names}
    for company_id, p in zip(links, person_rows, strict=True):
        staff[company_id].append(p["id"])
    await _insert(TimelineEntry, [entry for c in companies for entry in _timeline(rng, c, staff[c["id"]], now)])


def _company_custom(rng: random.Random, now: datetime) -> dict[str, Any]:
    """Values as ``custom_fields`` stores them: a choice as text, a decimal as exact text, a
    number as a JSON number, a date as ISO text. Not every company has every field."""
    values: dict[str, Any] = {}
    if rng.random() < 0.9:
        values["branza"] = rng.choice(INDUSTRIES)
    employees = max(1, int(rng.lognormvariate(2.8, 1.3)))
    if rng.random() < 0.8:
        values["liczba_pracownikow"] = float(employees)
    if rng.random() < 0.7:
        turnover = Decimal(employees * rng.randint(120_000, 600_000)) + Decimal(rng.randint(0, 99)) / 100
        values["roczny_obrot"] = str(turnover.quantize(CENTS))
    if rng.random() < 0.5:
        values["data_zalozenia"] = (now - timedelta(days=rng.randint(365, 35 * 365))).date().isoformat()
    return values


def _person_custom(rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if rng.random() < 0.75:
        values["ulubiony_kanal"] = rng.choices(CHANNELS, weights=(40, 35, 15, 5, 5))[0]
    if rng.random() < 0.6:
        values["newsletter"] = rng.random() < 0.4
    return values


_KINDS = [kind for kind, _weight in ENTRY_KINDS]
_WEIGHTS = [weight for _kind, weight in ENTRY_KINDS]


def _timeline(rng: random.Random, company: dict[str, Any], persons: list[int], now: datetime) -> list[TimelineEntry]:
    """5-15 entries (10 on average) over the last three years: about a third on the company
    alone, the rest with one of its persons (a few on the person alone)."""
    entries = []
    for kind in rng.choices(_KINDS, weights=_WEIGHTS, k=rng.randint(5, 15)):
        roll = rng.random()
        person = rng.choice(persons) if roll < 0.7 else None
        company_id = None if roll < 0.07 else company["id"]
        duration, cost = 0, Decimal("0")
        if kind == "core.call":
            duration = rng.randint(1, 45)
        elif kind == "core.meeting":
            duration = rng.choice((30, 45, 60, 90, 120, 180))
            if rng.random() < 0.5:
                cost = (Decimal(rng.randint(20, 800)) + Decimal(rng.choice((0, 50))) / 100).quantize(CENTS)  # travel
        occurred_at = now - timedelta(seconds=rng.randint(0, HISTORY_DAYS * 86_400))
        entries.append(
            TimelineEntry(
                kind=kind,
                company=company_id,
                person=person,
                subject=rng.choice(SUBJECTS[kind]),
                body=rng.choice(BODIES),
                occurred_at=occurred_at,
                duration_minutes=duration,
                cost=cost,
                author=company["owner"],
                created_at=occurred_at,
            )
        )
    return entries


async def _insert(table: Any, rows: list[Any]) -> None:
    for start in range(0, len(rows), BATCH):
        if rows[start : start + BATCH]:
            await table.insert(*rows[start : start + BATCH])


def _phone(fake: Faker) -> str:
    return phone_search_key(fake.phone_number()) or "+48500000000"


def _slug(text: str) -> str:
    return text.lower().replace("ó", "o").replace("ł", "l").replace(" ", "-")
