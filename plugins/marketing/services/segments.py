"""Segments: saved criteria over persons, compiled to one SQL condition whenever they are used.

Criteria are a tree stored as JSON: ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}`` or
a leaf — a field of the person or of the company they work at, a tag, a custom field, a consent,
having an e-mail address or a phone, or a fact another plugin knows (``marketing_person_facts``).
Every name and value is checked when the segment is saved and bound as a parameter when it runs;
nothing a user typed reaches the SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from core.api import (
    Actor,
    Company,
    DomainError,
    PluginError,
    PluginRuntime,
    _,
    custom_field_clause,
    custom_field_definitions,
    require_permission,
    visible,
)
from core.api import Person as PersonTable
from plugins.marketing.contracts import PersonFact
from plugins.marketing.permissions import SEGMENT_MANAGE, SEGMENT_READ
from plugins.marketing.tables import Segment

if TYPE_CHECKING:
    from piccolo.custom_types import Combinable

PERSON = '"core_person"'
MAX_DEPTH = 8
MAX_LEAVES = 100
LIFECYCLES = ("lead", "qualified", "customer", "former")
KINDS = ("b2b", "b2c", "partner", "supplier")
OPERATORS = ("eq", "ne", "in", "not_in", "gte", "lte")
CONTACT_KINDS = ("email", "phone")


@dataclass(frozen=True)
class FieldRule:
    column: str  # of core_person, or of core_company for "company." fields
    kind: str  # choice | text | int | date | territory
    choices: tuple[str, ...] = ()


PERSON_FIELDS = {
    "lifecycle": FieldRule("lifecycle", "choice", LIFECYCLES),
    "kind": FieldRule("kind", "choice", KINDS),
    "language": FieldRule("preferred_language", "text"),
    "owner": FieldRule("owner", "int"),
    "territory": FieldRule("territory", "territory"),
    "created_at": FieldRule("created_at", "date"),
}
COMPANY_FIELDS = {
    "company.lifecycle": FieldRule("lifecycle", "choice", LIFECYCLES),
    "company.kind": FieldRule("kind", "choice", KINDS),
    "company.classification": FieldRule("classification", "text"),
    "company.territory": FieldRule("territory", "territory"),
    "company.city": FieldRule("city", "text"),
}
FIELDS = PERSON_FIELDS | COMPANY_FIELDS

# Subqueries joining a condition on the company (unaliased, as custom-field clauses expect) to persons.
AT_COMPANY = (
    f"{PERSON}.id IN (SELECT core_employment.person FROM core_employment "
    "JOIN core_company ON core_company.id = core_employment.company "
    "WHERE core_company.deleted_at IS NULL AND ({}))"
)
COMPANY_IN_CITY = "core_company.id IN (SELECT company FROM core_address WHERE company IS NOT NULL AND lower(city) {})"


def _invalid(path: list[Any], message: str, code: str = "SEGMENT_INVALID", **params: Any) -> DomainError:
    return DomainError(code, message, [str(step) for step in path], **params)


class Compiler:
    """Checks a criteria tree and turns it into a QueryString over ``core_person``."""

    def __init__(self, facts: Mapping[str, PersonFact], custom: Mapping[str, Mapping[str, dict]], sqlite: bool):
        self.facts = facts
        self.custom = custom  # entity → key → definition
        self.sqlite = sqlite
        self.leaves = 0

    def compile(self, node: Any, path: list[Any], depth: int = 0) -> QueryString:
        if depth > MAX_DEPTH:
            raise _invalid(path, _("Criteria may be nested at most {limit} levels deep."), limit=MAX_DEPTH)
        if not isinstance(node, Mapping) or len(node) == 0:
            raise _invalid(path, _("Each criterion must say what it selects."))
        if "all" in node or "any" in node:
            key = "all" if "all" in node else "any"
            children = node[key]
            if not isinstance(children, list):
                raise _invalid([*path, key], _("A list of criteria is expected."))
            if not children:
                return QueryString("1 = 1" if key == "all" else "1 = 0")
            parts = [self.compile(child, [*path, key, index], depth + 1) for index, child in enumerate(children)]
            joiner = " AND " if key == "all" else " OR "
            return QueryString("(" + joiner.join("{}" for _part in parts) + ")", *parts)
        if "not" in node:
            return QueryString("NOT ({})", self.compile(node["not"], [*path, "not"], depth + 1))
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise _invalid(path, _("At most {limit} criteria in a segment."), limit=MAX_LEAVES)
        return self._leaf(node, path)

    def _leaf(self, node: Mapping[str, Any], path: list[Any]) -> QueryString:
        if "field" in node:
            return self._field(node, path)
        if "tag" in node:
            return self._tag(node["tag"], [*path, "tag"], company=False)
        if "companyTag" in node:
            return self._tag(node["companyTag"], [*path, "companyTag"], company=True)
        if "custom" in node:
            return self._custom("person", node["custom"], node, [*path, "custom"])
        if "companyCustom" in node:
            inner = self._custom("company", node["companyCustom"], node, [*path, "companyCustom"])
            return QueryString(AT_COMPANY, inner)
        if "consent" in node:
            return consented(_text(node["consent"], [*path, "consent"]).lower())
        if "has" in node:
            kind = node["has"]
            if kind not in CONTACT_KINDS:
                raise _invalid([*path, "has"], _("Allowed values: {allowed}."), allowed=", ".join(CONTACT_KINDS))
            return QueryString(
                f"EXISTS (SELECT 1 FROM core_contact_point WHERE core_contact_point.person = {PERSON}.id "
                "AND core_contact_point.kind = {})",
                kind,
            )
        if "fact" in node:
            return self._fact(node, path)
        raise _invalid(path, _("Each criterion must say what it selects."))

    def _field(self, node: Mapping[str, Any], path: list[Any]) -> QueryString:
        name = node["field"]
        rule = _lookup(FIELDS, name)
        if rule is None:
            raise _invalid(
                [*path, "field"], _("Allowed values: {allowed}."), "SEGMENT_FIELD_UNKNOWN", allowed=", ".join(FIELDS)
            )
        op = node.get("op", "eq")
        if op not in OPERATORS:
            raise _invalid([*path, "op"], _("Allowed values: {allowed}."), allowed=", ".join(OPERATORS))
        if op in ("gte", "lte") and rule.kind not in ("int", "date"):
            raise _invalid([*path, "op"], _("This operator does not suit this field."), "INVALID_OPERATOR")
        raw = node.get("value")
        many = op in ("in", "not_in")
        if many and (not isinstance(raw, list) or not raw):
            raise _invalid([*path, "value"], _("A non-empty list is expected."))
        values = [self._value(rule, item, [*path, "value"]) for item in (raw if many else [raw])]
        company = name in COMPANY_FIELDS
        table = "core_company" if company else PERSON
        if rule.kind == "territory":
            column = f"{table}.territory"
            values_sql = ", ".join("{}" for _v in values)
            expression = f"{column} IN (SELECT id FROM core_territory WHERE code IN ({values_sql}))"
            condition = QueryString(expression if op in ("eq", "in") else f"NOT {expression}", *values)
        elif name == "company.city":
            placeholders = ", ".join("{}" for _v in values)
            target = "= {}" if not many else f"IN ({placeholders})"
            inner = QueryString(COMPANY_IN_CITY.format(target), *[v.lower() for v in values])
            condition = inner if op in ("eq", "in") else QueryString("NOT ({})", inner)
        else:
            column = f"{table}.{rule.column}"
            if rule.kind == "date" and self.sqlite:
                column = f"date({column})"
            if many:
                placeholders = ", ".join("{}" for _v in values)
                keyword = "IN" if op == "in" else "NOT IN"
                condition = QueryString(f"{column} {keyword} ({placeholders})", *values)
            else:
                sql_op = {"eq": "=", "ne": "<>", "gte": ">=", "lte": "<="}[op]
                condition = QueryString(f"{column} {sql_op} {{}}", values[0])
        return QueryString(AT_COMPANY, condition) if company else condition

    def _value(self, rule: FieldRule, value: Any, path: list[Any]) -> Any:
        if rule.kind == "choice":
            if not isinstance(value, str) or value not in rule.choices:
                raise _invalid(path, _("Allowed values: {allowed}."), allowed=", ".join(rule.choices))
            return value
        if rule.kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                raise _invalid(path, _("A whole number is expected."))
            return value
        if rule.kind == "date":
            try:
                parsed = date.fromisoformat(str(value))
            except ValueError:
                raise _invalid(path, _("A date (YYYY-MM-DD) is expected.")) from None
            return parsed.isoformat() if self.sqlite else parsed
        return _text(value, path)

    def _tag(self, name: Any, path: list[Any], *, company: bool) -> QueryString:
        tag = _text(name, path)
        if company:
            inner = QueryString(
                "core_company.id IN (SELECT core_company_tag.company FROM core_company_tag "
                "JOIN core_tag ON core_tag.id = core_company_tag.tag WHERE core_tag.name = {})",
                tag,
            )
            return QueryString(AT_COMPANY, inner)
        return QueryString(
            f"{PERSON}.id IN (SELECT core_person_tag.person FROM core_person_tag "
            "JOIN core_tag ON core_tag.id = core_person_tag.tag WHERE core_tag.name = {})",
            tag,
        )

    def _custom(self, entity: str, key: Any, node: Mapping[str, Any], path: list[Any]) -> QueryString:
        definition = self.custom[entity].get(str(key))
        if definition is None or definition["sensitive"]:
            # Sensitive values never select an audience: a segment would reveal them by its size.
            raise _invalid(path, _("There is no custom field {key} here."), "CUSTOM_FIELD_UNKNOWN", key=key)
        table = PersonTable if entity == "person" else Company
        given_op = node.get("op", "eq")
        op = _lookup({"ne": "neq", "not_in": "in"}, given_op, default=given_op)
        try:
            clause = custom_field_clause(table, definition, op, node.get("value"), sqlite=self.sqlite)
        except DomainError as error:
            raise _invalid([*path[:-1], "value"], error.message, error.code, **error.params) from None
        return QueryString("NOT ({})", clause) if node.get("op") == "not_in" else clause

    def _fact(self, node: Mapping[str, Any], path: list[Any]) -> QueryString:
        fact = _lookup(self.facts, node["fact"])
        if fact is None:
            raise _invalid(
                [*path, "fact"],
                _("Allowed values: {allowed}."),
                "SEGMENT_FACT_UNKNOWN",
                allowed=", ".join(sorted(self.facts)),
            )
        given = node.get("params") or {}
        if not isinstance(given, Mapping):
            raise _invalid([*path, "params"], _("Each criterion must say what it selects."))
        params: dict[str, Any] = {}
        for name, kind in fact.parameters.items():
            if name not in given:
                raise _invalid([*path, "params", name], _("This field is required."), "REQUIRED")
            params[name] = self._value(FieldRule(name, kind), given[name], [*path, "params", name])
        unknown = set(given) - set(fact.parameters)
        if unknown:
            raise _invalid(
                [*path, "params", sorted(unknown)[0]],
                _("Allowed values: {allowed}."),
                allowed=", ".join(fact.parameters),
            )
        return QueryString(f"{PERSON}.id IN ({{}})", fact.persons(params, self.sqlite))


def _lookup(table: Mapping[str, Any], key: Any, default: Any = None) -> Any:
    """``table[key]``, or ``default`` for a missing key; criteria are client JSON, so a key may
    be a list or an object, which no dict lookup takes."""
    return table.get(key, default) if isinstance(key, str) else default


def _text(value: Any, path: list[Any]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(path, _("This field must not be blank."), "BLANK")
    return value.strip()


# --- using criteria --------------------------------------------------------------------------------
async def person_facts(runtime: PluginRuntime) -> dict[str, PersonFact]:
    """Every fact the enabled plugins offer, by name; names are checked as the core checks its own
    contributions: prefixed by the plugin that offers them, and offered once."""
    facts: dict[str, PersonFact] = {}
    offered_by: dict[str, str] = {}
    for plugin, result in await runtime.call_each("marketing_person_facts"):
        for fact in result or []:
            if fact.name.split(".", 1)[0] != plugin:
                raise PluginError(f"person fact {fact.name!r} of plugin {plugin!r} must start with '{plugin}.'")
            if fact.name in offered_by:
                raise PluginError(
                    f"person fact {fact.name!r} is offered by both {offered_by[fact.name]!r} and {plugin!r}"
                )
            offered_by[fact.name] = plugin
            facts[fact.name] = fact
    return facts


async def compile_criteria(
    runtime: PluginRuntime, criteria: Any, path: Sequence[Any] = ("input", "criteria")
) -> QueryString:
    custom = {entity: await custom_field_definitions(entity, include_archived=True) for entity in ("person", "company")}
    compiler = Compiler(await person_facts(runtime), custom, runtime.settings.is_sqlite)
    return compiler.compile(criteria, list(path))


def members_condition(actor: Actor, condition: QueryString) -> Combinable:
    """Persons of the segment that ``actor`` may see (never merged-away or removed ones)."""
    return visible(PersonTable, actor, SEGMENT_READ) & WhereRaw("{}", condition)


def consented(purpose: str, channel: str | None = None) -> QueryString:
    """Persons with an active consent for ``purpose`` (over ``channel``, or one covering any)."""
    over = "" if channel is None else "AND core_consent.channel IN ({}, 'any') "
    return QueryString(
        f"EXISTS (SELECT 1 FROM core_consent WHERE core_consent.person = {PERSON}.id "
        f"AND core_consent.purpose = {{}} {over}AND core_consent.withdrawn_at IS NULL)",
        purpose,
        *([] if channel is None else [channel]),
    )


def mailable(purpose: str) -> QueryString:
    """Persons with an address who consented to e-mail for ``purpose`` and are not suppressed."""
    return QueryString(
        "{} AND "
        f"EXISTS (SELECT 1 FROM core_contact_point WHERE core_contact_point.person = {PERSON}.id "
        "AND core_contact_point.kind = 'email' "
        "AND core_contact_point.value NOT IN (SELECT email FROM marketing_suppression))",
        consented(purpose, "email"),
    )


async def segment_row(segment_id: int, path: list[str]) -> dict[str, Any]:
    row = await Segment.select().where(Segment.id == segment_id).output(load_json=True).first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), path)
    return row


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    if len(name) > 200:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), ["input", "name"], limit=200)
    return name


async def _unique_name(name: str, own_id: int | None = None) -> None:
    query = Segment.exists().where(Segment.name == name)
    if own_id is not None:
        query = query.where(Segment.id != own_id)
    if await query:
        raise DomainError("DUPLICATE", _("This name is already taken."), ["input", "name"])


async def create_segment(runtime: PluginRuntime, actor: Actor, *, name: str, description: str, criteria: Any) -> int:
    require_permission(actor, SEGMENT_MANAGE)
    name = _name(name)
    await compile_criteria(runtime, criteria)
    async with runtime.unit_of_work(actor):
        await _unique_name(name)
        [row] = await Segment.insert(
            Segment(name=name, description=description.strip(), criteria=criteria, created_by=actor.user_id)
        ).returning(Segment.id)
    return row["id"]


async def update_segment(
    runtime: PluginRuntime,
    actor: Actor,
    segment_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    criteria: Any = None,
    archived: bool | None = None,
) -> int:
    require_permission(actor, SEGMENT_MANAGE)
    changes: dict[Any, Any] = {Segment.updated_at: datetime.now(UTC)}
    if criteria is not None:
        await compile_criteria(runtime, criteria)
        changes[Segment.criteria] = criteria
    async with runtime.unit_of_work(actor):
        await segment_row(segment_id, ["id"])
        if name is not None:
            changes[Segment.name] = _name(name)
            await _unique_name(changes[Segment.name], segment_id)
        if description is not None:
            changes[Segment.description] = description.strip()
        if archived is not None:
            changes[Segment.archived_at] = datetime.now(UTC) if archived else None
        await Segment.update(changes).where(Segment.id == segment_id)
    return segment_id


@dataclass(frozen=True)
class SegmentSize:
    persons: int
    mailable: int  # with an address, consent for the purpose, not suppressed
    callable: int  # with a phone number: the call list


async def measure(runtime: PluginRuntime, actor: Actor, criteria: Any, purpose: str = "marketing") -> SegmentSize:
    """How many persons the criteria select now (as far as ``actor`` sees), counted in SQL."""
    require_permission(actor, SEGMENT_READ)
    condition = await compile_criteria(runtime, criteria)
    members = members_condition(actor, condition)
    return SegmentSize(
        persons=await PersonTable.count().where(members),
        mailable=await PersonTable.count().where(members & WhereRaw("{}", mailable(purpose.strip().lower()))),
        callable=await PersonTable.count().where(members & has_phone()),
    )


def has_phone() -> WhereRaw:
    return WhereRaw(
        f"EXISTS (SELECT 1 FROM core_contact_point WHERE core_contact_point.person = {PERSON}.id "
        "AND core_contact_point.kind = 'phone')"
    )
