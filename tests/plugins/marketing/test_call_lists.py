"""A segment's call list becomes queued calls: phone and consent to calls, no duplicates, a cap."""

from core.access import services as access
from core.access.tables import Team
from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.gdpr import give_consent
from core.crm.tables import CallQueueEntry
from core.db.tables import OutboxMessage
from plugins.marketing.services import call_lists, segments
from tests.conftest import as_user, make_user, wait_for
from tests.plugins.marketing.helpers import person
from tests.plugins.marketing.test_campaigns import gid

QUEUE_CALLS = """mutation($input: SegmentCallsInput!) { segmentQueueCalls(input: $input) {
    queued skipped userErrors { field code } } }"""
NEXT = "mutation { nextCall { entry { reason source person { lastName } } } }"


async def call_list(runtime):
    """A VIP segment of the manager's clients: two members with a phone who agreed to calls, one
    who did not, one without a phone."""
    await access.create_team(runtime, SYSTEM, "Telefony")
    boss_id, boss = await make_user(runtime, "boss@firma.pl", roles=["sales_manager"], team="Telefony")
    members = {}
    for last, phone, calls in (
        ("Adamska", "+48600100200", True),
        ("Bednarz", "+48600100201", True),
        ("Czajka", "+48600100202", False),
        ("Dudek", None, True),
    ):
        members[last] = await person(runtime, "X", last, None, tags=("vip",), consent=False, phone=phone)
        await crm.update_person(runtime, SYSTEM, members[last], {}, owner_id=boss_id)
        if calls:
            await give_consent(runtime, SYSTEM, members[last], "marketing", "phone", "telefon")
    segment = await segments.create_segment(runtime, SYSTEM, name="VIP", description="", criteria={"tag": "vip"})
    team = (await Team.select(Team.id).first())["id"]
    return boss, segment, team


async def queued(*expected: str) -> None:
    """Wait for the background job to have queued calls to exactly these persons."""

    async def names() -> bool:
        rows = await CallQueueEntry.select(CallQueueEntry.person.last_name).order_by(CallQueueEntry.person.last_name)
        return [row["person.last_name"] for row in rows] == list(expected)

    await wait_for(names)


async def test_a_segment_becomes_calls_for_a_team_once(client, runtime, engine_kind):
    boss, segment, team = await call_list(runtime)
    _agent, agent = await make_user(runtime, "agent@firma.pl", roles=["call_agent"], team="Telefony")
    given = {"segment": gid("Segment", segment), "team": gid("TeamNode", team), "reason": "Nowa oferta VIP"}
    first = await as_user(client, boss, QUEUE_CALLS, {"input": given})
    assert first["data"]["segmentQueueCalls"] == {"queued": 2, "skipped": 0, "userErrors": []}
    await queued("Adamska", "Bednarz")  # a phone and consent to calls for marketing
    again = await as_user(client, boss, QUEUE_CALLS, {"input": given})
    assert again["data"]["segmentQueueCalls"] == {"queued": 0, "skipped": 2, "userErrors": []}
    # Without the consent test (calls a contract needs), Czajka too; Dudek has no phone.
    everyone = await as_user(client, boss, QUEUE_CALLS, {"input": {**given, "requireConsent": False}})
    assert everyone["data"]["segmentQueueCalls"] == {"queued": 1, "skipped": 2, "userErrors": []}
    await queued("Adamska", "Bednarz", "Czajka")
    listed = await as_user(
        client,
        boss,
        "query($s: String) { callQueue(source: $s) { edges { node { team { name } } } } }",
        {"s": f"marketing.segment:{segment}"},
    )
    assert [e["node"] for e in listed["data"]["callQueue"]["edges"]] == [{"team": {"name": "Telefony"}}] * 3
    other = await as_user(client, boss, 'query { callQueue(source: "manual") { edges { node { id } } } }')
    assert other["data"]["callQueue"]["edges"] == []

    # The team's agent works the list.
    taken = (await as_user(client, agent, NEXT))["data"]["nextCall"]["entry"]
    assert taken == {
        "reason": "Nowa oferta VIP",
        "source": f"marketing.segment:{segment}",
        "person": {"lastName": "Adamska"},
    }


async def test_refusals_write_nothing(client, runtime, engine_kind, monkeypatch):
    boss, segment, team = await call_list(runtime)
    _marketer, marketer = await make_user(runtime, "m@firma.pl", roles=["marketer"])
    given = {"segment": gid("Segment", segment), "team": gid("TeamNode", team), "reason": "Oferta"}
    no_queue_rights = await as_user(client, marketer, QUEUE_CALLS, {"input": given})
    assert no_queue_rights["data"]["segmentQueueCalls"]["userErrors"] == [{"field": [], "code": "FORBIDDEN"}]
    cases = [
        ({**given, "reason": " "}, ["input", "reason"], "BLANK"),
        ({**given, "purpose": " "}, ["input", "purpose"], "BLANK"),
        ({**given, "segment": gid("Segment", segment + 100)}, ["input", "segment"], "NOT_FOUND"),
        ({**given, "team": gid("TeamNode", team + 100)}, ["input", "team"], "UNKNOWN_TEAM"),
    ]
    for values, path, code in cases:
        refused = await as_user(client, boss, QUEUE_CALLS, {"input": values})
        assert refused["data"]["segmentQueueCalls"]["userErrors"] == [{"field": path, "code": code}], values
    monkeypatch.setattr(call_lists, "MAX_CALLS", 1)
    too_many = await as_user(client, boss, QUEUE_CALLS, {"input": given})
    assert too_many["data"]["segmentQueueCalls"]["userErrors"] == [{"field": ["input", "segment"], "code": "TOO_MANY"}]
    assert await CallQueueEntry.count() == 0
    assert not await OutboxMessage.exists().where(OutboxMessage.name == "core.enqueue_calls")  # nor later
