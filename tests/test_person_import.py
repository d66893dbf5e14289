"""``kartoteka import persons``: Polish and English headers, employment at an existing company by
NIP or exact name, duplicates by e-mail and phone, all or nothing, and the importing user's area."""

import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.tables import ContactPoint, Employment, Person
from core.db.tables import OutboxMessage
from tests.conftest import make_user
from tests.test_cli import kartoteka

PEOPLE = """Imię;Nazwisko;E-mail;Telefon;Stanowisko;Firma;NIP firmy
Anna;Nowak;Anna.Nowak@HUTA.pl;;Prezes zarządu;;526-025-02-74
Jan;Kowalski;;601 234 567;Kierowca;Meble Łódź;
"""
UNKNOWN_COMPANY = PEOPLE + "Ewa;Zielińska;ewa@x.pl;;;Nie Ma Takiej;\n"


@pytest.fixture
async def env(runtime, database_url, plugins_file):
    for code, name in (("pl", "Polska"), ("malopolskie", "Małopolska"), ("lodzkie", "Łódzkie")):
        await access.create_territory(runtime, SYSTEM, code, name, parent="pl" if code != "pl" else None)
    await crm.create_company(runtime, SYSTEM, {"name": "Huta Kraków", "nip": "5260250274"}, territory="malopolskie")
    await crm.create_company(runtime, SYSTEM, {"name": "Meble Łódź"}, territory="lodzkie")
    await make_user(runtime, "krakow@firma.pl", roles=["sales_rep"], territories=["malopolskie"])
    return {"KARTOTEKA_DATABASE_URL": database_url, "KARTOTEKA_PLUGINS_FILE": str(plugins_file), "COLUMNS": "200"}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


async def employments():
    rows = await Employment.select(
        Employment.person.first_name, Employment.company.name, Employment.position, Employment.is_primary
    ).order_by(Employment.person.first_name)
    return [(r["person.first_name"], r["company.name"], r["position"], r["is_primary"]) for r in rows]


async def test_persons_are_imported_with_their_employment(env, tmp_path, engine_kind):
    refused = kartoteka("import", "persons", write(tmp_path, "bad.csv", UNKNOWN_COMPANY), env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "UNKNOWN_COMPANY" in refused.stdout and "Nothing was imported" in refused.stdout
    assert "3 row(s): 0 new, 0 already in the file, 1 with problems." in refused.stdout
    assert (
        await Person.count() == 0
        and await OutboxMessage.count().where(OutboxMessage.name == "core.person_created") == 0
    )

    good = write(tmp_path, "good.csv", PEOPLE)
    checked = kartoteka("import", "persons", good, "--dry-run", env=env)
    assert checked.returncode == 0 and "2 new" in checked.stdout and "Dry run" in checked.stdout
    assert await Person.count() == 0

    imported = kartoteka("import", "persons", good, env=env)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "2 new" in imported.stdout
    assert await employments() == [
        ("Anna", "Huta Kraków", "Prezes zarządu", True),
        ("Jan", "Meble Łódź", "Kierowca", True),
    ]
    contacts = await ContactPoint.select(ContactPoint.kind, ContactPoint.value).where(ContactPoint.person.is_not_null())
    assert sorted((c["kind"], c["value"]) for c in contacts) == [
        ("email", "anna.nowak@huta.pl"),
        ("phone", "+48601234567"),
    ]
    assert await OutboxMessage.count().where(OutboxMessage.name == "core.person_created") == 2


async def test_duplicates_by_email_and_phone_and_english_headers(env, tmp_path, engine_kind):
    assert kartoteka("import", "persons", write(tmp_path, "first.csv", PEOPLE), env=env).returncode == 0
    again = write(
        tmp_path,
        "again.csv",
        "First name,Last name,Email,Numer,Company\n"
        "Anna,Nowak-Kowalska,anna.nowak@huta.pl,,\n"  # the same e-mail
        "Janek,Kowalski,,+48 601-234-567,\n"  # the same phone
        "Piotr,Wiśniewski,piotr@huta.pl,12 345 67 89,Huta Kraków\n",
    )
    result = kartoteka("import", "persons", again, "--map", "Numer=phone", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 row(s): 1 new, 2 already in the file, 0 with problems." in result.stdout
    assert await Person.count() == 3
    assert ("Piotr", "Huta Kraków", "", True) in await employments()


async def test_a_last_name_column_is_required_and_bad_values_are_reported(env, tmp_path, engine_kind):
    no_name = kartoteka("import", "persons", write(tmp_path, "x.csv", "Imię;E-mail\nAnna;a@b.pl\n"), env=env)
    assert no_name.returncode != 0 and "last name" in no_name.stderr
    bad = write(tmp_path, "bad.csv", "Imię;Nazwisko;E-mail;NIP firmy\nAnna;;a@b.pl;\nJan;Nowak;jan@b.pl;123\n")
    result = kartoteka("import", "persons", bad, env=env)
    assert result.returncode == 1
    for where, code in (("lastName", "BLANK"), ("companyNip", "INVALID_NIP")):
        assert where in result.stdout and code in result.stdout, result.stdout
    assert await Person.count() == 0


async def test_employers_are_found_only_in_the_importing_users_area(env, tmp_path, engine_kind):
    """A rep of Małopolska cannot attach people to a company in Łódzkie (nor learn it exists)."""
    result = kartoteka("import", "persons", write(tmp_path, "p.csv", PEOPLE), "--as", "krakow@firma.pl", env=env)
    assert result.returncode == 1
    assert "UNKNOWN_COMPANY" in result.stdout and "Meble Łódź" in result.stdout
    assert await Person.count() == 0
