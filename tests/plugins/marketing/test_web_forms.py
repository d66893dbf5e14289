"""Web forms → leads over public HTTP and staff GraphQL: JSON and form-encoded posts, matching,
the merge queue, the honeypot, throttling, CORS; and web activity aggregated per visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.api import ContactPoint, Person, TimelineEntry
from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.gdpr import has_consent
from plugins.marketing.services import tracking
from plugins.marketing.tables import FormSubmission, MergeCandidate, WebVisit
from tests.conftest import as_user, make_user
from tests.plugins.marketing.helpers import person

SITE = "https://www.firma.pl"
FORM_CREATE = """mutation($input: FormInput!) { formCreate(input: $input) {
    form { id key fields allowedOrigins consents { purpose } } userErrors { field code message } } }"""
SUBMISSIONS = """query { formSubmissions { edges { node { email status answers consents matched values
    person { id lastName } } } } }"""
CANDIDATES = """query { mergeCandidates { edges { node { id kind score reasons status
    newPerson { id firstName } existingPerson { id firstName } } } } }"""
RESOLVE = """mutation($id: ID!, $decision: MergeDecision!) { mergeCandidateResolve(id: $id, decision: $decision) {
    mergeCandidate { status } userErrors { code } } }"""


@pytest.fixture
async def token(runtime) -> str:
    return (await make_user(runtime, "marketing@firma.pl", roles=["marketer"]))[1]


async def make_form(client, token: str, **overrides) -> dict:
    form = {
        "name": "Kontakt",
        "fields": ["email", "first_name", "last_name", "phone", "company", "message"],
        "required": ["email", "last_name"],
        "survey": [{"key": "size", "question": "Ilu macie pracowników?", "choices": ["1-9", "10-49", "50+"]}],
        "consents": [{"purpose": "marketing", "text": "Zgadzam się na informacje handlowe e-mailem."}],
        "allowedOrigins": [SITE + "/"],
        **overrides,
    }
    created = await as_user(client, token, FORM_CREATE, {"input": form})
    assert created["data"]["formCreate"]["userErrors"] == []
    return created["data"]["formCreate"]["form"]


async def people_with(address: str) -> list[int]:
    rows = await ContactPoint.select(ContactPoint.person).where(
        (ContactPoint.value == address) & ContactPoint.person.is_not_null() & ContactPoint.person.deleted_at.is_null()
    )
    return [row["person"] for row in rows]


async def test_posts_in_json_and_form_encoded_become_leads_with_consent_and_timeline(client, runtime, token):
    form = await make_form(client, token)
    assert form["allowedOrigins"] == [SITE]
    url = f"/plugins/marketing/forms/{form['key']}"

    sent = await client.post(
        url,
        json={
            "email": "Ola@Sklep.pl",
            "first_name": "Ola",
            "last_name": "Wiśniewska",
            "phone": "600 100 300",
            "message": "Proszę o ofertę.",
            "survey": {"size": "10-49"},
            "consents": ["marketing"],
        },
        headers={"origin": SITE},
    )
    assert sent.status_code == 202, sent.text
    assert sent.headers["access-control-allow-origin"] == SITE
    assert "access-control-allow-credentials" not in sent.headers
    [ola] = await people_with("ola@sklep.pl")
    row = await Person.select(Person.lifecycle, Person.last_name).where(Person.id == ola).first()
    assert row == {"lifecycle": "lead", "last_name": "Wiśniewska"}
    assert await has_consent(ola, "marketing", "email")
    entry = await TimelineEntry.select().where(TimelineEntry.person == ola).output(load_json=True).first()
    assert entry["kind"] == "marketing.form_submitted"
    assert entry["source"] == f"form:{form['key']}"
    assert "Proszę o ofertę." in entry["body"] and "Ilu macie pracowników?: 10-49" in entry["body"]

    # A plain HTML form: form-encoded, the consent box unticked.
    sent = await client.post(
        url,
        content="email=piotr%40example.pl&first_name=Piotr&last_name=Mazur&survey.size=50%2B",
        headers={"content-type": "application/x-www-form-urlencoded", "origin": SITE},
    )
    assert sent.status_code == 202, sent.text
    [piotr] = await people_with("piotr@example.pl")
    assert not await has_consent(piotr, "marketing", "email")

    # The same address again: matched, no duplicate.
    again = await client.post(url, json={"email": "ola@sklep.pl", "last_name": "Wiśniewska", "message": "Ponawiam."})
    assert again.status_code == 202
    assert await people_with("ola@sklep.pl") == [ola]

    listed = await as_user(client, token, SUBMISSIONS)
    nodes = [edge["node"] for edge in listed["data"]["formSubmissions"]["edges"]]
    assert [n["email"] for n in nodes] == ["ola@sklep.pl", "piotr@example.pl", "ola@sklep.pl"]
    assert all(n["status"] == "processed" for n in nodes)
    assert nodes[0]["matched"]["person"]["how"] == "email"
    assert nodes[2]["matched"]["person"]["how"] == "new"
    assert nodes[1]["answers"] == {"size": "50+"}
    assert nodes[2]["consents"] == ["marketing"] and nodes[2]["values"]["phone"] == "+48600100300"
    assert {n["person"]["lastName"] for n in nodes} == {"Wiśniewska", "Mazur"}

    # Bad input is refused with every field named, and nothing is stored.
    bad = await client.post(url, json={"email": "nie-adres", "survey": {"size": "1000"}, "consents": ["spam"]})
    assert bad.status_code == 400
    assert {tuple(e["field"]) for e in bad.json()["errors"]} == {
        ("email",),
        ("last_name",),
        ("survey", "size"),
        ("consents",),
    }
    assert await FormSubmission.count() == 3


async def test_a_similar_person_at_the_same_company_waits_in_the_merge_queue(client, runtime, token):
    huta = await crm.create_company(runtime, SYSTEM, {"name": "Huta Szkła"})
    jan = await person(runtime, "Jan", "Kowalski", "jan@huta.pl", company=huta)
    form = await make_form(client, token)
    url = f"/plugins/marketing/forms/{form['key']}"

    # The same name at the same company: certain, attached to the existing person.
    same = await client.post(
        url, json={"email": "j.kowalski@huta.pl", "first_name": "Jan", "last_name": "Kowalski", "company": "HUTA SZKŁA"}
    )
    assert same.status_code == 202
    assert await people_with("j.kowalski@huta.pl") == []  # nothing new: the lead is Jan
    assert await TimelineEntry.exists().where(
        (TimelineEntry.person == jan) & (TimelineEntry.kind == "marketing.form_submitted")
    )

    for first_name, address in (("Janusz", "janusz@huta.pl"), ("Janina", "janina@huta.pl")):
        sent = await client.post(
            url,
            json={"email": address, "first_name": first_name, "last_name": "Kowalski", "company": "Huta Szkła S.A."},
        )
        assert sent.status_code == 202
    queue = [edge["node"] for edge in (await as_user(client, token, CANDIDATES))["data"]["mergeCandidates"]["edges"]]
    assert [(c["kind"], c["newPerson"]["firstName"], c["existingPerson"]["firstName"]) for c in queue] == [
        ("person", "Janusz", "Jan"),
        ("person", "Janina", "Jan"),
    ]
    assert all(75 <= c["score"] < 95 for c in queue)
    janusz, janina = (await people_with("janusz@huta.pl"))[0], (await people_with("janina@huta.pl"))[0]

    merged = await as_user(client, token, RESOLVE, {"id": queue[0]["id"], "decision": "MERGE"})
    assert merged["data"]["mergeCandidateResolve"] == {"mergeCandidate": {"status": "merged"}, "userErrors": []}
    assert (await Person.select(Person.merged_into).where(Person.id == janusz).first())["merged_into"] == jan
    assert await people_with("janusz@huta.pl") == [jan]  # the address moved to Jan

    apart = await as_user(client, token, RESOLVE, {"id": queue[1]["id"], "decision": "KEEP_APART"})
    assert apart["data"]["mergeCandidateResolve"]["mergeCandidate"] == {"status": "kept_apart"}
    assert (await Person.select(Person.merged_into).where(Person.id == janina).first())["merged_into"] is None
    again = await as_user(client, token, RESOLVE, {"id": queue[1]["id"], "decision": "MERGE"})
    assert again["data"]["mergeCandidateResolve"]["userErrors"] == [{"code": "ALREADY_RESOLVED"}]
    assert (await as_user(client, token, CANDIDATES))["data"]["mergeCandidates"]["edges"] == []
    assert await MergeCandidate.count() == 2


async def test_honeypot_throttling_and_cors(client, runtime, token):
    form = await make_form(client, token)
    url = f"/plugins/marketing/forms/{form['key']}"

    trap = await client.post(url, json={"email": "bot@spam.example", "last_name": "Bot", "website": "http://x"})
    assert trap.status_code == 202  # the bot sees success…
    assert await FormSubmission.count() == 0 and await people_with("bot@spam.example") == []  # …and nothing is kept

    # Another site may not post it, and learns nothing from the preflight.
    evil = await client.post(
        url, json={"email": "a@b.pl", "last_name": "A"}, headers={"origin": "https://evil.example"}
    )
    assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    preflight = await client.options(
        url, headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    preflight = await client.options(url, headers={"origin": SITE, "access-control-request-method": "POST"})
    assert preflight.headers["access-control-allow-origin"] == SITE
    assert "POST" in preflight.headers["access-control-allow-methods"]

    # Per e-mail: three posts naming one address in the window, then 429 (default limits).
    for _ in range(3):
        ok = await client.post(url, json={"email": "ola@sklep.pl", "last_name": "Nowak"})
        assert ok.status_code == 202
    refused = await client.post(url, json={"email": "OLA@sklep.pl", "last_name": "Nowak"})
    assert refused.status_code == 429
    assert refused.json()["by"] == "email"
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert refused.json()["retryAfter"] == int(refused.headers["retry-after"])
    # Per IP address: ten posts in the window (the honeypot and the refused post count too).
    for index in range(5):
        assert (await client.post(url, json={"email": f"p{index}@x.pl", "last_name": "P"})).status_code == 202
    refused = await client.post(url, json={"email": "new@x.pl", "last_name": "P"})
    assert refused.status_code == 429 and refused.json()["by"] == "address"
    assert refused.headers["content-type"].startswith("application/json")
    assert await FormSubmission.count() == 8


async def test_web_activity_becomes_one_timeline_entry_per_visit(client, runtime, token):
    anna = await person(runtime, "Anna", "Nowak", "anna@huta.pl")
    created = await as_user(
        client, token, 'mutation { trackingSiteCreate(name: "Sklep") { site { key } token userErrors { code } } }'
    )
    site_token = created["data"]["trackingSiteCreate"]["token"]
    assert site_token.startswith(created["data"]["trackingSiteCreate"]["site"]["key"] + ".")
    start = datetime.now(UTC) - timedelta(hours=3)
    events = [
        {
            "email": "anna@huta.pl",
            "page": f"/produkty/{index % 5}",
            "product": "SZK-1" if index % 5 == 0 else None,
            "seconds": 20,
            "at": (start + timedelta(seconds=30 * index)).isoformat(),
        }
        for index in range(50)
    ]
    # A second visit an hour later, named by the visitor id Kartoteka signed.
    visitor = tracking.visitor_id(runtime.for_plugin("marketing").signing_key("visitors"), anna)
    later = start + timedelta(hours=1)
    events += [{"visitor": visitor, "page": "/kontakt", "seconds": 60, "at": later.isoformat()}]
    events += [{"email": "nieznany@example.pl", "page": "/", "at": later.isoformat()}]
    events += [{"visitor": f"{anna}.forged", "page": "/", "at": later.isoformat()}]

    denied = await client.post(
        "/plugins/marketing/track", json={"events": events}, headers={"authorization": "Bearer zly.token"}
    )
    assert denied.status_code == 401
    assert await WebVisit.count() == 0

    sent = await client.post(
        "/plugins/marketing/track", json={"events": events}, headers={"authorization": f"Bearer {site_token}"}
    )
    assert sent.status_code == 202, sent.text
    assert sent.json() == {"accepted": 51, "unknownVisitors": 2, "visitsClosed": 2}
    entries = (
        await TimelineEntry.select()
        .where((TimelineEntry.person == anna) & (TimelineEntry.kind == "core.web_visit"))
        .order_by(TimelineEntry.occurred_at)
        .output(load_json=True)
    )
    assert len(entries) == 2
    assert entries[0]["data"]["views"] == 50 and entries[0]["data"]["seconds"] == 1000
    assert entries[0]["data"]["pages"]["/produkty/0"] == {"views": 10, "seconds": 200}
    assert entries[0]["data"]["products"] == {"SZK-1": {"views": 10, "seconds": 200}}
    assert entries[0]["subject"] == "Sklep: 50 pages, 17 min"
    assert entries[1]["data"]["pages"] == {"/kontakt": {"views": 1, "seconds": 60}}

    # A visit still going on is kept open, and added to, until it ends.
    now = datetime.now(UTC)
    for offset in (2, 1):
        batch = [
            {
                "email": "anna@huta.pl",
                "page": "/koszyk",
                "seconds": 5,
                "at": (now - timedelta(minutes=offset)).isoformat(),
            }
        ]
        sent = await client.post(
            "/plugins/marketing/track", json={"events": batch}, headers={"authorization": f"Bearer {site_token}"}
        )
        assert sent.json()["visitsClosed"] == 0
    assert await TimelineEntry.count().where(TimelineEntry.kind == "core.web_visit") == 2
    [open_visit] = await WebVisit.select().where(WebVisit.closed_at.is_null()).output(load_json=True)
    assert open_visit["views"] == 2 and open_visit["pages"] == {"/koszyk": {"views": 2, "seconds": 10}}

    bad = await client.post(
        "/plugins/marketing/track",
        json={"events": [{"email": "anna@huta.pl", "page": "/", "seconds": -1}]},
        headers={"authorization": f"Bearer {site_token}"},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == ["events", "0", "seconds"]


async def test_a_submission_whose_processing_fails_is_kept_and_retried_by_the_job(client, runtime, token, monkeypatch):
    from plugins.marketing import jobs
    from plugins.marketing.services import matching
    from plugins.marketing.tables import FormSubmission as Submission

    form = await make_form(client, token)
    real_match = matching.match_person

    async def broken(**values):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(matching, "match_person", broken)
    sent = await client.post(f"/plugins/marketing/forms/{form['key']}", json={"email": "x@y.pl", "last_name": "Iks"})
    assert sent.status_code == 202  # the visitor's data is safe: stored before processing
    [row] = await Submission.select().output(load_json=True)
    assert (row["status"], row["attempts"], row["values"]["last_name"]) == ("failed", 1, "Iks")
    assert "database hiccup" in row["error"]
    assert await people_with("x@y.pl") == []  # nothing half-done

    monkeypatch.setattr(matching, "match_person", real_match)
    await Submission.update({Submission.received_at: datetime.now(UTC) - timedelta(minutes=5)}).where(
        Submission.id == row["id"]
    )
    from core.jobs.context import JobContext

    async with runtime.unit_of_work() as uow:
        await jobs.retry_submissions(
            JobContext(runtime=runtime, uow=uow, actor=SYSTEM, owner="marketing", occurred_at=datetime.now(UTC))
        )
    [row] = await Submission.select().output(load_json=True)
    assert (row["status"], row["attempts"], row["error"]) == ("processed", 2, "")
    assert len(await people_with("x@y.pl")) == 1
