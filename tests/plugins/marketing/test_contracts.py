"""The hooks marketing publishes for other plugins (``plugins.marketing.contracts``), answered by
the sample plugin alone: what one answering plugin gives is what marketing gets."""

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PLUGINS, write_plugins


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", SAMPLE_PLUGINS + "[plugins.marketing]\nenabled = true\n")


async def test_hook_marketing_person_facts(runtime):
    from piccolo.columns.combination import WhereRaw
    from piccolo.querystring import QueryString

    from core.auth import SYSTEM
    from core.crm.services import create_person
    from core.crm.tables import Person

    nowak = await create_person(runtime, SYSTEM, {"last_name": "Nowak"})
    await create_person(runtime, SYSTEM, {"last_name": "Kowal"})
    [(plugin, [fact])] = await runtime.call_each("marketing_person_facts")
    assert (plugin, fact.name, dict(fact.parameters)) == ("sample", "sample.named", {"last_name": "text"})
    selected = WhereRaw("{}", QueryString("core_person.id IN ({})", fact.persons({"last_name": "Nowak"}, False)))
    assert [row["id"] for row in await Person.select(Person.id).where(selected)] == [nowak]


async def test_hook_marketing_attributed_revenue(runtime):
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    answers = await runtime.call_each(
        "marketing_attributed_revenue", runtime=runtime, contacts=[(1, now), (2, now)], window_days=90
    )
    assert answers == [("sample", {"deals": 2, "revenue": 200, "currency": "PLN"})]
