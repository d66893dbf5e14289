"""Notifications: followers told of changed files, assignees of due reminders, whom a rule names —
in the in-app inbox, and by e-mail (once) when the user chose it. Everything through the real
event path: outbox, relay, async subscriber, mail queue, SMTP."""

import base64
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core import api
from core.access import services as access
from core.access.tables import Notification, User
from core.auth import SYSTEM
from core.crm import gdpr
from core.crm import services as crm
from core.crm.tables import TimelineEntry
from core.db.tables import Delivery, OutgoingMail
from core.jobs.context import JobContext
from core.notifications.services import local_due
from core.rules.tables import Rule
from core.settings import Settings, load_settings
from core.tasks.services import send_due_reminders
from core.testing import running_smtp
from tests.conftest import as_user, make_user, wait_for
from tests.test_attachments import PDF, upload
from tests.test_mail import Server

INBOX = """query($unread: Boolean, $first: Int, $after: String) {
    notifications(unreadOnly: $unread, first: $first, after: $after) {
        edges { node { id kind title body linkId readAt } } pageInfo { hasNextPage endCursor } }
    unreadNotificationCount }"""
MARK = """mutation($input: NotificationsMarkReadInput!) { notificationsMarkRead(input: $input) {
    markedCount unreadCount userErrors { field code } } }"""
SETTINGS = "{ myNotificationSettings { delivery } }"
SET = """mutation($d: NotificationDelivery!) { notificationSettingsUpdate(input: {delivery: $d}) {
    settings { delivery } userErrors { code } } }"""
FOLLOW = "mutation($s: ID!) { recordFollow(subject: $s) { following userErrors { code } } }"
TASK = """mutation($input: TaskInput!) { taskCreate(input: $input) { task { id } userErrors { code } } }"""
RULE = """mutation($input: RuleCreateInput!) { ruleCreate(input: $input) {
    rule { id actions } userErrors { field code } } }"""


async def speaks(user_id: int, locale: str) -> None:
    await User.update({User.locale: locale}).where(User.id == user_id)


def gid(type_name: str, record_id: int) -> str:
    return base64.b64encode(f"{type_name}:{record_id}".encode()).decode()


@pytest.fixture
def smtp() -> Server:
    with running_smtp(Server()) as server:
        yield server


@pytest.fixture
def settings(database_url: str, plugins_file: Path, smtp: Server, tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        database_url=database_url,
        plugins_file=plugins_file,
        relay_interval=0.05,
        smtp_url=smtp.url,
        attachments_dir=tmp_path / "files",
    )


async def inbox(client, token, **variables):
    result = await as_user(client, token, INBOX, variables)
    assert "errors" not in result, result
    return [edge["node"] for edge in result["data"]["notifications"]["edges"]], result["data"][
        "unreadNotificationCount"
    ]


async def all_delivered() -> bool:
    rows = await Delivery.select(Delivery.status)
    return bool(rows) and all(row["status"] == "done" for row in rows)


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


async def test_followers_are_told_of_a_changed_file_in_app_and_by_mail_once(client, runtime, smtp, engine_kind):
    await access.create_territory(runtime, SYSTEM, "malopolskie", "Małopolskie")
    _follower_id, follower = await make_user(runtime, "ala@firma.pl", roles=["sales_rep"], territories=["malopolskie"])
    quiet_id, quiet = await make_user(runtime, "ola@firma.pl", roles=["sales_rep"], territories=["malopolskie"])
    await speaks(quiet_id, "en")
    _uploader_id, uploader = await make_user(runtime, "jan@firma.pl", roles=["sales_rep"], territories=["malopolskie"])
    created = await as_user(
        client,
        uploader,
        'mutation { companyCreate(input: {name: "Huta", territory: "malopolskie"}) { company { id } } }',
    )
    company = created["data"]["companyCreate"]["company"]["id"]
    moved_id, moved = await make_user(runtime, "ewa@firma.pl", roles=["sales_rep"], territories=["malopolskie"])
    for token in (follower, quiet, uploader, moved):  # the uploader follows too, and is not told of their own change
        assert (await as_user(client, token, FOLLOW, {"s": company}))["data"]["recordFollow"]["following"]
    # A follower moved to another region may no longer see the company: nobody tells them of it.
    await access.create_territory(runtime, SYSTEM, "podkarpackie", "Podkarpackie")
    await access.update_user(runtime, SYSTEM, moved_id, territories=["podkarpackie"])
    in_app = await as_user(client, quiet, SET, {"d": "IN_APP"})
    assert in_app["data"]["notificationSettingsUpdate"] == {"settings": {"delivery": "IN_APP"}, "userErrors": []}
    assert (await as_user(client, follower, SETTINGS))["data"]["myNotificationSettings"] == {
        "delivery": "IN_APP_AND_EMAIL"  # the default
    }

    sent = await upload(client, uploader, company, "oferta.pdf", PDF, "application/pdf")
    assert sent.status_code == 201, sent.text

    async def told():
        nodes, _count = await inbox(client, follower)
        return nodes and len(smtp.messages) == 1 and nodes

    [note] = await wait_for(told)
    assert note["kind"] == "core.attachment_changed"
    assert note["title"] == "Nowy plik w kartotece Huta: oferta.pdf"  # in the follower's language
    assert "Jan" in note["body"] and note["readAt"] is None
    assert note["linkId"] == company  # the global id of the record, as the API hands it out
    [english], _count = await inbox(client, quiet)
    assert english["title"] == "New file on Huta: oferta.pdf"
    assert (await inbox(client, uploader)) == ([], 0)
    assert (await inbox(client, moved)) == ([], 0)

    await wait_for(all_delivered)
    [message] = smtp.messages  # only the follower who chose e-mail, and once
    assert message["To"] == "ala@firma.pl" and subject_of(message) == "Nowy plik w kartotece Huta: oferta.pdf"
    assert "ustawieniami powiadomień" in message.get_payload(decode=True).decode()
    # Mail to staff is about no client: it does not land on the company's timeline.
    assert await TimelineEntry.count().where(TimelineEntry.kind == "core.email") == 0

    # The subscriber's delivery run again (a duplicate message) tells nobody twice.
    for delivery in await Delivery.select():
        assert await runtime.dispatcher.run_delivery(delivery["id"]) == "skipped"
    assert await Notification.count() == 2 and await OutgoingMail.count() == 1


@pytest.mark.parametrize(
    ("due", "locale", "expected"),
    [
        # 08:00 UTC in winter and 07:00 UTC in summer are both 9:00 in Warsaw.
        (
            datetime(2026, 12, 7, 8, tzinfo=UTC),
            "pl",
            ("poniedziałek, 7 grudnia 2026 09:00", "czas środkowoeuropejski standardowy"),
        ),
        (
            datetime(2027, 7, 5, 7, tzinfo=UTC),
            "pl",
            ("poniedziałek, 5 lipca 2027 09:00", "czas środkowoeuropejski letni"),
        ),
        (
            datetime(2026, 12, 7, 8, tzinfo=UTC),
            "en",
            ("Monday, December 7, 2026, 9:00\u202fAM", "Central European Standard Time"),
        ),
        (
            datetime(2027, 7, 5, 7, tzinfo=UTC),
            "en",
            ("Monday, July 5, 2027, 9:00\u202fAM", "Central European Summer Time"),
        ),
        # Sunday 23:30 in UTC is already Monday in Warsaw; the autumn fold's two 02:30s differ by name.
        (
            datetime(2026, 12, 6, 23, 30, tzinfo=UTC),
            "pl",
            ("poniedziałek, 7 grudnia 2026 00:30", "czas środkowoeuropejski standardowy"),
        ),
        (
            datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
            "pl",
            ("niedziela, 31 października 2027 02:30", "czas środkowoeuropejski letni"),
        ),
        (
            datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
            "pl",
            ("niedziela, 31 października 2027 02:30", "czas środkowoeuropejski standardowy"),
        ),
    ],
)
def test_a_due_time_is_written_in_local_time_for_the_readers_language(due, locale, expected):
    written = local_due(due, ZoneInfo("Europe/Warsaw"), locale)
    assert (written["due"], written["zone"]) == expected


async def test_the_assignee_is_reminded_in_app_and_as_they_chose(client, runtime, smtp, engine_kind):
    mailed_id, mailed = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
    await speaks(mailed_id, "en")
    quiet_id, quiet = await make_user(runtime, "cicha@firma.pl", roles=["sales_rep"])
    await as_user(client, quiet, SET, {"d": "IN_APP"})
    soon = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    for token, title in ((mailed, "Call Huta"), (quiet, "Zadzwoń do Huty")):
        made = await as_user(
            client, token, TASK, {"input": {"title": title, "dueAt": soon.isoformat(), "remindMinutesBefore": 10}}
        )
        assert made["data"]["taskCreate"]["userErrors"] == []
    async with runtime.unit_of_work(SYSTEM) as uow:  # what the scheduled job does each minute
        await send_due_reminders(JobContext(runtime=runtime, uow=uow, actor=SYSTEM))

    async def reminded():
        return (await inbox(client, mailed))[0] and (await inbox(client, quiet))[0] and smtp.messages

    await wait_for(reminded)
    [note], count = await inbox(client, mailed)
    assert (note["kind"], note["title"], count) == ("core.task_reminder", "Reminder: Call Huta", 1)
    # The due time in the deployment's zone (Europe/Warsaw), in the reader's language, zone named.
    local = soon.astimezone(ZoneInfo("Europe/Warsaw"))
    english_zone = "Central European Summer Time" if local.dst() else "Central European Standard Time"
    assert note["body"] == f"Due {local_due(soon, ZoneInfo('Europe/Warsaw'), 'en')['due']} ({english_zone})."
    assert f"{local:%B} {local.day}, {local.year}" in note["body"] and "UTC" not in note["body"]
    [polish], _count = await inbox(client, quiet)
    assert polish["title"] == "Przypomnienie: Zadzwoń do Huty"
    assert polish["body"].startswith("Termin: ") and f"{local:%H:%M} (czas środkowoeuropejski" in polish["body"]
    await wait_for(all_delivered)
    assert [(m["To"], subject_of(m)) for m in smtp.messages] == [("rep@firma.pl", "Reminder: Call Huta")]
    assert note["body"] in smtp.messages[0].get_payload(decode=True).decode()  # the e-mail says the same
    assert {mailed_id, quiet_id} == {row["recipient"] for row in await Notification.select(Notification.recipient)}


async def test_a_reminder_is_in_the_recipients_own_time_zone(client, runtime, engine_kind):
    user_id, token = await make_user(runtime, "nowy.jork@firma.pl", roles=["sales_rep"])
    await speaks(user_id, "en")
    zone = """mutation { notificationSettingsUpdate(input: {timeZone: "America/New_York", delivery: IN_APP}) {
        userErrors { code } } }"""
    assert (await as_user(client, token, zone))["data"]["notificationSettingsUpdate"]["userErrors"] == []
    soon = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    made = await as_user(
        client, token, TASK, {"input": {"title": "Call", "dueAt": soon.isoformat(), "remindMinutesBefore": 10}}
    )
    assert made["data"]["taskCreate"]["userErrors"] == []
    async with runtime.unit_of_work(SYSTEM) as uow:
        await send_due_reminders(JobContext(runtime=runtime, uow=uow, actor=SYSTEM))

    async def reminded():
        return (await inbox(client, token))[0]

    await wait_for(reminded)
    [note], _count = await inbox(client, token)
    local = soon.astimezone(ZoneInfo("America/New_York"))
    assert note["body"].startswith(f"Due {local:%A}, {local:%B} {local.day}, {local.year}")
    assert note["body"].endswith(("(Eastern Standard Time).", "(Eastern Daylight Time)."))


async def test_the_inbox_is_yours_only_paged_newest_first_and_marked_read(client, runtime, engine_kind):
    me, token = await make_user(runtime, "ja@firma.pl", roles=["sales_rep"])
    other, other_token = await make_user(runtime, "ty@firma.pl", roles=["sales_rep"])
    async with runtime.unit_of_work(SYSTEM) as uow:  # a plugin tells users something through core.api
        for number in range(5):
            await api.notify(uow, [me], kind="sample.hello", title=f"Wiadomość {number}", body="Treść")
        [theirs] = await api.notify(uow, [other], kind="sample.hello", title="Cudza")

    page, count = await inbox(client, token, first=2)
    assert [n["title"] for n in page] == ["Wiadomość 4", "Wiadomość 3"] and count == 5
    paged = await as_user(client, token, INBOX, {"first": 2})
    after = paged["data"]["notifications"]["pageInfo"]["endCursor"]
    rest, _count = await inbox(client, token, first=10, after=after)
    assert [n["title"] for n in rest] == ["Wiadomość 2", "Wiadomość 1", "Wiadomość 0"]

    # Someone else's notification cannot be marked, and then nothing is marked.
    refused = await as_user(client, token, MARK, {"input": {"ids": [page[0]["id"], gid("Notification", theirs)]}})
    assert refused["data"]["notificationsMarkRead"] == {
        "markedCount": 0,
        "unreadCount": None,
        "userErrors": [{"field": ["ids"], "code": "NOT_FOUND"}],
    }
    assert (await inbox(client, token))[1] == 5
    wrong_type = await as_user(client, token, MARK, {"input": {"ids": [gid("Company", 1)]}})
    assert wrong_type["data"]["notificationsMarkRead"]["userErrors"] == [
        {"field": ["input", "ids", "0"], "code": "INVALID_ID"}
    ]
    neither = await as_user(client, token, MARK, {"input": {}})
    assert neither["data"]["notificationsMarkRead"]["userErrors"] == [{"field": ["input", "ids"], "code": "IDS_OR_ALL"}]

    marked = await as_user(client, token, MARK, {"input": {"ids": [page[0]["id"], page[1]["id"]]}})
    assert marked["data"]["notificationsMarkRead"] == {"markedCount": 2, "unreadCount": 3, "userErrors": []}
    unread, count = await inbox(client, token, unread=True)
    assert [n["title"] for n in unread] == ["Wiadomość 2", "Wiadomość 1", "Wiadomość 0"] and count == 3
    everything = await as_user(client, token, MARK, {"input": {"all": True}})
    assert everything["data"]["notificationsMarkRead"] == {"markedCount": 3, "unreadCount": 0, "userErrors": []}
    assert [n["title"] for n in (await inbox(client, other_token))[0]] == ["Cudza"]  # untouched
    assert (await inbox(client, other_token))[1] == 1

    # The node lookup shows your own notification, never another user's.
    lookup = "query($id: ID!) { node(id: $id) { ... on Notification { title } } }"
    assert (await as_user(client, token, lookup, {"id": page[0]["id"]}))["data"]["node"] == {"title": "Wiadomość 4"}
    node = await as_user(client, token, lookup, {"id": gid("Notification", theirs)})
    assert node["data"]["node"] is None


async def test_erasing_a_person_removes_the_notifications_about_them(client, runtime, engine_kind):
    me, token = await make_user(runtime, "ja@firma.pl", roles=["sales_rep"])
    person = await crm.create_person(runtime, SYSTEM, {"first_name": "Ewa", "last_name": "Szklarska"})
    async with runtime.unit_of_work(SYSTEM) as uow:
        await api.notify(uow, [me], kind="sample.hello", title="Ewa Szklarska dzwoniła", link=("Person", person))
        await api.notify(uow, [me], kind="sample.hello", title="Inna sprawa")
    await gdpr.erase_person(runtime, SYSTEM, person)
    assert [n["title"] for n in (await inbox(client, token))[0]] == ["Inna sprawa"]


async def test_a_rule_notifies_the_owner_a_user_or_a_team(client, runtime, engine_kind):
    team_id = await access.create_team(runtime, SYSTEM, "Kraków")
    owner_id, owner = await make_user(runtime, "wlasciciel@firma.pl", roles=["sales_rep"])
    member_id, member = await make_user(runtime, "czlonek@firma.pl", roles=["sales_rep"], team="Kraków")
    _admin_id, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    for token in (owner, member):
        await as_user(client, token, SET, {"d": "IN_APP"})
    gone_id, _gone = await make_user(runtime, "byly@firma.pl", roles=["sales_rep"])
    await access.update_user(runtime, SYSTEM, gone_id, is_active=False)
    refused = {
        "not an id": ({"to": "wszyscy", "title": "x"}, "core.company_created", ["to"], "INVALID_RECIPIENT"),
        "a company's id": (
            {"to": gid("Company", 1), "title": "x"},
            "core.company_created",
            ["to"],
            "INVALID_RECIPIENT",
        ),
        "no such team": ({"to": gid("TeamNode", 999), "title": "x"}, "core.company_created", ["to"], "UNKNOWN_TEAM"),
        "no such user": ({"to": gid("UserNode", 999), "title": "x"}, "core.company_created", ["to"], "UNKNOWN_USER"),
        "inactive user": (
            {"to": gid("UserNode", gone_id), "title": "x"},
            "core.company_created",
            ["to"],
            "UNKNOWN_USER",
        ),
        "blank title": ({"to": "owner", "title": " "}, "core.company_created", ["title"], "BLANK"),
        "unknown variable": ({"to": "owner", "title": "{{ nope.x }}"}, "core.company_created", ["title"], None),
        "unknown key": ({"to": "owner", "title": "x", "cc": "y"}, "core.company_created", ["cc"], "UNKNOWN_KEY"),
        "owner of nothing": ({"to": "owner", "title": "x"}, "core.rule_changed", ["to"], "NO_SUBJECT"),
    }
    for case, (action, event, path, code) in refused.items():
        answer = await as_user(
            client,
            admin,
            RULE,
            {"input": {"name": case, "eventType": event, "actions": [{"type": "notify", **action}]}},
        )
        [error] = answer["data"]["ruleCreate"]["userErrors"]
        assert error["field"] == ["input", "actions", "0", *path], (case, error)
        assert code is None or error["code"] == code, (case, error)
    assert await Rule.count() == 0  # nothing refused was saved
    rule = await as_user(
        client,
        admin,
        RULE,
        {
            "input": {
                "name": "Nowa firma",
                "eventType": "core.company_created",
                "actions": [
                    {"type": "notify", "to": "owner", "title": "Twoja nowa firma:\n  {{ company.name }}"},
                    {"type": "notify", "to": gid("TeamNode", team_id), "title": "Zespół: {{ company.name }}"},
                    {
                        "type": "notify",
                        "to": gid("UserNode", owner_id),
                        "title": "Osobiście",
                        "body": "{{ owner.name }}",
                    },
                ],
            }
        },
    )
    assert rule["data"]["ruleCreate"]["userErrors"] == [], rule
    created = await as_user(
        client,
        admin,
        """mutation($owner: ID!) { companyCreate(input: {name: "Huta Szkła", owner: $owner}) {
            company { id } userErrors { field code } } }""",
        {"owner": gid("UserNode", owner_id)},
    )
    assert created["data"]["companyCreate"]["userErrors"] == [], created
    company = created["data"]["companyCreate"]["company"]["id"]

    async def both():
        mine, theirs = (await inbox(client, owner))[0], (await inbox(client, member))[0]
        return len(mine) == 2 and theirs and (mine, theirs)

    mine, theirs = await wait_for(both)
    assert [(n["kind"], n["title"], n["body"], n["linkId"]) for n in mine] == [
        ("core.rule", "Osobiście", "Wlasciciel", company),
        ("core.rule", "Twoja nowa firma: Huta Szkła", "", company),
    ]
    assert [n["title"] for n in theirs] == ["Zespół: Huta Szkła"]
    assert await Notification.count().where(Notification.recipient == member_id) == 1
