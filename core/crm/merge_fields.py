"""What a template may say about a person: the merge fields of rules, campaigns and occasions.

One batched read for any number of persons, so rendering 20,000 campaign messages costs a few
queries, not a few per recipient. Sensitive custom fields and birthdays are left out: mail
goes to the person, but the template is written and previewed by staff who may not see them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from core.access.tables import User
from core.crm.custom_fields import definitions
from core.crm.tables import ContactPoint, Employment, Person

if TYPE_CHECKING:
    from core.plugins.specs import TemplateVariable
    from core.runtime import Runtime

# Declared variables with sample values (core.templates): what a template may name.
PERSON_VARIABLES: dict[str, Any] = {
    "first_name": "Anna",
    "last_name": "Kowalska",
    "full_name": "Anna Kowalska",
    "email": "anna.kowalska@example.com",
    "phone": "+48 600 100 200",
    "language": "pl",
    "position": "Dyrektor zakupów",
    "company": {"name": "Przykład sp. z o.o.", "nip": "5260250274", "website": "https://example.com"},
    "owner": {"name": "Jan Nowak", "email": "jan.nowak@example.com"},
    "custom": {},
}


async def person_variables(person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Merge fields of each live person in ``person_ids``, keyed by id (missing ones left out)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    persons = (
        await Person.select(
            Person.id,
            Person.first_name,
            Person.last_name,
            Person.preferred_language,
            Person.custom,
            Person.owner.display_name,
            Person.owner.email,
        )
        .where(Person.id.is_in(ids) & Person.deleted_at.is_null())
        .output(load_json=True)
    )
    emails: dict[int, str] = {}
    phones: dict[int, str] = {}
    points = (
        await ContactPoint.select(ContactPoint.person, ContactPoint.kind, ContactPoint.value)
        .where(ContactPoint.person.is_in(ids))
        .order_by(ContactPoint.is_primary, ascending=False)
        .order_by(ContactPoint.id)
    )
    for point in points:
        chosen = emails if point["kind"] == "email" else phones
        chosen.setdefault(point["person"], point["value"])
    employers: dict[int, dict[str, Any]] = {}
    jobs = (
        await Employment.select(
            Employment.person,
            Employment.position,
            Employment.company.name,
            Employment.company.nip,
            Employment.company.website,
        )
        .where(Employment.person.is_in(ids) & Employment.company.deleted_at.is_null())
        .order_by(Employment.is_primary, ascending=False)
        .order_by(Employment.id)
    )
    for job in jobs:
        employers.setdefault(job["person"], job)
    shown = {key for key, definition in (await definitions("person")).items() if not definition["sensitive"]}
    result: dict[int, dict[str, Any]] = {}
    for person in persons:
        job = employers.get(person["id"], defaultdict(str))
        custom = person["custom"] if isinstance(person["custom"], dict) else {}
        full_name = f"{person['first_name']} {person['last_name']}".strip()
        result[person["id"]] = {
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "full_name": full_name,
            "email": emails.get(person["id"], ""),
            "phone": phones.get(person["id"], ""),
            "language": person["preferred_language"],
            "position": job["position"] or "",
            "company": {
                "name": job["company.name"] or "",
                "nip": job["company.nip"] or "",
                "website": job["company.website"] or "",
            },
            "owner": {"name": person["owner.display_name"] or "", "email": person["owner.email"] or ""},
            "custom": {key: value for key, value in custom.items() if key in shown},
        }
    return result


async def user_variables(user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Name and address of staff users (the owner a rule writes to)."""
    ids = sorted(set(user_ids))
    rows = await User.select(User.id, User.display_name, User.email, User.locale).where(User.id.is_in(ids or [-1]))
    return {row["id"]: {"name": row["display_name"], "email": row["email"], "language": row["locale"]} for row in rows}


async def plugin_variables(runtime: Runtime) -> list[TemplateVariable]:
    """What the enabled plugins add to person templates (``kartoteka_template_variables``)."""
    found: list[TemplateVariable] = []
    for _plugin, variables in await runtime.call_each("kartoteka_template_variables"):
        found.extend(variables or [])
    return found


async def declared_variables(runtime: Runtime, **extra: Any) -> dict[str, Any]:
    """Variables a template written for persons may name: ``recipient``, the plugins' own, ``extra``."""
    return {"recipient": PERSON_VARIABLES, **{v.name: v.sample for v in await plugin_variables(runtime)}, **extra}


async def recipient_contexts(runtime: Runtime, person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each live person's template context: ``recipient`` plus the plugins' variables."""
    ids = sorted(set(person_ids))
    contexts = {person_id: {"recipient": values} for person_id, values in (await person_variables(ids)).items()}
    for variable in await plugin_variables(runtime):
        values = await variable.load(list(contexts))
        for person_id, context in contexts.items():
            context[variable.name] = values.get(person_id, variable.sample)
    return contexts
