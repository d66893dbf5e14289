"""GraphQL types of the client file: companies, persons, their contacts and employments.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
Every list and lookup applies the record scope of the asking actor in SQL (core.crm.scoping).
"""

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.access.graphql.types import TerritoryNode, UserNode, maximum
from core.crm import services as crm
from core.crm import tables as db
from core.crm.custom_fields import SENSITIVE_READ
from core.crm.scoping import visible
from core.graphql.batching import batched_field, each, load_each
from core.graphql.compose import Extensible, composed_class
from core.graphql.keyset import paginate_by_key
from core.graphql.permissions import sensitive

CompanyRef = Annotated["Company", strawberry.lazy("core.graphql.composed.staff")]


PersonRef = Annotated["Person", strawberry.lazy("core.graphql.composed.staff")]


@strawberry.enum(description="What kind of counterparty this is.")
class CounterpartyKind(Enum):
    B2B = "b2b"
    B2C = "b2c"
    PARTNER = "partner"
    SUPPLIER = "supplier"


@strawberry.enum(description="Where the counterparty stands: leads are qualified, then become customers.")
class Lifecycle(Enum):
    LEAD = "lead"
    QUALIFIED = "qualified"
    CUSTOMER = "customer"
    FORMER = "former"


@strawberry.type(description="An e-mail address or a phone number (E.164).")
class ContactPointType:
    value: str
    label: str
    is_primary: bool
    kind: strawberry.Private[str]


@strawberry.type
class AddressType:
    kind: str
    street: str
    postal_code: str
    city: str
    country: str
    notes: str


def _company_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": CounterpartyKind(row["kind"]),
        "lifecycle": Lifecycle(row["lifecycle"]),
        "status": row["status"],
        "classification": row["classification"],
        "nip": row["nip"],
        "regon": row["regon"],
        "website": row["website"],
        "preferred_language": row["preferred_language"],
        "qualification": row["qualification"],
        "custom_values": row["custom"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "owner_id": row["owner"],
        "territory_id": row["territory"],
    }


def _subject(record: Any) -> tuple[str, int]:
    return (record.record_kind, record.id)


def _contact_points(kind: str) -> Any:
    load = load_each("core.contact_points", _subject)

    async def batch(sources: Any, context: Any) -> list[list[ContactPointType]]:
        return [[p for p in points if p.kind == kind] for points in await load(sources, context)]

    return batch


async def visible_custom_values(sources: Any, context: Any) -> list[dict[str, Any]]:
    """Custom values of ``sources`` (each with ``record_kind`` and ``custom_values``) without the
    sensitive fields the actor may not read: a batch form for ``batched_field``."""
    if not sources or context.actor.can(SENSITIVE_READ):
        return [source.custom_values for source in sources]
    definitions = await context.loaders["core.custom_field_definitions"].load(sources[0].record_kind)
    hidden = {key for key, definition in definitions.items() if definition.sensitive}
    return [{k: v for k, v in source.custom_values.items() if k not in hidden} for source in sources]


class _Related:
    """Fields companies and persons share; the loaders batch them per page."""

    owner_id: strawberry.Private[int | None]
    territory_id: strawberry.Private[int | None]
    record_kind: ClassVar[str]

    @batched_field(
        load_each("core.user", lambda s: s.owner_id), description="The staff user responsible for this record."
    )
    async def owner(self, info: strawberry.Info) -> UserNode | None:
        return None if self.owner_id is None else await info.context.loaders["core.user"].load(self.owner_id)

    @batched_field(load_each("core.territory", lambda s: s.territory_id))
    async def territory(self, info: strawberry.Info) -> TerritoryNode | None:
        if self.territory_id is None:
            return None
        return await info.context.loaders["core.territory"].load(self.territory_id)

    @batched_field(_contact_points("email"))
    async def emails(self, info: strawberry.Info) -> list[ContactPointType]:
        points = await info.context.loaders["core.contact_points"].load((self.record_kind, self.id))
        return [p for p in points if p.kind == "email"]

    @batched_field(_contact_points("phone"), description="Phone numbers in E.164 form.")
    async def phones(self, info: strawberry.Info) -> list[ContactPointType]:
        points = await info.context.loaders["core.contact_points"].load((self.record_kind, self.id))
        return [p for p in points if p.kind == "phone"]

    @batched_field(load_each("core.addresses", _subject))
    async def addresses(self, info: strawberry.Info) -> list[AddressType]:
        return await info.context.loaders["core.addresses"].load((self.record_kind, self.id))

    @batched_field(
        visible_custom_values,
        description="Custom field values by key; sensitive ones only for those who may see them.",
    )
    async def custom_fields(self, info: strawberry.Info) -> JSON:
        [values] = await visible_custom_values([self], info.context)
        return values

    @batched_field(load_each("core.tags", _subject), description="Segment labels.")
    async def tags(self, info: strawberry.Info) -> list[str]:
        return await info.context.loaders["core.tags"].load((self.record_kind, self.id))


class Company(_Related, Extensible, relay.Node):
    """A company in the client file (a lead, a customer, a partner or a supplier)."""

    node_permission: ClassVar[str] = crm.COMPANY_READ
    record_kind: ClassVar[str] = "company"

    id: relay.NodeID[int]
    name: str
    kind: CounterpartyKind
    lifecycle: Lifecycle
    status: str
    classification: str
    nip: str | None = strawberry.field(description="Polish tax identification number, 10 digits.")
    regon: str | None
    website: str
    preferred_language: str
    qualification: JSON = strawberry.field(description="What qualifying the lead found out.")
    custom_values: strawberry.Private[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="People working at this company.")
    async def employees(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection["Employment_"]:
        actor = info.context.actor
        if actor.scope_for(crm.PERSON_READ) is None:
            return relay.Connection(
                edges=[],
                page_info=relay.PageInfo(
                    has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
                ),
            )
        query = db.Employment.select(
            db.Employment.id, db.Employment.position, db.Employment.is_primary, db.Employment.person
        ).where((db.Employment.company == self.id) & visible(db.Employment.person, actor, crm.PERSON_READ))
        return await paginate_by_key(
            query,
            [db.Employment.id],
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=lambda row: Employment_(
                position=row["position"], is_primary=row["is_primary"], company_id=self.id, person_id=row["person"]
            ),
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdecimal()]
        loaded = await info.context.loaders["core.company"].load_many(ids) if ids else []
        found = dict(zip(ids, loaded, strict=True))
        return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


class Person(_Related, Extensible, relay.Node):
    """A person in the client file: a customer, a contact at a company, a lead."""

    node_permission: ClassVar[str] = crm.PERSON_READ
    record_kind: ClassVar[str] = "person"

    id: relay.NodeID[int]
    first_name: str
    last_name: str
    kind: CounterpartyKind
    lifecycle: Lifecycle
    birthday: date | None = sensitive(permission=SENSITIVE_READ)
    preferred_language: str
    qualification: JSON
    custom_values: strawberry.Private[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    @batched_field(each(lambda s: f"{s.first_name} {s.last_name}".strip()))
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @batched_field(
        load_each("core.employments_by_person", lambda s: s.id),
        description="Companies this person works at, and as what.",
    )
    async def employments(self, info: strawberry.Info) -> list["Employment_"]:
        return await info.context.loaders["core.employments_by_person"].load(self.id)

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdecimal()]
        loaded = await info.context.loaders["core.person"].load_many(ids) if ids else []
        found = dict(zip(ids, loaded, strict=True))
        return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


@strawberry.type(name="Employment", description="A person's position at a company.")
class Employment_:
    position: str
    is_primary: bool
    company_id: strawberry.Private[int]
    person_id: strawberry.Private[int]

    @batched_field(
        load_each("core.company", lambda s: s.company_id), description="Null when the company is outside your area."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return await info.context.loaders["core.company"].load(self.company_id)

    @batched_field(
        load_each("core.person", lambda s: s.person_id), description="Null when the person is outside your area."
    )
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return await info.context.loaders["core.person"].load(self.person_id)


def _person_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "kind": CounterpartyKind(row["kind"]),
        "lifecycle": Lifecycle(row["lifecycle"]),
        "birthday": row["birthday"],
        "preferred_language": row["preferred_language"],
        "qualification": row["qualification"],
        "custom_values": row["custom"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "owner_id": row["owner"],
        "territory_id": row["territory"],
    }


def company_node(info: Any, row: dict[str, Any]) -> Any:
    return composed_class(info.context, "Company")(**_company_values(row))


def person_node(info: Any, row: dict[str, Any]) -> Any:
    return composed_class(info.context, "Person")(**_person_values(row))
