"""CSV export of list queries (``POST /graphql/export.csv``, ``kartoteka export``): every page,
through the staff schema, so permissions and record scoping are those of /graphql."""

import csv
import io

import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.tables import Company
from core.graphql.export import BOM
from core.settings import load_settings
from tests.conftest import make_user
from tests.test_cli import kartoteka

MAX_ROWS = 12
COMPANIES = """query($after: String, $first: Int = 3) {
  companies(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { name nip owner { displayName } territory { code } emails { value } tags } }
  }
}"""
HEADER = ["name", "nip", "owner.displayName", "territory.code", "emails.value", "tags"]


@pytest.fixture
def settings(database_url, plugins_file):
    return load_settings(environ={}, database_url=database_url, plugins_file=plugins_file, export_max_rows=MAX_ROWS)


@pytest.fixture
async def file(runtime):
    """Seven companies in Małopolska, three in Podkarpacie; an administrator, a rep of Małopolska
    and an operator (who may not read companies)."""
    for code, name in (("pl", "Polska"), ("malopolskie", "Małopolska"), ("podkarpackie", "Podkarpacie")):
        await access.create_territory(runtime, SYSTEM, code, name, parent="pl" if code != "pl" else None)
    for number in range(10):
        territory = "malopolskie" if number < 7 else "podkarpackie"
        related = crm.Related(
            emails=[crm.ContactInput(f"biuro@firma{number}.pl"), crm.ContactInput(f"szef@firma{number}.pl")],
            tags=["VIP", "hurt"] if number == 0 else None,
        )
        await crm.create_company(runtime, SYSTEM, {"name": f"Firma {number:02d}"}, related, territory=territory)
    tokens = {}
    for name, options in (
        ("admin", {"roles": ["administrator"]}),
        ("krakow", {"roles": ["sales_rep"], "territories": ["malopolskie"]}),
        ("operator", {"roles": ["operator"]}),
    ):
        _, tokens[name] = await make_user(runtime, f"{name}@firma.pl", **options)
    return tokens


async def export(client, token, query, variables=None, **options):
    return await client.post(
        "/graphql/export.csv",
        json={"query": query, "variables": variables or {}, **options},
        headers={"authorization": f"Bearer {token}"},
    )


def rows_of(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


async def test_an_administrator_gets_every_company_across_pages(client, file, engine_kind):
    header, *rows = rows_of(await export(client, file["admin"], COMPANIES))
    assert header == HEADER
    assert [row[0] for row in rows] == [f"Firma {n:02d}" for n in range(10)]  # four pages of three
    assert rows[0] == ["Firma 00", "", "", "malopolskie", "biuro@firma0.pl; szef@firma0.pl", "hurt; VIP"]
    assert rows[9][3] == "podkarpackie"


async def test_a_sales_rep_exports_only_their_territory(client, file, engine_kind):
    header, *rows = rows_of(await export(client, file["krakow"], COMPANIES))
    assert header == HEADER
    assert [row[0] for row in rows] == [f"Firma {n:02d}" for n in range(7)]
    assert {row[3] for row in rows} == {"malopolskie"}


async def test_fragments_aliases_and_a_semicolon_without_bom(client, file, engine_kind):
    query = """query List($after: String) {
        list: companies(first: 4, after: $after, filter: {territory: "podkarpackie"}) {
          pageInfo { endCursor hasNextPage } edges { cursor node { ...Row } } } }
      fragment Row on Company { firma: name territory { code } }"""
    response = await export(client, file["admin"], query, bom=False, delimiter=";")
    assert response.status_code == 200
    assert response.content.decode("utf-8").splitlines() == [
        "firma;territory.code",
        "Firma 07;podkarpackie",
        "Firma 08;podkarpackie",
        "Firma 09;podkarpackie",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ viewer { displayName } }", "NO_CONNECTION"),
        ("{ companies(first: 2) { edges { node { name } } } }", "NO_PAGE_INFO"),
        ("{ companies(first: 2) { pageInfo { hasNextPage endCursor } edges { node { name } } } }", "NO_AFTER_VARIABLE"),
        ("mutation { companyDelete(id: 1) { deletedId } }", "NOT_A_QUERY"),
        ("{ companies(first: 2) { edges { node { nonsense } } } }", "Cannot query field 'nonsense'"),
        ("{ companies(", "Syntax Error"),
    ],
)
async def test_a_query_that_cannot_be_exported_is_a_400_with_errors(client, file, engine_kind, query, expected):
    response = await export(client, file["admin"], query)
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error.get("extensions", {}).get("code") == expected or error["message"].startswith(expected), error


async def test_permissions_apply_as_on_graphql(client, file, engine_kind):
    denied = await export(client, file["operator"], COMPANIES)
    assert denied.status_code == 400
    assert denied.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "core.company.read"}
    anonymous = await client.post("/graphql/export.csv", json={"query": COMPANIES})
    assert anonymous.status_code == 400 and anonymous.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    polish = await client.post(
        "/graphql/export.csv",
        json={"query": "{ viewer { displayName } }"},
        headers={"authorization": f"Bearer {file['admin']}", "accept-language": "pl"},
    )
    assert polish.json()["errors"][0]["message"].startswith("Wynik")


async def test_more_rows_than_the_limit(client, runtime, file, engine_kind, caplog):
    for number in (10, 11, 12):
        await crm.create_company(runtime, SYSTEM, {"name": f"Firma {number}"})
    # Known on the first page: a 400.
    refused = await export(client, file["admin"], COMPANIES, {"first": MAX_ROWS + 1})
    assert refused.status_code == 400 and refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ROWS"
    # Known only on the third page: the stream is cut off, never a file that looks whole.
    with pytest.raises(Exception, match="after response started"):
        await export(client, file["admin"], COMPANIES, {"first": 5})
    assert "longer than 12 rows (the KARTOTEKA_EXPORT_MAX_ROWS setting)" in caplog.text
    # Up to the limit is fine.
    await crm.delete_company(
        runtime, SYSTEM, (await Company.select(Company.id).where(Company.name == "Firma 12").first())["id"]
    )
    assert len(rows_of(await export(client, file["admin"], COMPANIES, {"first": 5}))) == MAX_ROWS + 1


async def test_export_command(file, database_url, plugins_file, tmp_path, engine_kind):
    env = {"KARTOTEKA_DATABASE_URL": database_url, "KARTOTEKA_PLUGINS_FILE": str(plugins_file)}
    query = tmp_path / "companies.graphql"
    query.write_text(COMPANIES, encoding="utf-8")
    output = tmp_path / "out.csv"
    done = kartoteka("export", "--query-file", str(query), "--output", str(output), "--as", "krakow@firma.pl", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    header, *rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert header == HEADER and len(rows) == 7
    query.write_text("{ viewer { displayName } }", encoding="utf-8")
    failed = kartoteka("export", "--query-file", str(query), "--output", str(output), env=env)
    assert failed.returncode == 1 and "exactly one connection" in failed.stderr
    assert not output.exists()


async def test_cells_a_spreadsheet_would_run_as_formulas_are_text(client, runtime, file, engine_kind):
    for name in ('=HYPERLINK("http://zly.example","Kliknij")', "+SUM(A1:A9)", "@cmd", "-5", "+48601234567"):
        await crm.create_company(runtime, SYSTEM, {"name": name}, territory="podkarpackie")
    query = """query($after: String) { companies(first: 20, after: $after, filter: {territory: "podkarpackie"}) {
        pageInfo { endCursor hasNextPage } edges { node { name } } } }"""
    _header, *rows = rows_of(await export(client, file["admin"], query))
    names = {row[0] for row in rows}
    assert '\'=HYPERLINK("http://zly.example","Kliknij")' in names
    assert {"'+SUM(A1:A9)", "'@cmd", "-5", "+48601234567"} <= names
