"""A realistic Polish demo company: territories, a sales team, companies and persons (Faker pl_PL).

Rows are written in bulk (one statement per batch), so benchmark-sized data sets load in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from faker import Faker

from core.access import services as access
from core.access.tables import Territory
from core.auth import SYSTEM
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


async def load_demo(runtime: Runtime, companies: int, progress: Callable[[int], None] | None = None) -> str:
    """Create the demo organisation and ``companies`` companies with about three persons each,
    all in one transaction: a failed load leaves an empty database, not half a demo."""
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
    admin_id = await access.create_user(
        runtime, SYSTEM, email="admin@demo.kartoteka.pl", display_name="Administrator", roles=["administrator"]
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

    made = 0
    while made < companies:
        count = min(BATCH, companies - made)
        await _company_batch(fake, rng, count, owners, tag_ids)
        made += count
        if progress:
            progress(count)
    return f"Demo organisation loaded: {companies} companies. Administrator token (shown once): {token}"


async def _company_batch(
    fake: Faker, rng: random.Random, count: int, owners: list[tuple[int, int]], tag_ids: list[int]
) -> None:
    now = datetime.now(UTC)
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
                )
            )
            links.append(company["id"])
    person_rows = await Person.insert(*persons).returning(Person.id)
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


async def _insert(table: Any, rows: list[Any]) -> None:
    for start in range(0, len(rows), BATCH):
        if rows[start : start + BATCH]:
            await table.insert(*rows[start : start + BATCH])


def _phone(fake: Faker) -> str:
    return phone_search_key(fake.phone_number()) or "+48500000000"


def _slug(text: str) -> str:
    return text.lower().replace("ó", "o").replace("ł", "l").replace(" ", "-")
