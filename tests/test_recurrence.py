"""Recurring tasks follow RFC 5545: the series is counted from its start (DTSTART), never from
the task just completed, so COUNT and UNTIL end it; BYDAY and the rest as python-dateutil reads them."""

from datetime import UTC, datetime

import pytest

from core.crm.tasks import _check_rule, next_occurrence, occurrences
from core.errors import DomainError
from tests.conftest import as_user, make_user

MONDAY = datetime(2026, 12, 7, 9, tzinfo=UTC)  # a Monday
WEDNESDAY = datetime(2026, 12, 9, 9, tzinfo=UTC)


def day(month: int, date: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, date, hour, tzinfo=UTC)


def series(rule: str, start: datetime) -> list[datetime]:
    """Every occurrence, by completing one task after the other (a guard stops endless rules)."""
    found, index = [start], 1
    while len(found) < 50:
        following = next_occurrence(rule, start, index)
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
    assert list(occurrences(rule, start))[: len(expected) + 1] == expected


def test_an_endless_rule_continues_from_the_series_start_not_from_the_task():
    # The 10th occurrence of "every second day" is 18 days after the start, whatever the task's date.
    assert next_occurrence("FREQ=DAILY;INTERVAL=2", MONDAY, 9) == day(12, 25)
    assert next_occurrence("FREQ=WEEKLY;BYDAY=FR", MONDAY, 1) == day(12, 11)
    assert next_occurrence("FREQ=WEEKLY;BYDAY=FR", MONDAY, 3) == day(12, 25)


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
