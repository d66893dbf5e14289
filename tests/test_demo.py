"""The demo organisation: custom fields with valid values, a timeline per company, all or nothing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.access.tables import User
from core.crm import custom_fields, demo
from core.crm.tables import Company, CustomField, Employment, Person, TimelineEntry


async def test_demo_custom_fields_are_defined_and_their_values_valid(runtime, engine_kind):
    await demo.load_demo(runtime, 30)
    for entity, table in (("company", Company), ("person", Person)):
        defined = await custom_fields.definitions(entity)
        assert set(defined) == {key for e, key, *_ in demo.CUSTOM_FIELDS if e == entity}
        rows = await table.select(table.custom).output(load_json=True)
        assert sum(1 for row in rows if row["custom"]) > len(rows) / 2
        for row in rows:
            # What the service would store for these values is exactly what the demo stored.
            assert await custom_fields.apply_patch(entity, {}, row["custom"], creating=True) == row["custom"]


async def test_demo_timeline_is_about_ten_entries_per_company(runtime, engine_kind):
    started = datetime.now(UTC)
    await demo.load_demo(runtime, 40)
    entries = await TimelineEntry.select()
    assert 5 * 40 <= len(entries) <= 15 * 40
    owners = {row["id"]: row["owner"] for row in await Company.select(Company.id, Company.owner)}
    staff = {(row["company"], row["person"]) for row in await Employment.select(Employment.company, Employment.person)}
    person_owner = {row["id"]: row["owner"] for row in await Person.select(Person.id, Person.owner)}
    assert {e["kind"] for e in entries} <= set(runtime.registry.timeline_kinds)
    assert {"core.call", "core.email", "core.meeting", "core.note"} <= {e["kind"] for e in entries}
    for entry in entries:
        assert entry["company"] is not None or entry["person"] is not None
        if entry["company"] is not None and entry["person"] is not None:
            assert (entry["company"], entry["person"]) in staff
        owner = owners[entry["company"]] if entry["company"] is not None else person_owner[entry["person"]]
        assert entry["author"] == owner
        assert started - timedelta(days=3 * 365 + 1) <= entry["occurred_at"] <= datetime.now(UTC)
        assert entry["subject"]
        if entry["kind"] in ("core.call", "core.meeting"):
            assert entry["duration_minutes"] > 0
        else:
            assert entry["duration_minutes"] == 0 and entry["cost"] == Decimal("0")
    assert all(owners.values())


async def test_a_failed_demo_leaves_an_empty_database(runtime, engine_kind, monkeypatch):
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) > 15:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = demo._timeline
    monkeypatch.setattr(demo, "BATCH", 10)
    monkeypatch.setattr(demo, "_timeline", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        await demo.load_demo(runtime, 30)  # the second batch of ten fails
    for table in (User, Company, Person, TimelineEntry, CustomField):
        assert await table.count() == 0, table
