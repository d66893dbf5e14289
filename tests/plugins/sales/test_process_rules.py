"""Process rules (F7) on the sales plugin's "opportunity won": e-mail through a real SMTP server,
tasks, fields, and signed webhooks to real HTTP servers on loopback — through GraphQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.tables import Company, CompanyTag, Person, Task
from core.db.tables import Delivery, OutboxMessage
from core.errors import DomainError
from core.jobs.context import JobContext
from core.rules import services as rule_services
from core.rules.engine import run_rule
from core.rules.tables import Rule, RuleRun, WebhookDelivery, WebhookEndpoint
from core.settings import Settings, load_settings
from core.testing import running_smtp
from tests.conftest import as_user, wait_for
from tests.plugins.sales.helpers import WIN, create_opportunity, create_process, gid, sales_team
from tests.test_mail import Server

RULE_CREATE = """mutation($input: RuleCreateInput!) { ruleCreate(input: $input) {
    rule { id name eventType enabled conditions actions } userErrors { field code message } } }"""
ENDPOINT_CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
    endpoint { id url } secret userErrors { field code message } } }"""
DELIVERIES = """query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node {
    id messageId status attemptCount attempts { attempt statusCode error responseBody durationMs } } } } }"""
RUNS = """query($id: ID!) { ruleRuns(ruleId: $id) { edges { node { status error notes attempts } } } }"""
RETRY = """mutation($id: ID!) { webhookDeliveryRetry(id: $id) { delivery { status attemptCount }
    userErrors { field code } } }"""


class Receiver:
    """A webhook receiver on loopback: answers each path with the status set for it."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status = {"/ok": 200, "/broken": 500, "/picky": 400}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.status.get(self.path, 404)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"x" * 5000)

            def log_message(self, *args: Any) -> None:
                pass

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, path: str) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for where, headers, body in self.requests if where == path]


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check a receiver does, written from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in headers["webhook-signature"].split(" ") if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


@pytest.fixture
def smtp() -> Server:
    with running_smtp(Server()) as server:
        yield server


@pytest.fixture
def receiver() -> Receiver:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def settings(database_url: str, plugins_file: Path, smtp: Server) -> Settings:
    return load_settings(
        environ={}, database_url=database_url, plugins_file=plugins_file, relay_interval=0.05, smtp_url=smtp.url
    )


async def _endpoint(client, token: str, url: str) -> dict[str, Any]:
    created = await as_user(client, token, ENDPOINT_CREATE, {"input": {"name": "ERP", "url": url}})
    payload = created["data"]["webhookEndpointCreate"]
    assert payload["userErrors"] == [], payload
    return payload


async def _rule(client, token: str, **fields: Any) -> dict[str, Any]:
    created = await as_user(client, token, RULE_CREATE, {"input": {"eventType": "sales.opportunity.won", **fields}})
    payload = created["data"]["ruleCreate"]
    assert payload["userErrors"] == [], payload
    # Ids come back as the global ids that were sent.
    assert payload["rule"]["conditions"] == (fields.get("conditions") or {})
    for sent, shown in zip(fields.get("actions", []), payload["rule"]["actions"], strict=True):
        assert {k: shown[k] for k in ("endpoint_id", "assignee") if k in sent} == {
            k: sent[k] for k in ("endpoint_id", "assignee") if k in sent
        }
    return payload["rule"]


async def _client_file(runtime, owner_id: int) -> tuple[int, int]:
    company = await crm.create_company(runtime, SYSTEM, {"name": "Huta Szkła"}, owner_id=owner_id)
    person = await crm.create_person(
        runtime,
        SYSTEM,
        {"first_name": "Ewa", "last_name": "Szklarska"},
        crm.Related(emails=[crm.ContactInput("ewa@hutaszkla.pl")], employments=[crm.EmploymentInput(company)]),
        owner_id=owner_id,
    )
    return company, person


async def _win(client, token: str, process: dict, company: int, person: int, value: str) -> None:
    opportunity = await create_opportunity(
        client,
        token,
        name=f"Piec {value}",
        process=process["id"],
        company=gid("Company", company),
        person=gid("Person", person),
        value=value,
        currency="PLN",
    )
    won = await as_user(client, token, WIN, {"id": opportunity["id"]})
    assert won["data"]["opportunityWin"]["userErrors"] == [], won


async def test_a_won_opportunity_mails_the_client_once_creates_a_task_sets_fields_and_calls_webhooks(
    client, runtime, smtp, receiver, engine_kind
):
    users = await sales_team(runtime)
    (rep_id, rep), admin = users["rep1"], users["admin"][1]
    process = await create_process(client, admin)
    good = await _endpoint(client, admin, f"{receiver.url}/ok")
    broken = await _endpoint(client, admin, f"{receiver.url}/broken")
    rule = await _rule(
        client,
        admin,
        name="Thank big clients",
        conditions={
            "all": [
                {"field": "value", "op": "gte", "value": "10000"},
                {
                    "any": [
                        {"field": "currency", "op": "eq", "value": "PLN"},
                        {"field": "person_id", "op": "is_not_set"},
                    ]
                },
            ]
        },
        actions=[
            {
                "type": "email",
                "to": "client",
                "subject": "Dziękujemy, {{ recipient.first_name }}",
                "text": "Zamówienie na {{ event.value | money(event.currency) }} przyjęte.\n{{ owner.name }}",
                "html": "<p>Dziękujemy, {{ recipient.full_name }}</p>",
            },
            {"type": "task", "title": "Zadzwoń do {{ company.name }}", "assignee": "owner", "due_in_days": 2},
            {"type": "set_field", "record": "company", "field": "tag", "value": "kluczowy"},
            {"type": "set_field", "record": "person", "field": "lifecycle", "value": "customer"},
            {"type": "webhook", "endpoint_id": good["endpoint"]["id"]},
        ],
    )
    other = await _rule(
        client,
        admin,
        name="Tell the broken ERP",
        actions=[{"type": "webhook", "endpoint_id": broken["endpoint"]["id"]}],
    )
    never = await _rule(
        client,
        admin,
        name="Only huge deals",
        conditions={"all": [{"field": "value", "op": "gt", "value": 1000000}]},
        actions=[{"type": "email", "to": "owner", "subject": "Wow", "text": "{{ event.value }}"}],
    )
    company, person = await _client_file(runtime, rep_id)
    await _win(client, rep, process, company, person, "25000.00")

    async def rule_done() -> bool:
        runs = await RuleRun.select().where(RuleRun.rule == _id(rule))
        return bool(runs) and runs[0]["status"] == "succeeded"

    await wait_for(rule_done)
    await wait_for(lambda: _true(len(smtp.messages) == 1 and receiver.to("/ok")))
    [message] = smtp.messages
    subject = str(make_header(decode_header(message["Subject"])))
    assert (message["To"], subject) == ("ewa@hutaszkla.pl", "Dziękujemy, Ewa")
    [text] = [p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain"]
    assert "25" in text and "zł" in text and "Rep1" in text
    [task] = await Task.select()
    assert (task["title"], task["assignee"], task["company"], task["person"]) == (
        "Zadzwoń do Huta Szkła",
        rep_id,
        company,
        person,
    )
    tags = await CompanyTag.select(CompanyTag.tag.name).where(CompanyTag.company == company)
    assert [t["tag.name"] for t in tags] == ["kluczowy"]
    assert (await Person.select(Person.lifecycle).where(Person.id == person).first())["lifecycle"] == "customer"

    # The signed webhook, checked as a receiver would.
    [(headers, body)] = receiver.to("/ok")
    assert verify(good["secret"], headers, body)
    assert not verify(broken["secret"], headers, body)
    document = json.loads(body)
    assert document["type"] == "sales.opportunity.won"
    assert document["data"]["value"] == "25000.00" and document["data"]["company_id"] == company

    # The broken endpoint is retried with backoff; the log shows each failed attempt.
    async def two_failures() -> Any:
        edges = (await as_user(client, admin, DELIVERIES, {"id": broken["endpoint"]["id"]}))["data"]
        nodes = [e["node"] for e in edges["webhookDeliveries"]["edges"]]
        return nodes if nodes and nodes[0]["attemptCount"] >= 2 else None

    [failing] = await wait_for(two_failures, timeout=20)
    assert failing["status"] == "pending"
    assert [a["attempt"] for a in failing["attempts"]][:2] == [1, 2]
    assert {a["statusCode"] for a in failing["attempts"]} == {500}
    assert all(len(a["responseBody"]) == 2000 and a["error"] == "HTTP 500" for a in failing["attempts"])
    assert len({h["webhook-id"] for h, _ in receiver.to("/broken")}) == 1  # the same id on every attempt
    other_runs = await as_user(client, admin, RUNS, {"id": other["id"]})
    assert [n["node"]["status"] for n in other_runs["data"]["ruleRuns"]["edges"]] == ["succeeded"]
    runs = await as_user(client, admin, RUNS, {"id": rule["id"]})
    [run] = [edge["node"] for edge in runs["data"]["ruleRuns"]["edges"]]
    assert run["status"] == "succeeded" and run["error"] == "" and len(run["notes"]) == 5
    never_runs = await as_user(client, admin, RUNS, {"id": never["id"]})
    assert never_runs["data"]["ruleRuns"]["edges"] == []  # its condition did not hold

    # The run's job delivered again, or run by hand again, does nothing more.
    jobs = OutboxMessage.select().where(OutboxMessage.name == "core.run_rule").output(load_json=True)
    [job] = [row for row in await jobs if row["payload"]["rule_id"] == _id(rule)]
    [delivery] = await Delivery.select().where(Delivery.outbox_id == job["id"])
    assert await runtime.dispatcher.run_delivery(delivery["id"]) == "skipped"
    async with runtime.unit_of_work(SYSTEM) as uow:
        await run_rule(JobContext(runtime=runtime, uow=uow, actor=SYSTEM, owner="sales"), **job["payload"])
    await wait_for(lambda: _true(len(receiver.to("/ok")) == 1))
    assert len(smtp.messages) == 1 and await Task.count() == 1

    # A deal under the threshold runs nothing; a disabled rule runs nothing either.
    disable = """mutation($id: ID!) { ruleUpdate(id: $id, input: {enabled: false}) { rule { enabled }
        userErrors { code } } }"""
    disabled = await as_user(client, admin, disable, {"id": other["id"]})
    assert disabled["data"]["ruleUpdate"] == {"rule": {"enabled": False}, "userErrors": []}
    await _win(client, rep, process, company, person, "900.00")
    runs_before = await RuleRun.count()
    await wait_for(_no_pending_rule_work)
    assert await RuleRun.count() == runs_before
    assert len(smtp.messages) == 1


async def _true(value: Any) -> bool:
    return bool(value)


def _id(node: dict[str, Any]) -> int:
    return int(base64.b64decode(node["id"]).split(b":")[1])


async def _no_pending_rule_work() -> bool:
    """Every event was dispatched and every rule job finished."""
    undispatched = await OutboxMessage.count().where(OutboxMessage.dispatched_at.is_null())
    pending = await Delivery.count().where(
        (Delivery.status == "pending") & (Delivery.target.is_in(["sub.core.rules", "job.core.run_rule"]))
    )
    return undispatched == 0 and pending == 0


async def test_a_refused_webhook_fails_at_once_and_can_be_redelivered_and_a_failing_rule_is_logged(
    client, runtime, receiver, engine_kind
):
    users = await sales_team(runtime)
    (rep_id, rep), admin = users["rep1"], users["admin"][1]
    process = await create_process(client, admin)
    picky = await _endpoint(client, admin, f"{receiver.url}/picky")
    picky_id = _id(picky["endpoint"])
    await _rule(client, admin, name="Post", actions=[{"type": "webhook", "endpoint_id": picky["endpoint"]["id"]}])
    helper_id = await access.create_user(runtime, SYSTEM, email="pomoc@firma.pl", display_name="Pomoc")
    failing = await _rule(
        client,
        admin,
        name="Give it to the helper",
        actions=[{"type": "task", "title": "Wystaw fakturę", "assignee": gid("UserNode", helper_id), "due_in_days": 0}],
    )
    former = await _rule(
        client,
        admin,
        name="Win-backs only",
        conditions={"all": [{"field": "company.lifecycle", "op": "eq", "value": "former"}]},
        actions=[{"type": "webhook", "endpoint_id": picky["endpoint"]["id"]}],
    )
    current = await _rule(
        client,
        admin,
        name="Known clients",
        conditions={"all": [{"field": "company.lifecycle", "op": "in", "value": ["lead", "customer"]}]},
        actions=[{"type": "set_field", "record": "company", "field": "tag", "value": "wygrana"}],
    )
    await access.update_user(runtime, SYSTEM, helper_id, is_active=False)  # the task can no longer be given
    company, person = await _client_file(runtime, rep_id)
    await _win(client, rep, process, company, person, "5000.00")

    async def refused() -> Any:
        rows = await WebhookDelivery.select().where(WebhookDelivery.endpoint == picky_id)
        return rows if rows and rows[0]["status"] == "failed" else None

    [delivery] = await wait_for(refused)
    assert delivery["attempts"] == 1  # a 4xx refuses the message: no retries

    async def failed_run() -> Any:
        rows = await as_user(client, admin, RUNS, {"id": failing["id"]})
        nodes = [edge["node"] for edge in rows["data"]["ruleRuns"]["edges"]]
        return nodes if nodes and nodes[0]["status"] == "failed" else None

    [run] = await wait_for(failed_run)
    assert "UNKNOWN_USER" in run["error"] and await Task.count() == 0
    # Conditions on the company's current fields: the lead matches one rule, not the other.
    assert await RuleRun.count().where(RuleRun.rule == _id(former)) == 0
    await wait_for(lambda: RuleRun.exists().where((RuleRun.rule == _id(current)) & (RuleRun.status == "succeeded")))
    tags = await CompanyTag.select(CompanyTag.tag.name).where(CompanyTag.company == company)
    assert [t["tag.name"] for t in tags] == ["wygrana"]

    rotate = """mutation($id: ID!) { webhookEndpointRotateSecret(id: $id) { secret userErrors { code } } }"""
    rotated = (await as_user(client, admin, rotate, {"id": picky["endpoint"]["id"]}))["data"]
    new_secret = rotated["webhookEndpointRotateSecret"]["secret"]
    assert new_secret.startswith("whsec_") and new_secret != picky["secret"]
    receiver.status["/picky"] = 200
    retried = await as_user(client, admin, RETRY, {"id": gid("WebhookDeliveryType", delivery["id"])})
    assert retried["data"]["webhookDeliveryRetry"] == {
        "delivery": {"status": "pending", "attemptCount": 1},
        "userErrors": [],
    }

    async def delivered() -> Any:
        row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery["id"]).first()
        return row if row["status"] == "succeeded" else None

    assert (await wait_for(delivered))["attempts"] == 2
    first, second = receiver.to("/picky")
    assert first[0]["webhook-id"] == second[0]["webhook-id"] and first[1] == second[1]
    assert verify(picky["secret"], *first) and verify(new_secret, *second) and not verify(picky["secret"], *second)
    again = await as_user(client, admin, RETRY, {"id": gid("WebhookDeliveryType", delivery["id"])})
    assert again["data"]["webhookDeliveryRetry"]["userErrors"] == [{"field": ["id"], "code": "NOT_FAILED"}]
    log = await as_user(client, admin, DELIVERIES, {"id": picky["endpoint"]["id"]})
    [node] = [edge["node"] for edge in log["data"]["webhookDeliveries"]["edges"]]
    assert [(a["attempt"], a["statusCode"]) for a in node["attempts"]] == [(1, 400), (2, 200)]
    # The secret is never read back.
    endpoints = await as_user(client, admin, "{ webhookEndpoints { edges { node { id name url isActive } } } }")
    assert "secret" not in json.dumps(endpoints)


@pytest.mark.parametrize(
    ("fields", "code", "path"),
    [
        ({"eventType": "sales.opportunity.exploded"}, "UNKNOWN_EVENT", ["input", "eventType"]),
        (
            {"conditions": {"all": [{"field": "amount", "op": "eq", "value": "1"}]}},
            "UNKNOWN_FIELD",
            ["input", "conditions", "all", "0", "field"],
        ),
        (
            {"conditions": {"any": [{"field": "opportunity_id", "op": "contains", "value": "1"}]}},
            "OPERATOR_NOT_ALLOWED",
            ["input", "conditions", "any", "0", "op"],
        ),
        (
            {"conditions": {"all": [{"field": "opportunity_id", "op": "gt", "value": "many"}]}},
            "VALUE_TYPE",
            ["input", "conditions", "all", "0", "value"],
        ),
        (
            {"actions": [{"type": "email", "to": "client", "subject": "Hej", "text": "Dzień dobry\n{% if %}"}]},
            "TEMPLATE_SYNTAX",
            ["input", "actions", "0", "text"],
        ),
        (
            {"actions": [{"type": "email", "to": "client", "subject": "{{ recipient.salary }}", "text": "…"}]},
            "TEMPLATE_UNKNOWN_VARIABLE",
            ["input", "actions", "0", "subject"],
        ),
        (
            {"actions": [{"type": "set_field", "record": "company", "field": "name", "value": "X"}]},
            "UNKNOWN_FIELD",
            ["input", "actions", "0", "field"],
        ),
        (
            {"actions": [{"type": "webhook", "endpoint_id": gid("WebhookEndpoint", 999)}]},
            "UNKNOWN_ENDPOINT",
            ["input", "actions", "0", "endpoint_id"],
        ),
        # Ids in a rule are global ids, as everywhere in the API: a raw row id is refused.
        (
            {"actions": [{"type": "webhook", "endpoint_id": 1}]},
            "INVALID_ID",
            ["input", "actions", "0", "endpoint_id"],
        ),
        (
            {"actions": [{"type": "task", "title": "Zadzwoń", "assignee": 1}]},
            "INVALID_ID",
            ["input", "actions", "0", "assignee"],
        ),
        (
            {"actions": [{"type": "task", "title": "Zadzwoń", "assignee": gid("User", 1)}]},
            "INVALID_ID",
            ["input", "actions", "0", "assignee"],
        ),
        (
            {"conditions": {"all": [{"field": "company_id", "op": "eq", "value": 1}]}},
            "INVALID_ID",
            ["input", "conditions", "all", "0", "value"],
        ),
        (
            {"conditions": {"all": [{"field": "company_id", "op": "in", "value": [gid("Person", 1)]}]}},
            "INVALID_ID",
            ["input", "conditions", "all", "0", "value", "0"],
        ),
        ({"actions": [{"type": "sms"}]}, "INVALID_CHOICE", ["input", "actions", "0", "type"]),
        (
            {"conditions": {"all": [{"field": "company.name", "op": "eq", "value": "X"}]}},
            "UNKNOWN_FIELD",
            ["input", "conditions", "all", "0", "field"],
        ),
    ],
)
async def test_bad_rules_are_refused_with_a_path_and_a_code_and_nothing_is_written(
    client, runtime, engine_kind, fields, code, path
):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    good_action = {"type": "task", "title": "Zadzwoń", "assignee": "owner"}
    result = await as_user(
        client,
        admin,
        RULE_CREATE,
        {"input": {"name": "x", "eventType": "sales.opportunity.won", "actions": [good_action], **fields}},
    )
    [error] = result["data"]["ruleCreate"]["userErrors"]
    assert (error["code"], error["field"]) == (code, path), error
    if code == "TEMPLATE_SYNTAX":
        assert "2" in error["message"]  # the line
    assert await Rule.count() == 0


async def test_webhook_urls_event_types_and_permissions(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    for url, code in (("ftp://example.com/x", "INVALID_URL"), ("no address", "INVALID_URL")):
        created = await as_user(client, admin, ENDPOINT_CREATE, {"input": {"name": "x", "url": url}})
        assert created["data"]["webhookEndpointCreate"]["userErrors"] == [
            {"field": ["input", "url"], "code": code, "message": "An http(s) address is expected."}
        ]
    assert await WebhookEndpoint.count() == 0
    production = SimpleNamespace(settings=runtime.settings.with_overrides(profile="production"))
    with pytest.raises(DomainError) as refused:
        await rule_services.create_endpoint(production, SYSTEM, name="ERP", url="http://erp.example.com/hook")
    assert (refused.value.code, refused.value.field) == ("HTTPS_REQUIRED", ["input", "url"])
    types = await as_user(client, admin, "{ eventTypes { name plugin fields { name kind nullable operators } } }")
    won = next(t for t in types["data"]["eventTypes"] if t["name"] == "sales.opportunity.won")
    fields = {f["name"]: f for f in won["fields"]}
    assert won["plugin"] == "sales"
    assert fields["value"]["kind"] == "text" and "gte" in fields["value"]["operators"]
    assert (fields["company_id"]["kind"], fields["company_id"]["nullable"]) == ("number", True)
    assert "contains" not in fields["company_id"]["operators"]
    assert fields["company.lifecycle"]["kind"] == "text" and "person.kind" in fields
    denied = await as_user(client, rep, "{ rules { edges { node { id } } } }")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    denied = await as_user(client, rep, RULE_CREATE, {"input": {"name": "x", "eventType": "x", "actions": []}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Company.count() == 0
