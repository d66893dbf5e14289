"""Tasks, calendar views, reminders, recurrence and the iCalendar feed."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from core.access import services as access
from core.auth import SYSTEM
from core.db.tables import OutboxMessage
from core.jobs.context import JobContext
from core.tasks.services import send_due_reminders
from tests.conftest import as_user, make_user

CREATE = """mutation($input: TaskInput!) { taskCreate(input: $input) {
    task { id title dueAt remindAt recurrence assignee { email } } userErrors { field code } } }"""
CALENDAR = """query($start: DateTime!, $end: DateTime!, $users: [ID!]) {
    calendar(start: $start, end: $end, users: $users) { title assignee { email } } }"""


def at(day: int, hour: int = 9) -> str:
    return datetime(2026, 12, day, hour, tzinfo=UTC).isoformat()


async def team(runtime):
    await access.create_team(runtime, SYSTEM, "Kraków")
    users = {}
    for name, roles in (("rep1", ["sales_rep"]), ("rep2", ["sales_rep"]), ("boss", ["sales_manager"])):
        users[name] = await make_user(runtime, f"{name}@firma.pl", roles=roles, team="Kraków")
    return users


async def test_calendar_views_for_one_or_many_people(client, runtime, engine_kind):
    users = await team(runtime)
    rep1, rep2, boss = users["rep1"][1], users["rep2"][1], users["boss"][1]
    for token, title, day in (
        (rep1, "Telefon do Huty", 1),
        (rep1, "Oferta", 3),
        (rep2, "Wizyta", 2),
        (rep1, "Później", 20),
    ):
        created = await as_user(client, token, CREATE, {"input": {"title": title, "dueAt": at(day)}})
        assert created["data"]["taskCreate"]["userErrors"] == [], created
    week = {"start": at(1, 0), "end": at(8, 0)}
    own = await as_user(client, rep1, CALENDAR, week)
    assert [t["title"] for t in own["data"]["calendar"]] == ["Telefon do Huty", "Oferta"]  # a rep sees their own
    other = await as_user(client, rep1, CALENDAR, {**week, "users": [_user_gid(users["rep2"][0])]})
    assert other["data"]["calendar"] == []
    both = await as_user(
        client, boss, CALENDAR, {**week, "users": [_user_gid(users["rep1"][0]), _user_gid(users["rep2"][0])]}
    )
    assert [t["title"] for t in both["data"]["calendar"]] == ["Telefon do Huty", "Wizyta", "Oferta"]
    month = await as_user(
        client, boss, CALENDAR, {"start": at(1, 0), "end": datetime(2027, 1, 1, tzinfo=UTC).isoformat()}
    )
    assert len(month["data"]["calendar"]) == 4
    too_long = await as_user(
        client, boss, CALENDAR, {"start": at(1, 0), "end": datetime(2028, 1, 1, tzinfo=UTC).isoformat()}
    )
    assert too_long["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    backwards = await as_user(client, boss, CALENDAR, {"start": at(3), "end": at(1)})
    assert backwards["errors"][0]["extensions"]["field"] == ["end"]  # the argument's name
    # A time without a zone is UTC, not a crash comparing it with one that has a zone.
    naive = await as_user(client, boss, CALENDAR, {"start": "2026-12-01T00:00:00", "end": at(4)})
    assert [t["title"] for t in naive["data"]["calendar"]] == ["Telefon do Huty", "Wizyta", "Oferta"]


def _user_gid(user_id: int) -> str:
    import base64

    return base64.b64encode(f"UserNode:{user_id}".encode()).decode()


async def test_assigning_needs_permission_and_bad_input_is_refused(client, runtime, engine_kind):
    users = await team(runtime)
    rep1, boss = users["rep1"][1], users["boss"][1]
    refused = await as_user(
        client,
        rep1,
        CREATE,
        {"input": {"title": "Dla kolegi", "dueAt": at(1), "assignee": _user_gid(users["rep2"][0])}},
    )
    assert refused["data"]["taskCreate"]["userErrors"] == [{"field": ["input", "assignee"], "code": "FORBIDDEN"}]
    given = await as_user(
        client, boss, CREATE, {"input": {"title": "Dla rep1", "dueAt": at(1), "assignee": _user_gid(users["rep1"][0])}}
    )
    assert given["data"]["taskCreate"]["task"]["assignee"] == {"email": "rep1@firma.pl"}
    bad_rule = await as_user(
        client, rep1, CREATE, {"input": {"title": "X", "dueAt": at(1), "recurrence": "EVERY MONDAY"}}
    )
    assert bad_rule["data"]["taskCreate"]["userErrors"] == [
        {"field": ["input", "recurrence"], "code": "INVALID_RECURRENCE"}
    ]
    blank = await as_user(client, rep1, CREATE, {"input": {"title": " ", "dueAt": at(1)}})
    assert blank["data"]["taskCreate"]["userErrors"] == [{"field": ["input", "title"], "code": "BLANK"}]


async def test_recurring_task_continues_when_completed(client, runtime, engine_kind):
    users = await team(runtime)
    rep1 = users["rep1"][1]
    task = await as_user(
        client,
        rep1,
        CREATE,
        {
            "input": {
                "title": "Raport tygodniowy",
                "dueAt": at(7, 8),
                "recurrence": "FREQ=WEEKLY",
                "remindMinutesBefore": 60,
            }
        },
    )
    task_id = task["data"]["taskCreate"]["task"]["id"]
    done = await as_user(
        client,
        rep1,
        "mutation($id: ID!) { taskComplete(id: $id) { nextTask { dueAt remindAt } userErrors { code } } }",
        {"id": task_id},
    )
    following = done["data"]["taskComplete"]["nextTask"]
    assert datetime.fromisoformat(following["dueAt"]) == datetime(2026, 12, 14, 8, tzinfo=UTC)
    assert datetime.fromisoformat(following["remindAt"]) == datetime(2026, 12, 14, 7, tzinfo=UTC)
    again = await as_user(
        client, rep1, "mutation($id: ID!) { taskComplete(id: $id) { userErrors { code } } }", {"id": task_id}
    )
    assert again["data"]["taskComplete"]["userErrors"] == [{"code": "NOT_OPEN"}]


async def test_reminders_are_sent_once(client, runtime, engine_kind):
    users = await team(runtime)
    rep1 = users["rep1"][1]
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    await as_user(client, rep1, CREATE, {"input": {"title": "Zadzwoń", "dueAt": soon, "remindMinutesBefore": 10}})
    await as_user(client, rep1, CREATE, {"input": {"title": "Za tydzień", "dueAt": at(28), "remindMinutesBefore": 10}})
    for _ in range(2):
        async with runtime.unit_of_work(SYSTEM) as uow:
            await send_due_reminders(JobContext(runtime=runtime, uow=uow, actor=SYSTEM))
    reminders = (
        await OutboxMessage.select().where(OutboxMessage.name == "core.task_reminder_due").output(load_json=True)
    )
    assert [r["payload"]["title"] for r in reminders] == ["Zadzwoń"]
    assert "core.task_reminders" in runtime.registry.schedules


async def test_icalendar_feed_for_thunderbird(client, runtime, engine_kind):
    users = await team(runtime)
    rep1 = users["rep1"][1]
    await as_user(
        client,
        rep1,
        CREATE,
        {
            "input": {
                "title": "Spotkanie z Hutą",
                "dueAt": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                "durationMinutes": 90,
            }
        },
    )
    url = (await as_user(client, rep1, "mutation { calendarFeedCreate { url userErrors { code } } }"))["data"][
        "calendarFeedCreate"
    ]["url"]
    response = await client.get(url)  # no headers: calendar programs send none
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]
    assert [str(e["summary"]) for e in events] == ["Spotkanie z Hutą"]
    assert events[0].decoded("dtend") - events[0].decoded("dtstart") == timedelta(minutes=90)
    renewed = (await as_user(client, rep1, "mutation { calendarFeedCreate { url } }"))["data"]["calendarFeedCreate"][
        "url"
    ]
    assert (await client.get(url)).status_code == 404  # the old address stopped working
    assert (await client.get(renewed)).status_code == 200
    assert (await client.get("/plugins/core/calendar/guess.ics")).status_code == 404
