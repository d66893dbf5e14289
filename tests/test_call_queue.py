"""The call queue (F12): queued calls per employee or team, the next call, outcomes on the timeline."""

import asyncio
import base64
from datetime import UTC, datetime, timedelta

from core.access import services as access
from core.access.tables import Team
from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.tables import CallQueueEntry, TimelineEntry
from core.db.tables import OutboxMessage
from tests.conftest import as_user, make_user

ENTRY = "id reason source status priority attempts maxAttempts outcome dueAt person { lastName } assignee { email }"
CREATE = f"""mutation($input: CallQueueEntryInput!) {{ callQueueEntryCreate(input: $input) {{
    entry {{ {ENTRY} team {{ name }} }} userErrors {{ field code }} }} }}"""
NEXT = f"mutation {{ nextCall {{ entry {{ {ENTRY} }} userErrors {{ field code }} }} }}"
LOG = f"""mutation($input: CallOutcomeInput!) {{ callQueueEntryLogOutcome(input: $input) {{
    entry {{ {ENTRY} }} call {{ kind title body durationMinutes source author {{ email }} }}
    userErrors {{ field code }} }} }}"""
QUEUE = """query($mine: Boolean, $status: CallQueueStatus, $dueBefore: DateTime, $team: ID) {
    callQueue(mine: $mine, status: $status, dueBefore: $dueBefore, team: $team) {
    edges { node { reason status person { lastName } } } } }"""


def gid(type_name: str, record_id: int) -> str:
    return base64.b64encode(f"{type_name}:{record_id}".encode()).decode()


def ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def office(runtime):
    """Two territories; a manager and two reps in one team, the first rep in Małopolska."""
    await access.create_team(runtime, SYSTEM, "Telefony")
    await access.create_territory(runtime, SYSTEM, "malopolskie", "Małopolska")
    await access.create_territory(runtime, SYSTEM, "podkarpackie", "Podkarpacie")
    users = {}
    for name, roles, territories in (
        ("boss", ["sales_manager"], []),
        ("rep1", ["sales_rep"], ["malopolskie"]),
        ("rep2", ["sales_rep"], ["malopolskie"]),
    ):
        users[name] = await make_user(
            runtime, f"{name}@firma.pl", roles=roles, team="Telefony", territories=territories
        )
    people = {}
    for last, territory in (("Adamska", "malopolskie"), ("Bednarz", "malopolskie"), ("Czajka", "podkarpackie")):
        people[last] = await crm.create_person(
            runtime,
            SYSTEM,
            {"first_name": "X", "last_name": last},
            crm.Related(phones=[crm.ContactInput("+48600100200")]),
            territory=territory,
            owner_id=users["boss"][0],
        )
    return users, people


async def queue(client, token, **values):
    result = await as_user(client, token, CREATE, {"input": values})
    assert result["data"]["callQueueEntryCreate"]["userErrors"] == [], result
    return result["data"]["callQueueEntryCreate"]["entry"]


async def test_the_next_call_comes_by_priority_then_due_time_and_its_outcome_is_logged(client, runtime, engine_kind):
    users, people = await office(runtime)
    boss, rep1 = users["boss"][1], users["rep1"][1]
    rep1_id = gid("UserNode", users["rep1"][0])
    later = await queue(
        client, boss, reason="Przypomnienie", person=gid("Person", people["Adamska"]), assignee=rep1_id, dueAt=ago(5)
    )
    urgent = await queue(
        client,
        boss,
        reason="Reklamacja",
        person=gid("Person", people["Bednarz"]),
        assignee=rep1_id,
        dueAt=ago(1),
        priority=1,
    )
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await queue(client, boss, reason="Jutro", person=gid("Person", people["Bednarz"]), assignee=rep1_id, dueAt=future)
    assert later["assignee"] == {"email": "rep1@firma.pl"} and later["source"] == "manual"

    first = (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"]
    assert first["id"] == urgent["id"]  # priority 1 before an older priority 3
    again = (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"]
    assert again["id"] == urgent["id"]  # an unfinished call comes back, not a second one

    reached = await as_user(
        client,
        rep1,
        LOG,
        {"input": {"id": urgent["id"], "outcome": "REACHED", "durationMinutes": 7, "notes": "Wymiana zatwierdzona"}},
    )
    logged = reached["data"]["callQueueEntryLogOutcome"]
    assert logged["userErrors"] == []
    assert logged["entry"]["status"] == "DONE" and logged["entry"]["outcome"] == "REACHED"
    assert logged["call"] == {
        "kind": "core.call",
        "title": "Reklamacja",
        "body": "Wymiana zatwierdzona",
        "durationMinutes": 7,
        "source": f"core.call_queue:{base64.b64decode(urgent['id']).decode().split(':')[1]}",
        "author": {"email": "rep1@firma.pl"},
    }
    timeline = await as_user(
        client,
        boss,
        'query($s: ID!) { timeline(subject: $s, kinds: ["core.call"]) { edges { node { title durationMinutes } } } }',
        {"s": gid("Person", people["Bednarz"])},
    )
    assert [e["node"] for e in timeline["data"]["timeline"]["edges"]] == [{"title": "Reklamacja", "durationMinutes": 7}]
    closed = await as_user(client, rep1, LOG, {"input": {"id": urgent["id"], "outcome": "REACHED"}})
    assert closed["data"]["callQueueEntryLogOutcome"]["userErrors"] == [{"field": ["input", "id"], "code": "NOT_OPEN"}]

    # The older entry is next; no answer twice, the third unanswered call closes it (max 3).
    assert (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"]["id"] == later["id"]
    no_answer = await as_user(client, rep1, LOG, {"input": {"id": later["id"], "outcome": "NO_ANSWER"}})
    retried = no_answer["data"]["callQueueEntryLogOutcome"]["entry"]
    assert retried["status"] == "OPEN" and retried["attempts"] == 1
    assert datetime.fromisoformat(retried["dueAt"]) > datetime.now(UTC) + timedelta(minutes=110)
    assert (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"] is None  # nothing else due now
    for expected in ("OPEN", "DONE"):
        step = await as_user(client, rep1, LOG, {"input": {"id": later["id"], "outcome": "NO_ANSWER"}})
        assert step["data"]["callQueueEntryLogOutcome"]["entry"]["status"] == expected
    calls = await TimelineEntry.count().where(TimelineEntry.person == people["Adamska"])
    assert calls == 3
    events = [r["name"] for r in await OutboxMessage.select(OutboxMessage.name).where(OutboxMessage.kind == "event")]
    assert events.count("core.call_queued") == 3 and events.count("core.call_logged") == 4


async def test_call_back_and_wrong_number(client, runtime, engine_kind):
    users, people = await office(runtime)
    boss, rep1, rep2 = users["boss"][1], users["rep1"][1], users["rep2"][1]
    team = (await Team.select(Team.id).first())["id"]
    entry = await queue(
        client, boss, reason="Oferta", person=gid("Person", people["Adamska"]), team=gid("TeamNode", team)
    )
    assert entry["assignee"] is None
    taken = (await as_user(client, rep2, NEXT))["data"]["nextCall"]["entry"]
    assert taken["id"] == entry["id"]
    assert (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"] is None  # taken by the colleague
    missing = await as_user(client, rep2, LOG, {"input": {"id": entry["id"], "outcome": "CALL_BACK"}})
    assert missing["data"]["callQueueEntryLogOutcome"]["userErrors"] == [
        {"field": ["input", "callBackAt"], "code": "REQUIRED"}
    ]
    past = await as_user(
        client, rep2, LOG, {"input": {"id": entry["id"], "outcome": "CALL_BACK", "callBackAt": ago(10)}}
    )
    assert past["data"]["callQueueEntryLogOutcome"]["userErrors"] == [
        {"field": ["input", "callBackAt"], "code": "IN_THE_PAST"}
    ]
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    back = await as_user(
        client,
        rep2,
        LOG,
        {
            "input": {
                "id": entry["id"],
                "outcome": "CALL_BACK",
                "callBackAt": tomorrow.isoformat(),
                "durationMinutes": 2,
            }
        },
    )
    rescheduled = back["data"]["callQueueEntryLogOutcome"]["entry"]
    assert rescheduled["status"] == "OPEN" and rescheduled["outcome"] == "CALL_BACK"
    assert rescheduled["assignee"] == {"email": "rep2@firma.pl"}  # the promise is the caller's
    assert abs(datetime.fromisoformat(rescheduled["dueAt"]) - tomorrow) < timedelta(seconds=1)
    # Not due yet, and no longer the team's: rep1 cannot log it.
    refused = await as_user(client, rep1, LOG, {"input": {"id": entry["id"], "outcome": "WRONG_NUMBER"}})
    assert refused["data"]["callQueueEntryLogOutcome"]["userErrors"] == [
        {"field": ["input", "id"], "code": "FORBIDDEN"}
    ]
    wrong = await as_user(client, rep2, LOG, {"input": {"id": entry["id"], "outcome": "WRONG_NUMBER"}})
    assert wrong["data"]["callQueueEntryLogOutcome"]["entry"]["status"] == "DONE"


async def test_a_sales_rep_sees_only_calls_of_clients_they_may_see(client, runtime, engine_kind):
    users, people = await office(runtime)
    boss, rep1 = users["boss"][1], users["rep1"][1]
    rep1_id = gid("UserNode", users["rep1"][0])
    await queue(client, boss, reason="Do Adamska", person=gid("Person", people["Adamska"]), assignee=rep1_id)
    # A call to Podkarpacie cannot be given to rep1, who does not see the client…
    refused = await as_user(
        client,
        boss,
        CREATE,
        {"input": {"reason": "Do Czajka", "person": gid("Person", people["Czajka"]), "assignee": rep1_id}},
    )
    assert refused["data"]["callQueueEntryCreate"]["userErrors"] == [
        {"field": ["input", "assignee"], "code": "ASSIGNEE_CANNOT_CALL"}
    ]
    # …but may go to rep1's team, where rep1 still never sees it.
    team = (await Team.select(Team.id).first())["id"]
    other = await queue(
        client, boss, reason="Do Czajka", person=gid("Person", people["Czajka"]), team=gid("TeamNode", team)
    )
    moved = await as_user(
        client,
        boss,
        "mutation($id: ID!, $a: ID) { callQueueEntryAssign(id: $id, assignee: $a) { userErrors { field code } } }",
        {"id": other["id"], "a": rep1_id},
    )
    assert moved["data"]["callQueueEntryAssign"]["userErrors"] == [
        {"field": ["assignee"], "code": "ASSIGNEE_CANNOT_CALL"}
    ]
    everything = await as_user(client, boss, QUEUE)
    assert sorted(e["node"]["reason"] for e in everything["data"]["callQueue"]["edges"]) == ["Do Adamska", "Do Czajka"]
    seen = await as_user(client, rep1, QUEUE, {"mine": True})
    assert [e["node"] for e in seen["data"]["callQueue"]["edges"]] == [
        {"reason": "Do Adamska", "status": "OPEN", "person": {"lastName": "Adamska"}}
    ]
    # Podkarpacie is outside rep1's area: not in the queue, not by id, not by nextCall.
    [hidden] = await CallQueueEntry.select(CallQueueEntry.id).where(CallQueueEntry.person == people["Czajka"])
    node = await as_user(
        client, rep1, "query($id: ID!) { node(id: $id) { id } }", {"id": gid("CallQueueEntry", hidden["id"])}
    )
    assert node["data"]["node"] is None
    logged = await as_user(
        client, rep1, LOG, {"input": {"id": gid("CallQueueEntry", hidden["id"]), "outcome": "REACHED"}}
    )
    assert logged["data"]["callQueueEntryLogOutcome"]["userErrors"] == [{"field": ["input", "id"], "code": "NOT_FOUND"}]
    first = (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"]
    assert first["reason"] == "Do Adamska"
    await as_user(client, rep1, LOG, {"input": {"id": first["id"], "outcome": "REACHED"}})
    assert (await as_user(client, rep1, NEXT))["data"]["nextCall"]["entry"] is None
    outside = await as_user(client, rep1, CREATE, {"input": {"reason": "X", "person": gid("Person", people["Czajka"])}})
    assert outside["data"]["callQueueEntryCreate"]["userErrors"] == [
        {"field": ["input", "person"], "code": "NOT_FOUND"}
    ]


async def test_bad_input_and_missing_rights_are_refused_and_write_nothing(client, runtime, engine_kind):
    users, people = await office(runtime)
    boss, rep1 = users["boss"][1], users["rep1"][1]
    person = gid("Person", people["Adamska"])
    cases = [
        (
            {"reason": "X", "person": person, "assignee": gid("UserNode", users["rep2"][0])},
            ["input", "assignee"],
            "FORBIDDEN",
        ),
        ({"reason": " ", "person": person}, ["input", "reason"], "BLANK"),
        ({"reason": "X"}, ["input", "person"], "NO_SUBJECT"),
        ({"reason": "X", "person": person, "priority": 9}, ["input", "priority"], "OUT_OF_RANGE"),
        ({"reason": "X", "person": gid("Company", people["Adamska"])}, ["input", "person"], "INVALID_ID"),
    ]
    for values, path, code in cases:
        result = await as_user(client, rep1, CREATE, {"input": values})
        assert result["data"]["callQueueEntryCreate"]["userErrors"] == [{"field": path, "code": code}], values
    assert await CallQueueEntry.count() == 0
    own = await queue(client, rep1, reason="Moje", person=person)
    assert own["assignee"] == {"email": "rep1@firma.pl"}
    reassign = await as_user(
        client,
        rep1,
        "mutation($id: ID!, $a: ID) { callQueueEntryAssign(id: $id, assignee: $a) { userErrors { code } } }",
        {"id": own["id"], "a": gid("UserNode", users["rep2"][0])},
    )
    assert reassign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    given = await as_user(
        client,
        boss,
        "mutation($id: ID!, $a: ID) { callQueueEntryAssign(id: $id, assignee: $a) { entry { assignee { email } } } }",
        {"id": own["id"], "a": gid("UserNode", users["rep2"][0])},
    )
    assert given["data"]["callQueueEntryAssign"]["entry"]["assignee"] == {"email": "rep2@firma.pl"}
    cancel = "mutation($id: ID!) { callQueueEntryCancel(id: $id) { entry { status } userErrors { field code } } }"
    not_mine = await as_user(client, rep1, cancel, {"id": own["id"]})
    assert not_mine["data"]["callQueueEntryCancel"]["userErrors"] == [{"field": ["id"], "code": "FORBIDDEN"}]
    cancelled = await as_user(client, users["rep2"][1], cancel, {"id": own["id"]})
    assert cancelled["data"]["callQueueEntryCancel"]["entry"] == {"status": "CANCELLED"}
    assert (await as_user(client, boss, QUEUE, {"status": "CANCELLED"}))["data"]["callQueue"]["edges"] != []
    assert (await as_user(client, boss, QUEUE))["data"]["callQueue"]["edges"] == []


async def test_removing_a_client_cancels_their_open_calls(client, runtime, engine_kind):
    users, people = await office(runtime)
    boss = users["boss"][1]
    open_call = await queue(client, boss, reason="Oferta", person=gid("Person", people["Bednarz"]))
    done_call = await queue(client, boss, reason="Ankieta", person=gid("Person", people["Bednarz"]))
    await as_user(client, boss, LOG, {"input": {"id": done_call["id"], "outcome": "REACHED"}})
    other = await queue(client, boss, reason="Oferta", person=gid("Person", people["Adamska"]))
    removed = await as_user(
        client,
        boss,
        "mutation($id: ID!) { personDelete(id: $id) { userErrors { code } } }",
        {"id": gid("Person", people["Bednarz"])},
    )
    assert removed["data"]["personDelete"]["userErrors"] == []
    statuses = {
        gid("CallQueueEntry", row["id"]): (row["status"], row["outcome"])
        for row in await CallQueueEntry.select(CallQueueEntry.id, CallQueueEntry.status, CallQueueEntry.outcome)
    }
    assert statuses == {
        open_call["id"]: ("cancelled", ""),
        done_call["id"]: ("done", "reached"),  # history stays as it was
        other["id"]: ("open", ""),
    }
    cancelled = await OutboxMessage.count().where(OutboxMessage.name == "core.call_cancelled")
    assert cancelled == 1


async def test_merging_moves_calls_to_the_winner_and_erasing_removes_them(client, runtime, engine_kind):
    from core.crm.gdpr import erase_person
    from core.crm.merge import merge

    users, people = await office(runtime)
    boss = users["boss"][1]
    await queue(client, boss, reason="Oferta", person=gid("Person", people["Bednarz"]))
    await merge(runtime, SYSTEM, "person", people["Adamska"], people["Bednarz"])
    [moved] = await CallQueueEntry.select(CallQueueEntry.person)
    assert moved["person"] == people["Adamska"]
    await erase_person(runtime, SYSTEM, people["Adamska"])
    assert await CallQueueEntry.count() == 0


async def test_concurrent_agents_never_get_the_same_call(client, runtime, engine_kind):
    """Four agents of one team work 40 team calls at once: each call is made exactly once (on
    PostgreSQL by FOR UPDATE SKIP LOCKED and the compare-and-set, on SQLite by its write lock)."""
    from core.api import CallRequest, enqueue_calls

    users, people = await office(runtime)
    agents = [users["rep1"][1], users["rep2"][1]]
    for number in (3, 4):
        _user, token = await make_user(
            runtime, f"rep{number}@firma.pl", roles=["sales_rep"], team="Telefony", territories=["malopolskie"]
        )
        agents.append(token)
    team = (await Team.select(Team.id).first())["id"]
    requests = [
        CallRequest(reason=f"Ankieta {n}", person_id=people["Adamska" if n % 2 else "Bednarz"], team_id=team)
        for n in range(40)
    ]
    await enqueue_calls(runtime, SYSTEM, requests)

    async def work(token: str) -> list[str]:
        made = []
        while True:
            entry = (await as_user(client, token, NEXT))["data"]["nextCall"]["entry"]
            if entry is None:
                return made
            made.append(entry["id"])
            result = await as_user(client, token, LOG, {"input": {"id": entry["id"], "outcome": "REACHED"}})
            assert result["data"]["callQueueEntryLogOutcome"]["userErrors"] == [], result

    made = await asyncio.gather(*(work(token) for token in agents))
    every = [entry for agent in made for entry in agent]
    assert len(every) == 40 and len(set(every)) == 40
    assert sum(1 for agent in made if agent) > 1  # the work was shared, not done by one agent
    assert await TimelineEntry.count().where(TimelineEntry.kind == "core.call") == 40


async def test_a_call_left_claimed_goes_back_to_the_team(client, runtime, engine_kind):
    """An agent who took a call and left (no outcome within 30 minutes) does not keep it."""
    from core.access.services import actor_for_user
    from core.access.tables import User
    from core.call_queue import services as call_queue

    users, people = await office(runtime)
    team = (await Team.select(Team.id).first())["id"]
    entry = await queue(
        client,
        users["boss"][1],
        reason="Oferta",
        person=gid("Person", people["Adamska"]),
        team=gid("TeamNode", team),
        dueAt=ago(60),
    )
    rep1, rep2 = [
        await actor_for_user(runtime, await User.select().where(User.id == users[name][0]).first())
        for name in ("rep1", "rep2")
    ]
    now = datetime.now(UTC)
    taken = await call_queue.next_call(runtime, rep1, now=now - timedelta(minutes=31))
    assert gid("CallQueueEntry", taken) == entry["id"]
    assert await call_queue.next_call(runtime, rep2, now=now - timedelta(minutes=2)) is None  # still rep1's
    assert await call_queue.next_call(runtime, rep2, now=now) == taken
