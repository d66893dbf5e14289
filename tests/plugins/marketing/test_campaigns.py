"""A campaign end to end over GraphQL: a segment, personal messages through a real SMTP server,
consent and suppression at send time, one-click unsubscribe, tracked clicks and results."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.gdpr import has_consent
from core.settings import Settings, load_settings
from tests.conftest import as_user, make_user, wait_for
from tests.plugins.marketing.helpers import SmtpSink, html_of, person, text_of

SEGMENT_CREATE = """mutation($input: SegmentInput!) { segmentCreate(input: $input) {
    segment { id name criteria } userErrors { field code message } } }"""
PREVIEW = """query($criteria: JSON!) { segmentPreview(criteria: $criteria) {
    size { persons mailable callable } sample { lastName } } }"""
CAMPAIGN_CREATE = """mutation($input: CampaignInput!) { campaignCreate(input: $input) {
    campaign { id status } userErrors { field code message } } }"""
SCHEDULE = """mutation($id: ID!) { campaignSchedule(id: $id) { campaign { id status } userErrors { field code } } }"""
STATS = """query($id: ID!) { campaignStats(id: $id) { audience delivered queued pending clicked clicks unsubscribed
    skipped { reason count } cost revenue deals returnOnInvestment } }"""
CAMPAIGN_PREVIEW = """query($id: ID!, $recipient: ID) { campaignPreview(id: $id, recipient: $recipient) {
    to subject text html headers { name value } } }"""

MESSAGE = {
    "subject": "{{ recipient.first_name }}, jesienna oferta dla {{ recipient.company.name }}",
    "text": "Dzień dobry {{ recipient.first_name }},\nzapraszamy: https://sklep.example/jesien\n"
    "Rezygnacja: {{ unsubscribe_url }}",
    "html": '<p>Dzień dobry {{ recipient.first_name }}</p><a href="https://sklep.example/jesien?a=1&b=2">Sklep</a>',
}


@pytest.fixture
async def token(runtime) -> str:
    return (await make_user(runtime, "marketing@firma.pl", roles=["marketer"]))[1]


@pytest.fixture
def settings(database_url: str, plugins_file: Path, smtp: SmtpSink) -> Settings:
    return load_settings(
        environ={}, database_url=database_url, plugins_file=plugins_file, relay_interval=0.05, smtp_url=smtp.url
    )


def gid(type_name: str, node_id: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


async def client_file(runtime) -> dict[str, int]:
    huta = await crm.create_company(runtime, SYSTEM, {"name": "Huta Szkła"})
    return {
        "anna": await person(
            runtime, "Anna", "Nowak", "anna@huta.pl", tags=("vip",), company=huta, phone="+48600100200"
        ),
        "bartek": await person(runtime, "Bartek", "Zieliński", "bartek@example.pl", tags=("vip",)),
        "cezary": await person(runtime, "Cezary", "Bez Zgody", "cezary@example.pl", tags=("vip",), consent=False),
        "dorota": await person(runtime, "Dorota", "Zwykła", "dorota@example.pl"),
        "ewa": await person(runtime, "Ewa", "Odbita", "ewa@bounced.example", tags=("vip",)),
    }


async def test_a_campaign_reaches_each_consenting_recipient_once_with_their_own_data(client, runtime, smtp, token):
    people = await client_file(runtime)
    created = await as_user(
        client, token, SEGMENT_CREATE, {"input": {"name": "VIP", "criteria": {"all": [{"tag": "vip"}]}}}
    )
    segment = created["data"]["segmentCreate"]["segment"]
    added = await as_user(
        client, token, 'mutation { suppressionAdd(email: "EWA@bounced.example") { email userErrors { code } } }'
    )
    assert added["data"]["suppressionAdd"]["email"] == "ewa@bounced.example"
    preview = await as_user(client, token, PREVIEW, {"criteria": {"all": [{"tag": "vip"}]}})
    assert preview["data"]["segmentPreview"]["size"] == {"persons": 4, "mailable": 2, "callable": 1}
    assert len(preview["data"]["segmentPreview"]["sample"]) == 4

    campaign = (
        await as_user(
            client,
            token,
            CAMPAIGN_CREATE,
            {"input": {"name": "Jesień", "segment": segment["id"], "message": MESSAGE, "cost": "50.00"}},
        )
    )["data"]["campaignCreate"]["campaign"]
    shown = await as_user(
        client, token, CAMPAIGN_PREVIEW, {"id": campaign["id"], "recipient": gid("Person", people["anna"])}
    )
    shown = shown["data"]["campaignPreview"]
    assert shown["to"] == "anna@huta.pl"
    assert shown["subject"] == "Anna, jesienna oferta dla Huta Szkła"
    assert {"name": "List-Unsubscribe-Post", "value": "List-Unsubscribe=One-Click"} in shown["headers"]

    scheduled = await as_user(client, token, SCHEDULE, {"id": campaign["id"]})
    assert scheduled["data"]["campaignSchedule"]["userErrors"] == []

    async def delivered() -> bool:  # the sending jobs have committed, not just reached SMTP
        stats = await as_user(client, token, STATS, {"id": campaign["id"]})
        return stats["data"]["campaignStats"]["delivered"] == 2

    await wait_for(delivered, timeout=30)

    # One message per consenting, unsuppressed recipient; nobody sees another recipient's address.
    assert sorted(m["To"] for m in smtp.messages) == ["anna@huta.pl", "bartek@example.pl"]
    assert all(len(envelope) == 1 for envelope in smtp.envelopes)
    anna = smtp.to("anna@huta.pl")[0]
    assert anna["Subject"] == "Anna, jesienna oferta dla Huta Szkła"
    assert "Dzień dobry Anna," in text_of(anna)
    assert "bartek" not in anna.as_string().lower()
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = anna["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url in text_of(anna)

    # One-click unsubscribe: no login, idempotent, consent withdrawn on the person.
    path = urlsplit(unsubscribe_url).path
    page = await client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    assert await has_consent(people["anna"], "marketing", "email")  # looking changes nothing
    first = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    again = await client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert not await has_consent(people["anna"], "marketing", "email")
    forged = await client.post(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert forged.status_code == 400
    assert "Nothing was changed" in forged.text

    # A tracked click leads where the mail pointed and is counted once per recipient.
    bartek_html = html_of(smtp.to("bartek@example.pl")[0])
    tracked = re.search(r'href="([^"]+)"', bartek_html).group(1).replace("&amp;", "&")
    assert "/plugins/marketing/click/" in tracked
    for _ in range(2):
        redirect = await client.get(urlsplit(tracked).path)
        assert redirect.status_code == 302
        assert redirect.headers["location"] == "https://sklep.example/jesien?a=1&b=2"

    stats = (await as_user(client, token, STATS, {"id": campaign["id"]}))["data"]["campaignStats"]
    assert stats["audience"] == 4
    assert stats["delivered"] == 2
    assert stats["clicked"] == 1 and stats["clicks"] == 2
    assert stats["unsubscribed"] == 1
    assert {s["reason"]: s["count"] for s in stats["skipped"]} == {"no_consent": 1, "suppressed": 1}
    # The sample plugin stands in for sales: 100 per contacted person.
    assert (stats["deals"], stats["revenue"], stats["cost"]) == (2, "200.00", "50.00")
    assert stats["returnOnInvestment"] == "3.00"


async def test_bad_templates_and_empty_audiences_are_refused_and_write_nothing(client, runtime, smtp, token):
    await client_file(runtime)
    segment = (await as_user(client, token, SEGMENT_CREATE, {"input": {"name": "Nikt", "criteria": {"tag": "brak"}}}))[
        "data"
    ]["segmentCreate"]["segment"]
    bad = await as_user(
        client,
        token,
        CAMPAIGN_CREATE,
        {
            "input": {
                "name": "Zła",
                "segment": segment["id"],
                "message": {"subject": "Hej", "text": "Linia\n{{ recipient.imie }}"},
            }
        },
    )
    [error] = bad["data"]["campaignCreate"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "text"], "TEMPLATE_UNKNOWN_VARIABLE")
    assert "2" in error["message"]
    escape = await as_user(
        client,
        token,
        CAMPAIGN_CREATE,
        {
            "input": {
                "name": "Ucieczka",
                "segment": segment["id"],
                "message": {"subject": "{{ ''.__class__ }}", "text": "x"},
            }
        },
    )
    assert escape["data"]["campaignCreate"]["userErrors"][0]["code"] == "TEMPLATE_FORBIDDEN"
    listed = await as_user(client, token, "{ campaigns { edges { node { id } } } }")
    assert listed["data"]["campaigns"]["edges"] == []

    empty = (
        await as_user(
            client,
            token,
            CAMPAIGN_CREATE,
            {"input": {"name": "Pusta", "segment": segment["id"], "message": {"subject": "Hej", "text": "Treść"}}},
        )
    )["data"]["campaignCreate"]["campaign"]
    refused = await as_user(client, token, SCHEDULE, {"id": empty["id"]})
    assert refused["data"]["campaignSchedule"]["userErrors"] == [{"field": ["id"], "code": "NO_CONSENTED_RECIPIENTS"}]
    state = await as_user(client, token, "query($id: ID!) { campaign(id: $id) { status } }", {"id": empty["id"]})
    assert state["data"]["campaign"]["status"] == "draft"


@pytest.mark.parametrize(
    ("criteria", "field", "code"),
    [
        ({"field": "shoe_size", "value": 42}, ["input", "criteria", "field"], "SEGMENT_FIELD_UNKNOWN"),
        (
            {"all": [{"tag": "vip"}, {"field": "lifecycle", "value": "king"}]},
            ["input", "criteria", "all", "1", "value"],
            "SEGMENT_INVALID",
        ),
        ({"fact": "sales.won_deal", "params": {}}, ["input", "criteria", "params", "since"], "REQUIRED"),
        ({"fact": "nobody.knows"}, ["input", "criteria", "fact"], "SEGMENT_FACT_UNKNOWN"),
        ({"not": {}}, ["input", "criteria", "not"], "SEGMENT_INVALID"),
        ({"custom": "nope", "value": 1}, ["input", "criteria", "custom"], "CUSTOM_FIELD_UNKNOWN"),
    ],
)
async def test_segment_criteria_are_checked_with_the_path(client, token, criteria, field, code):
    result = await as_user(client, token, SEGMENT_CREATE, {"input": {"name": "X", "criteria": criteria}})
    [error] = result["data"]["segmentCreate"]["userErrors"]
    assert (error["field"], error["code"]) == (field, code)
    listed = await as_user(client, token, "{ segments { edges { node { id } } } }")
    assert listed["data"]["segments"]["edges"] == []
