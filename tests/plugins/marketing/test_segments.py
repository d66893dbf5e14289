"""Segments select by the client file and by other plugins' facts, in SQL, on both engines."""

from __future__ import annotations

from decimal import Decimal

from core.auth import SYSTEM
from core.crm import custom_fields
from core.crm import services as crm
from plugins.marketing.services import segments
from plugins.sales.services.opportunities import OpportunityValues, create_opportunity, win_opportunity
from plugins.sales.services.processes import StageInput, create_process
from plugins.sales.services.values import currencies_of
from tests.conftest import as_user, make_user
from tests.plugins.marketing.helpers import person

MEMBERS = """query($id: ID!, $withPhone: Boolean!) { segmentMembers(id: $id, withPhone: $withPhone) {
    edges { node { lastName } } } }"""


async def names(runtime, criteria) -> list[str]:
    from piccolo.columns.combination import WhereRaw

    from core.crm.tables import Person

    condition = await segments.compile_criteria(runtime, criteria)
    rows = (
        await Person.select(Person.last_name)
        .where(Person.deleted_at.is_null() & WhereRaw("{}", condition))
        .order_by(Person.last_name)
    )
    return [row["last_name"] for row in rows]


async def test_criteria_over_fields_tags_custom_fields_consent_and_facts(client, runtime):
    await custom_fields.define(
        runtime, SYSTEM, entity="company", key="industry", label_pl="Branża", label_en="Industry", kind="text"
    )
    huta = await crm.create_company(
        runtime, SYSTEM, {"name": "Huta", "lifecycle": "customer"}, custom={"industry": "szkło"}
    )
    piekarnia = await crm.create_company(
        runtime, SYSTEM, {"name": "Piekarnia", "lifecycle": "lead"}, crm.Related(tags=["hurt"])
    )
    await person(runtime, "Anna", "Adamska", "anna@huta.pl", company=huta, phone="+48600100200")
    await person(runtime, "Bogdan", "Bednarz", "bogdan@piekarnia.pl", company=piekarnia, consent=False)
    await person(runtime, "Celina", "Czajka", None, tags=("vip",))
    assert await names(runtime, {"field": "company.lifecycle", "value": "customer"}) == ["Adamska"]
    assert await names(runtime, {"companyTag": "hurt"}) == ["Bednarz"]
    assert await names(runtime, {"companyCustom": "industry", "op": "eq", "value": "szkło"}) == ["Adamska"]
    assert await names(runtime, {"not": {"consent": "marketing"}}) == ["Bednarz"]
    assert await names(runtime, {"any": [{"tag": "vip"}, {"has": "phone"}]}) == ["Adamska", "Czajka"]
    assert await names(runtime, {"field": "lifecycle", "op": "in", "value": ["lead", "customer"]}) == [
        "Adamska",
        "Bednarz",
        "Czajka",
    ]

    # A fact of the sales plugin: a won deal — the person's own, or their company's.
    process = await create_process(runtime, SYSTEM, name="Sprzedaż", stages=[StageInput("Oferta")])
    deal = await create_opportunity(
        runtime,
        SYSTEM,
        currencies_of(runtime.for_plugin("sales")),
        process_id=process,
        values=OpportunityValues(name="Szkło", company_id=huta, value=Decimal("1000")),
    )
    await win_opportunity(runtime, SYSTEM, deal)
    won = {"fact": "sales.won_deal", "params": {"since": "2020-01-01"}}
    assert await names(runtime, won) == ["Adamska"]
    assert await names(runtime, {"fact": "sales.won_deal", "params": {"since": "2999-01-01"}}) == []

    _user, token = await make_user(runtime, "m@firma.pl", roles=["marketer"])
    segment = await segments.create_segment(
        runtime,
        SYSTEM,
        name="Leady i klienci",
        description="",
        criteria={"field": "lifecycle", "op": "ne", "value": "former"},
    )
    from tests.plugins.marketing.test_campaigns import gid

    everyone = await as_user(client, token, MEMBERS, {"id": gid("Segment", segment), "withPhone": False})
    call_list = await as_user(client, token, MEMBERS, {"id": gid("Segment", segment), "withPhone": True})
    assert sorted(e["node"]["lastName"] for e in everyone["data"]["segmentMembers"]["edges"]) == [
        "Adamska",
        "Bednarz",
        "Czajka",
    ]
    assert [e["node"]["lastName"] for e in call_list["data"]["segmentMembers"]["edges"]] == ["Adamska"]
