"""Recurring tasks follow RFC 5545: the series is counted from its start (DTSTART), never from
the task just completed, so COUNT and UNTIL end it; BYDAY and the rest as python-dateutil reads them."""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from core.errors import DomainError
from core.tasks.services import _check_rule, next_occurrence, occurrences
from tests.conftest import as_user, make_user

MONDAY = datetime(2026, 12, 7, 9, tzinfo=UTC)  # a Monday
WEDNESDAY = datetime(2026, 12, 9, 9, tzinfo=UTC)


def day(month: int, date: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, date, hour, tzinfo=UTC)


def series(rule: str, start: datetime, zone: tzinfo = UTC) -> list[datetime]:
    """Every occurrence, by completing one task after the other (a guard stops endless rules)."""
    found, index = [start], 1
    while len(found) < 50:
        following = next_occurrence(rule, start, index, zone)
        if following is None:
            return found
        found.append(following)
        index += 1
    return found


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ("FREQ=WEEKLY;COUNT=3", MONDAY, [MONDAY, day(12, 14), day(12, 21)]),
        ("FREQ=DAILY;COUNT=1", MONDAY, [MONDAY]),
        ("FREQ=DAILY;COUNT=4", MONDAY, [MONDAY, day(12, 8), day(12, 9), day(12, 10)]),
        ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4", MONDAY, [MONDAY, day(12, 9), day(12, 14), day(12, 16)]),
        # A start the rule would not produce is still the first occurrence, and counts (RFC 5545).
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=3", WEDNESDAY, [WEDNESDAY, day(12, 14), day(12, 21)]),
        ("FREQ=WEEKLY;UNTIL=20261221T090000Z", MONDAY, [MONDAY, day(12, 14), day(12, 21)]),
        ("FREQ=WEEKLY;UNTIL=20261220T235959Z", MONDAY, [MONDAY, day(12, 14)]),
        ("FREQ=DAILY;UNTIL=20261201T000000Z", MONDAY, [MONDAY]),  # UNTIL before the start
        ("FREQ=WEEKLY;INTERVAL=2;COUNT=3", MONDAY, [MONDAY, day(12, 21), day(1, 4, year=2027)]),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
            day(1, 31, year=2027),
            [day(1, 31, year=2027), day(3, 31, year=2027), day(5, 31, year=2027)],
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
            day(12, 25),
            [day(12, 25), day(1, 29, year=2027), day(2, 26, year=2027)],
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            day(12, 31),
            [day(12, 31), day(1, 29, year=2027), day(2, 26, year=2027)],
        ),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2",
            day(2, 29, year=2028),
            [day(2, 29, year=2028), day(2, 29, year=2032)],
        ),
        ("FREQ=HOURLY;INTERVAL=4;COUNT=3", MONDAY, [MONDAY, day(12, 7, 13), day(12, 7, 17)]),
        ("FREQ=DAILY;BYDAY=SA,SU;COUNT=2", MONDAY, [MONDAY, day(12, 12)]),
    ],
)
def test_a_series_ends_where_rfc_5545_says(rule: str, start: datetime, expected: list[datetime]):
    assert series(rule, start) == expected
    assert list(occurrences(rule, start, UTC))[: len(expected) + 1] == expected


def test_an_endless_rule_continues_from_the_series_start_not_from_the_task():
    # The 10th occurrence of "every second day" is 18 days after the start, whatever the task's date.
    assert next_occurrence("FREQ=DAILY;INTERVAL=2", MONDAY, 9, UTC) == day(12, 25)
    assert next_occurrence("FREQ=WEEKLY;BYDAY=FR", MONDAY, 1, UTC) == day(12, 11)
    assert next_occurrence("FREQ=WEEKLY;BYDAY=FR", MONDAY, 3, UTC) == day(12, 25)


WARSAW = ZoneInfo("Europe/Warsaw")  # DST: 2026-10-25, 2027-03-28 and 2027-10-31, at 02:00/03:00


def warsaw(month: int, date: int, hour: int = 9, minute: int = 0, year: int = 2027, fold: int = 0) -> datetime:
    """A Warsaw wall-clock time, as the UTC instant the API stores."""
    return datetime(year, month, date, hour, minute, tzinfo=WARSAW, fold=fold).astimezone(UTC)


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        # 9:00 stays 9:00 local across both switches (08:00Z in winter, 07:00Z in summer).
        ("FREQ=WEEKLY;COUNT=3", warsaw(3, 22), [warsaw(3, 22), warsaw(3, 29), warsaw(4, 5)]),
        (
            "FREQ=WEEKLY;COUNT=3",
            warsaw(10, 19, year=2026),
            [warsaw(10, 19, year=2026), warsaw(10, 26, year=2026), warsaw(11, 2, year=2026)],
        ),
        ("FREQ=DAILY;COUNT=3", warsaw(10, 30), [warsaw(10, 30), warsaw(10, 31), warsaw(11, 1)]),
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", warsaw(2, 26), [warsaw(2, 26), warsaw(3, 26), warsaw(4, 30)]),
        # BYDAY is the local day: Monday 00:30 in Warsaw is Sunday 23:30 in UTC.
        (
            "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            warsaw(12, 7, 0, 30, 2026),
            [warsaw(12, 7, 0, 30, 2026), warsaw(12, 14, 0, 30, 2026), warsaw(12, 21, 0, 30, 2026)],
        ),
        (
            "FREQ=WEEKLY;BYDAY=SU;COUNT=2",
            warsaw(12, 7, 0, 30, 2026),
            [warsaw(12, 7, 0, 30, 2026), warsaw(12, 13, 0, 30, 2026)],
        ),
        (
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=3",
            warsaw(12, 4, 23, 30, 2026),  # Friday 23:30 local
            [warsaw(12, 4, 23, 30, 2026), warsaw(12, 7, 23, 30, 2026), warsaw(12, 8, 23, 30, 2026)],
        ),
        # 02:30 does not exist on 28 March: shifted forward by the gap to 03:30 (RFC 5545, fold=0).
        (
            "FREQ=DAILY;COUNT=3",
            warsaw(3, 27, 2, 30),
            [warsaw(3, 27, 2, 30), warsaw(3, 28, 3, 30), warsaw(3, 29, 2, 30)],
        ),
        # 02:30 exists twice on 31 October: the first of the two (summer time, fold=0).
        (
            "FREQ=DAILY;COUNT=3",
            warsaw(10, 30, 2, 30),
            [warsaw(10, 30, 2, 30), warsaw(10, 31, 2, 30), warsaw(11, 1, 2, 30)],
        ),
        # A series starting in the second 02:30 keeps its start, then goes on at 02:30 local.
        (
            "FREQ=DAILY;COUNT=3",
            warsaw(10, 31, 2, 30, fold=1),
            [warsaw(10, 31, 2, 30, fold=1), warsaw(11, 1, 2, 30), warsaw(11, 2, 2, 30)],
        ),
        # Hourly in the spring gap: local 02:00 is 03:00, once; COUNT still gives four instances.
        (
            "FREQ=HOURLY;COUNT=4",
            warsaw(3, 28, 0),
            [datetime(2027, 3, 27, 23, tzinfo=UTC)] + [datetime(2027, 3, 28, hour, tzinfo=UTC) for hour in (0, 1, 2)],
        ),
        # Hourly in the autumn fold: wall-clock hours, so the repeated 02:00 is taken once.
        ("FREQ=HOURLY;COUNT=5", warsaw(10, 31, 0), [warsaw(10, 31, hour) for hour in range(5)]),
        # UNTIL is a UTC instant, compared with the localised occurrences.
        ("FREQ=WEEKLY;UNTIL=20270405T070000Z", warsaw(3, 22), [warsaw(3, 22), warsaw(3, 29), warsaw(4, 5)]),
        ("FREQ=WEEKLY;UNTIL=20270405T065959Z", warsaw(3, 22), [warsaw(3, 22), warsaw(3, 29)]),
        ("FREQ=WEEKLY;UNTIL=20270315T000000Z", warsaw(3, 22), [warsaw(3, 22)]),  # UNTIL before the start
        ("FREQ=WEEKLY;UNTIL=20270405T090000+0200", warsaw(3, 22), [warsaw(3, 22), warsaw(3, 29), warsaw(4, 5)]),
        ("FREQ=WEEKLY;until=20270405t0659z;BYDAY=MO", warsaw(3, 22), [warsaw(3, 22), warsaw(3, 29)]),
        ("FREQ=WEEKLY;COUNT=2;BYDAY=MO", warsaw(3, 24), [warsaw(3, 24), warsaw(3, 29)]),  # COUNT not last
    ],
)
def test_a_series_keeps_the_local_wall_clock_time_and_day(rule: str, start: datetime, expected: list[datetime]):
    assert series(rule, start, WARSAW) == expected
    assert list(occurrences(rule, start, WARSAW))[: len(expected) + 1] == expected


def test_the_same_rule_in_utc_drifts_an_hour_local_and_judges_the_utc_day():
    """What the deployment zone fixes: counted in UTC, 9:00 Warsaw becomes 10:00 after March."""
    assert next_occurrence("FREQ=WEEKLY", warsaw(3, 22), 1, UTC) == warsaw(3, 29, 10)
    sunday_in_utc = next_occurrence("FREQ=WEEKLY;BYDAY=MO", warsaw(12, 7, 0, 30, 2026), 1, UTC)
    assert sunday_in_utc == warsaw(12, 8, 0, 30, 2026)  # the UTC Monday, i.e. Tuesday local


@pytest.mark.parametrize(
    "rule",
    [
        "EVERY MONDAY",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;COUNT=5",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;UNTIL=20261221T090000",  # a floating UNTIL with a UTC start (RFC 5545 forbids)
        "FREQ=WEEKLY\nRRULE:FREQ=DAILY",
        "DTSTART:20260101T000000Z",
        "BYDAY=MO",
        "FREQ=WEEKLY;BYDAY=XX",
    ],
)
def test_rules_a_task_cannot_follow_are_refused(rule: str):
    with pytest.raises(DomainError) as refused:
        _check_rule(rule)
    assert refused.value.code == "INVALID_RECURRENCE"


def test_accepted_rules_are_kept_without_the_rrule_prefix():
    assert _check_rule(" RRULE:FREQ=WEEKLY;BYDAY=MO ") == "FREQ=WEEKLY;BYDAY=MO"
    assert _check_rule("") == ""


CREATE = """mutation($input: TaskInput!) { taskCreate(input: $input) {
    task { id dueAt occurrence seriesStart } userErrors { field code } } }"""
COMPLETE = """mutation($id: ID!) { taskComplete(id: $id) {
    task { id status occurrence } nextTask { id dueAt occurrence seriesStart } userErrors { code } } }"""


async def test_completing_the_third_of_count_3_creates_no_fourth(client, runtime, engine_kind):
    _user, token = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
    created = await as_user(
        client,
        token,
        CREATE,
        {"input": {"title": "Raport", "dueAt": MONDAY.isoformat(), "recurrence": "FREQ=WEEKLY;COUNT=3"}},
    )
    task = created["data"]["taskCreate"]["task"]
    assert task["occurrence"] == 1 and datetime.fromisoformat(task["seriesStart"]) == MONDAY
    dues = [datetime.fromisoformat(task["dueAt"])]
    for number in (1, 2, 3):
        done = (await as_user(client, token, COMPLETE, {"id": task["id"]}))["data"]["taskComplete"]
        assert done["userErrors"] == []
        assert done["task"] == {"id": task["id"], "status": "done", "occurrence": number}  # the task just completed
        task = done["nextTask"]
        if number < 3:
            assert task["occurrence"] == number + 1
            assert datetime.fromisoformat(task["seriesStart"]) == MONDAY
            dues.append(datetime.fromisoformat(task["dueAt"]))
    assert task is None  # the third was the last
    assert dues == [MONDAY, day(12, 14), day(12, 21)]
    calendar = await as_user(
        client,
        token,
        "query($s: DateTime!, $e: DateTime!) { calendar(start: $s, end: $e) { status } }",
        {"s": day(12, 1).isoformat(), "e": day(3, 1, year=2027).isoformat()},
    )
    assert [t["status"] for t in calendar["data"]["calendar"]] == ["done", "done", "done"]


async def test_a_weekly_9_oclock_task_stays_at_9_warsaw_time_across_the_march_switch(client, runtime, engine_kind):
    """Completing through the API: the next occurrence is counted in KARTOTEKA_TIME_ZONE (default
    Europe/Warsaw), on the local Monday."""
    assert runtime.settings.time_zone == "Europe/Warsaw"
    _user, token = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
    created = await as_user(
        client,
        token,
        CREATE,
        {"input": {"title": "Odprawa", "dueAt": warsaw(3, 22).isoformat(), "recurrence": "FREQ=WEEKLY;BYDAY=MO"}},
    )
    task = created["data"]["taskCreate"]["task"]
    dues = [datetime.fromisoformat(task["dueAt"])]
    for _number in (1, 2):
        done = (await as_user(client, token, COMPLETE, {"id": task["id"]}))["data"]["taskComplete"]
        assert done["userErrors"] == []
        task = done["nextTask"]
        dues.append(datetime.fromisoformat(task["dueAt"]))
    assert dues == [warsaw(3, 22), warsaw(3, 29), warsaw(4, 5)]
    assert [due.astimezone(WARSAW).strftime("%a %H:%M") for due in dues] == ["Mon 09:00"] * 3
    assert dues[0].astimezone(UTC).hour == 8 and dues[1].astimezone(UTC).hour == 7
    # The calendar feed carries the open occurrence at the same instant, in UTC ("Z").
    url = (await as_user(client, token, "mutation { calendarFeedCreate { url } }"))["data"]["calendarFeedCreate"]["url"]
    feed = (await client.get(url)).content
    [event] = [c for c in Calendar.from_ical(feed).walk() if c.name == "VEVENT"]
    assert event.decoded("dtstart") == warsaw(4, 5)
    assert b"DTSTART:20270405T070000Z" in feed


ZONE_SET = """mutation($input: NotificationSettingsInput!) { notificationSettingsUpdate(input: $input) {
    settings { delivery timeZone } userErrors { field code } } }"""
MY_SETTINGS = "{ myNotificationSettings { delivery timeZone } }"


async def test_a_user_with_their_own_zone_keeps_their_local_time_and_a_bad_zone_changes_nothing(
    client, runtime, engine_kind
):
    _user, token = await make_user(runtime, "nowy.jork@firma.pl", roles=["sales_rep"])
    assert (await as_user(client, token, MY_SETTINGS))["data"]["myNotificationSettings"]["timeZone"] is None
    refused = await as_user(client, token, ZONE_SET, {"input": {"delivery": "IN_APP", "timeZone": "Mars/Olympus"}})
    assert refused["data"]["notificationSettingsUpdate"] == {
        "settings": None,
        "userErrors": [{"field": ["input", "timeZone"], "code": "INVALID_TIME_ZONE"}],
    }
    unchanged = (await as_user(client, token, MY_SETTINGS))["data"]["myNotificationSettings"]
    assert unchanged == {"delivery": "IN_APP_AND_EMAIL", "timeZone": None}  # the valid delivery was not written
    chosen = await as_user(client, token, ZONE_SET, {"input": {"timeZone": "America/New_York"}})
    assert chosen["data"]["notificationSettingsUpdate"]["settings"] == {
        "delivery": "IN_APP_AND_EMAIL",
        "timeZone": "America/New_York",
    }
    # 9:00 in New York across the US switch (14 March 2027): 14:00Z, then 13:00Z.
    new_york = ZoneInfo("America/New_York")
    start = datetime(2027, 3, 8, 9, tzinfo=new_york)
    created = await as_user(
        client, token, CREATE, {"input": {"title": "Call", "dueAt": start.isoformat(), "recurrence": "FREQ=WEEKLY"}}
    )
    task = created["data"]["taskCreate"]["task"]
    done = (await as_user(client, token, COMPLETE, {"id": task["id"]}))["data"]["taskComplete"]
    following = datetime.fromisoformat(done["nextTask"]["dueAt"])
    assert following == datetime(2027, 3, 15, 13, tzinfo=UTC)
    assert following.astimezone(new_york).hour == 9
    back = await as_user(client, token, ZONE_SET, {"input": {"timeZone": ""}})  # back to the deployment's
    assert back["data"]["notificationSettingsUpdate"]["settings"]["timeZone"] is None
