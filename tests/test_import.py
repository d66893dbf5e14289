"""CSV import of companies: mapping, dry run, per-row report, deduplication, all or nothing."""

import pytest

from core.auth import SYSTEM
from core.crm.tables import Company, ContactPoint
from core.db.tables import OutboxMessage
from core.imports import services as importer
from tests.test_cli import kartoteka

GOOD = """Nazwa;NIP;Telefon;E-mail;Miasto;Tagi
Huta Kraków;526-025-02-74;12 345 67 89;biuro@huta.pl;Kraków;VIP|hurt
Meble Łódź;;601 234 567;;Łódź;
"""
BAD = GOOD + "Zła Firma;1234567890;;;;\nBez telefonu;;12;;;\n"


async def run(runtime, text, **options):
    headers, rows = importer.read_csv(text)
    mapping = importer.guess_mapping(headers)
    importer.check_mapping(mapping, headers)
    return await importer.import_companies(runtime, SYSTEM, rows, mapping, **options)


async def test_rows_are_imported_through_the_services(runtime, engine_kind):
    report = await run(runtime, GOOD)
    assert (report.rows, report.created, report.matched, report.problems, report.committed) == (2, 2, [], [], True)
    huta = await Company.select().where(Company.name == "Huta Kraków").first()
    assert huta["nip"] == "5260250274"
    phones = (
        await ContactPoint.select(ContactPoint.value).where(ContactPoint.kind == "phone").order_by(ContactPoint.value)
    )
    assert [p["value"] for p in phones] == ["+48123456789", "+48601234567"]
    assert await OutboxMessage.count().where(OutboxMessage.name == "core.company_created") == 2


async def test_a_bad_row_is_reported_and_nothing_is_kept(runtime, engine_kind):
    report = await run(runtime, BAD)
    assert [(p.row, p.field, p.code) for p in report.problems] == [
        (3, ["3", "nip"], "INVALID_NIP"),
        (4, ["4", "phones", "0", "value"], "INVALID_PHONE"),
    ]
    assert report.committed is False
    assert await Company.count() == 0 and await OutboxMessage.count() == 0


async def test_dry_run_reports_and_keeps_nothing(runtime, engine_kind):
    report = await run(runtime, GOOD, dry_run=True)
    assert (report.created, report.problems, report.committed) == (2, [], False)
    assert await Company.count() == 0


async def test_duplicates_are_matched_by_nip_email_and_phone(runtime, engine_kind):
    await run(runtime, GOOD)
    again = (
        "Nazwa,NIP,Telefon,E-mail\nHuta (stara nazwa),5260250274,,\n"
        "Inna Huta,,,BIURO@huta.pl\nMeble,,+48601234567,\nNowa,,,\n"
    )
    report = await run(runtime, again)
    assert [row for row, _ in report.matched] == [1, 2, 3]
    assert report.created == 1
    assert await Company.count() == 3


def test_mapping_errors_name_the_column():
    headers, _ = importer.read_csv("Firma;Kolor\nA;czerwony\n")
    with pytest.raises(Exception, match="UNKNOWN_COLUMN"):
        importer.check_mapping({"Brak": "name"}, headers)
    with pytest.raises(Exception, match="NAME_REQUIRED"):
        importer.check_mapping({}, headers)
    assert importer.guess_mapping(headers) == {"Firma": "name"}


def test_import_command(tmp_path, plugins_file):
    env = {
        "KARTOTEKA_DATABASE_URL": f"sqlite:///{tmp_path}/import.sqlite3",
        "KARTOTEKA_PLUGINS_FILE": str(plugins_file),
    }
    assert kartoteka("migrate", env=env).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    refused = kartoteka("import", "companies", str(bad), env={**env, "COLUMNS": "200"})
    assert refused.returncode == 1
    assert "INVALID_NIP" in refused.stdout and "Nothing was imported" in refused.stdout
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    checked = kartoteka("import", "companies", str(good), "--dry-run", env=env)
    assert "2 new" in checked.stdout and "Dry run" in checked.stdout
    imported = kartoteka("import", "companies", str(good), env=env)
    assert imported.returncode == 0 and "2 new" in imported.stdout
    repeated = kartoteka("import", "companies", str(good), env=env)
    assert "0 new, 2 already in the file" in repeated.stdout
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("Kontrahent,Numer\nNowa Sp. z o.o.,+48 22 123 45 67\n", encoding="utf-8")
    custom = kartoteka("import", "companies", str(mapped), "--map", "Kontrahent=name", "--map", "Numer=phone", env=env)
    assert "1 new" in custom.stdout, custom.stdout + custom.stderr
