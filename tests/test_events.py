"""Event bus, outbox, deliveries and schedules on the embedded shape (in-memory broker),
against both SQLite and PostgreSQL."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.auth import SYSTEM
from core.db.tables import AuditEntry, Delivery, OutboxMessage, ScheduleState
from core.errors import KartotekaError
from core.events.base import Event
from core.jobs import relay
from core.jobs.delivery import execute_delivery
from kartoteka_sample.events import NoteCreated
from kartoteka_sample.tables import SampleNote, SampleRun, SampleTick
from tests.conftest import gql, serve_app, wait_for

CREATE = "mutation($text: String!) { sampleNoteCreate(input: {text: $text}) { note { id } userErrors { field code } } }"


async def create(client, text):
    return (await gql(client, CREATE, {"text": text}))["data"]["sampleNoteCreate"]


async def deliveries(status=None):
    query = Delivery.select().order_by(Delivery.id)
    return await (query.where(Delivery.status == status) if status else query)


async def test_async_subscriber_runs_once_after_commit(client, engine_kind):
    await create(client, "hello")
    runs = await wait_for(lambda: SampleRun.select())
    assert len(runs) == 1
    [outbox] = await OutboxMessage.select().output(load_json=True)
    assert (outbox["kind"], outbox["name"], outbox["payload"]) == (
        "event",
        "sample.note_created",
        {"note_id": 1, "text": "hello"},
    )
    assert outbox["actor_id"] == "staff-1"
    [delivery] = await wait_for(lambda: deliveries("done"))
    assert (delivery["target"], delivery["attempts"]) == ("sub.sample.record_note", 1)
    assert runs[0]["message_id"] == outbox["id"]


async def test_sync_subscriber_veto_rolls_back_everything(client, engine_kind):
    vetoed = await create(client, "this is forbidden")
    assert vetoed == {"note": None, "userErrors": [{"field": ["input", "text"], "code": "VETOED"}]}
    assert await SampleNote.count() == 0
    assert await OutboxMessage.count() == 0
    assert await AuditEntry.count() == 0  # the audit row was written, and rolled back with the rest


async def test_failed_attempts_are_retried_with_backoff(client, engine_kind):
    await create(client, "flaky note")
    [delivery] = await wait_for(lambda: deliveries("done"))
    assert delivery["attempts"] == 3
    assert await SampleRun.count() == 1


async def test_exhausted_retries_land_in_the_queryable_dead_letter_list(client, engine_kind):
    await create(client, "please fail")
    [dead] = await wait_for(lambda: deliveries("dead"))
    assert dead["attempts"] == 4  # the first try and three retries
    assert "asked to fail" in dead["last_error"]
    listing = await gql(
        client, "{ deadLetters { edges { node { id target attempts lastError messageName payload } } } }"
    )
    [edge] = listing["data"]["deadLetters"]["edges"]
    node = edge["node"]
    assert (node["target"], node["attempts"], node["messageName"]) == (
        "sub.sample.record_note",
        4,
        "sample.note_created",
    )
    assert node["payload"] == {"note_id": 1, "text": "please fail"}
    denied = await gql(client, "{ deadLetters { edges { cursor } } }", actor="staff:sample.note.read")
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    retry = "mutation($id: ID!) { deadLetterRetry(id: $id) { deadLetterId userErrors { code field } } }"
    retried = await gql(client, retry, {"id": node["id"]})
    assert retried["data"]["deadLetterRetry"] == {"deadLetterId": node["id"], "userErrors": []}
    await wait_for(lambda: _attempts_of(dead["id"], 4, "dead"))  # fails again, with a fresh budget
    not_dead = await create(client, "fine")
    await wait_for(lambda: deliveries("done"))
    assert not_dead["userErrors"] == []
    done_id = (await deliveries("done"))[0]["id"]
    import base64

    wrong = await gql(client, retry, {"id": base64.b64encode(f"DeadLetter:{done_id}".encode()).decode()})
    assert wrong["data"]["deadLetterRetry"]["userErrors"] == [{"code": "NOT_DEAD", "field": ["id"]}]


async def _attempts_of(delivery_id, attempts, status):
    row = await Delivery.select().where(Delivery.id == delivery_id).first()
    return row["attempts"] == attempts and row["status"] == status


async def test_deferred_job_runs_after_commit_and_not_after_rollback(runtime, engine_kind):
    async with serve_app(runtime):
        async with runtime.unit_of_work(SYSTEM) as uow:
            [note] = await SampleNote.insert(SampleNote(text="job")).returning(SampleNote.id)
            await uow.defer("sample.touch_note", note_id=note["id"])
        with pytest.raises(RuntimeError):
            async with runtime.unit_of_work(SYSTEM) as uow:
                await uow.defer("sample.touch_note", note_id=note["id"] + 1)
                raise RuntimeError("rolled back")
        await wait_for(lambda: SampleNote.exists().where(SampleNote.touched.eq(True)))
        assert await OutboxMessage.count() == 1
        with pytest.raises(KartotekaError, match="unknown job"):
            async with runtime.unit_of_work(SYSTEM) as uow:
                await uow.defer("sample.nope")


async def test_publishing_an_unregistered_event_is_an_error(runtime, engine_kind):
    class Stray(Event, frozen=True):
        name = "sample.stray"

    with pytest.raises(KartotekaError, match="not registered"):
        async with runtime.unit_of_work(SYSTEM) as uow:
            await uow.publish(Stray())


async def test_redelivered_message_has_its_effect_once(runtime, engine_kind):
    """At-least-once delivery, exactly-once effect: a duplicate finds the delivery done."""
    async with runtime.unit_of_work(SYSTEM) as uow:
        [note] = await SampleNote.insert(SampleNote(text="dup")).returning(SampleNote.id)
        await uow.publish(NoteCreated(note_id=note["id"], text="dup"))
    sent = []

    async def capture(target, delivery_id):
        sent.append((target, delivery_id))

    runtime.dispatcher.send = capture
    assert await relay.relay_once(runtime) == 1
    [(_target, delivery_id)] = sent
    results = await asyncio.gather(*(execute_delivery(runtime, delivery_id) for _ in range(3)))
    assert sorted(results) == ["done", "skipped", "skipped"]
    assert await SampleRun.count() == 1


async def test_message_lost_between_commit_and_send_is_sent_again(runtime, engine_kind):
    """The broker is down when the relay dispatches: the delivery row survives and the
    sweeper sends it once the broker is back."""
    async with runtime.unit_of_work(SYSTEM) as uow:
        [note] = await SampleNote.insert(SampleNote(text="lost")).returning(SampleNote.id)
        await uow.publish(NoteCreated(note_id=note["id"], text="lost"))

    async def broker_down(target, delivery_id):
        raise ConnectionError("broker unreachable")

    real_send = runtime.dispatcher.send
    runtime.dispatcher.send = broker_down
    assert await relay.relay_once(runtime) == 1
    [pending] = await deliveries("pending")
    assert await relay.relay_once(runtime) == 0  # dispatched once; never fanned out again
    runtime.dispatcher.send = real_send
    async with serve_app(runtime):  # start-up sweeps everything the in-memory broker lost
        await wait_for(lambda: deliveries("done"))
    assert await SampleRun.count() == 1
    assert (await deliveries("done"))[0]["id"] == pending["id"]


async def test_sweeper_resends_only_stale_pending_deliveries(runtime, engine_kind):
    async with runtime.unit_of_work(SYSTEM) as uow:
        await uow.publish(NoteCreated(note_id=1, text="stale"))
    sent = []

    async def capture(target, delivery_id):
        sent.append(delivery_id)

    runtime.dispatcher.send = capture
    await relay.relay_once(runtime)
    assert await relay.sweep_once(runtime, timedelta(minutes=5)) == 0
    assert await relay.sweep_once(runtime, timedelta(0)) == 1
    assert len(sent) == 2


async def test_concurrent_schedulers_fire_a_due_schedule_once(runtime, engine_kind, tmp_path):
    from tests.conftest import write_plugins

    plugins = write_plugins(
        tmp_path / "ticking.toml", "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ntick_seconds = 3600\n"
    )
    from core.runtime import Runtime

    ticking = Runtime.boot(runtime.settings.with_overrides(plugins_file=plugins))
    assert await relay.schedule_once(ticking) == 0  # first sight: the first run is an hour away
    await ScheduleState.update({ScheduleState.next_run_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        ScheduleState.name == "sample.ticker"
    )
    fired = await asyncio.gather(*(relay.schedule_once(ticking) for _ in range(4)))
    assert sorted(fired) == [0, 0, 0, 1]
    assert await relay.schedule_once(ticking) == 0  # not due again for an hour
    jobs = await OutboxMessage.select().where(OutboxMessage.kind == "job").output(load_json=True)
    assert [(j["name"], j["payload"]) for j in jobs] == [("sample.tick", {"schedule": "sample.ticker"})]


async def test_scheduler_runs_jobs_in_the_embedded_app(runtime, engine_kind, tmp_path):
    from core.runtime import Runtime
    from tests.conftest import write_plugins

    plugins = write_plugins(
        tmp_path / "ticking.toml",
        "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ntick_seconds = 0.5\ntrust_test_header = true\n",
    )
    ticking = Runtime.boot(runtime.settings.with_overrides(plugins_file=plugins))
    async with serve_app(ticking):
        await wait_for(lambda: _ticks_at_least(2), timeout=10)
    ticks = await SampleTick.select().order_by(SampleTick.id)
    gap = ticks[1]["ticked_at"] - ticks[0]["ticked_at"]
    assert gap >= timedelta(seconds=0.4)


async def _ticks_at_least(count):
    return await SampleTick.count() >= count


async def test_concurrent_relays_fan_out_each_message_once(runtime, engine_kind):
    """Several relays (one per worker process in production) never hand out a message twice."""
    async with runtime.unit_of_work(SYSTEM) as uow:
        for number in range(50):
            await uow.publish(NoteCreated(note_id=number, text=f"relay {number}"))
    sent = []

    async def capture(target, delivery_id):
        sent.append(delivery_id)

    runtime.dispatcher.send = capture
    taken = await asyncio.gather(*(relay.relay_once(runtime) for _ in range(4)))
    assert sum(taken) == 50
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 50
    assert await Delivery.count() == 50


async def test_finished_work_is_pruned_after_the_retention_period(client, runtime, engine_kind):
    await create(client, "kept for now")
    await create(client, "please fail")
    await wait_for(lambda: deliveries("done"))
    await wait_for(lambda: deliveries("dead"))
    assert await relay.prune(runtime, timedelta(days=1)) == 0  # too recent
    assert await relay.prune(runtime, timedelta(0)) == 1  # the done one goes, the dead letter stays
    assert [d["status"] for d in await deliveries()] == ["dead"]
    assert await OutboxMessage.count() == 1
