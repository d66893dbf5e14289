"""Running rules: one async subscriber on every event, then one job per matching rule.

The subscriber (``core.rules``) reads the enabled rules of the event's type with one indexed
query and defers ``core.run_rule`` for each rule whose conditions hold — so each rule has its own
delivery, retries and dead letter, and a failing rule never holds up another. The job runs the
actions in order inside its delivery's transaction (all or nothing) and records the run;
failures are recorded by the job's ``on_failure`` after the rollback.

Changes made by rules are made by :data:`RULES_ACTOR`; the events they cause do not run rules
again, so two rules can never feed each other forever.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.access.tables import User
from core.auth import Actor
from core.crm import services as crm
from core.crm.merge_fields import person_variables, user_variables
from core.crm.tables import Company, CompanyTag, Employment, Person, PersonTag
from core.db.tables import OutboxMessage
from core.errors import DomainError, PermanentJobFailure
from core.events.base import Event
from core.jobs.context import JobContext
from core.mail.outgoing import queue_mail
from core.notifications.services import notify
from core.rules.conditions import RECORD_FIELDS, matches, records_tested
from core.rules.services import CUSTOM_PREFIX, DELIVER_WEBHOOK_JOB, notify_recipient
from core.rules.tables import Rule, RuleRun, WebhookDelivery, WebhookEndpoint
from core.rules.webhooks import webhook_body
from core.tasks.services import create_task
from core.templates import TemplateRenderError, render_template

if TYPE_CHECKING:
    from core.events.bus import UnitOfWork
    from core.runtime import Runtime

log = logging.getLogger("kartoteka.rules")
RUN_RULE_JOB = "core.run_rule"
RULES_ACTOR = Actor(kind="system", id="rules", superuser=True, display_name="Process rules")
MAX_ERROR_LENGTH = 2_000


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def events_with_rules(names: set[str]) -> set[str]:
    """``wants`` of the ``core.rules`` subscriber: the events some enabled rule listens to."""
    if not names:
        return set()
    rows = await Rule.select(Rule.event_type).where(
        Rule.event_type.is_in(sorted(names)) & (Rule.enabled == True)  # noqa: E712
    )
    return {row["event_type"] for row in rows}


async def dispatch_rules(event: Event, ctx: JobContext) -> None:
    """The ``core.rules`` subscriber: defer one run per enabled rule whose conditions hold."""
    rules = await (
        Rule.select(Rule.id, Rule.conditions, Rule.active_since)
        .where((Rule.event_type == event.name) & (Rule.enabled == True))  # noqa: E712
        .order_by(Rule.id)
        .output(load_json=True)
    )
    if not rules:
        return
    origin = await OutboxMessage.select(OutboxMessage.actor_id).where(OutboxMessage.id == ctx.message_id).first()
    if origin is not None and origin["actor_id"] == RULES_ACTOR.id:
        return  # caused by a rule: rules do not trigger rules
    occurred_at = _utc(ctx.occurred_at or datetime.now(UTC))
    payload = event.to_payload()
    tested = {
        **payload,
        **await _record_fields(payload, set().union(*(records_tested(r["conditions"]) for r in rules))),
    }
    for rule in rules:
        if _utc(rule["active_since"]) > occurred_at:
            continue  # the rule did not exist, or was off, when this happened
        if matches(rule["conditions"], tested):
            await ctx.uow.defer(
                RUN_RULE_JOB,
                rule_id=rule["id"],
                outbox_id=ctx.message_id,
                event_type=event.name,
                payload=payload,
                occurred_at=occurred_at.isoformat(),
            )


async def _record_fields(payload: Mapping[str, Any], records: set[str]) -> dict[str, Any]:
    """``{"company.lifecycle": …}`` for the records conditions test, read once per event."""
    values: dict[str, Any] = {}
    for record in sorted(records):
        table = Company if record == "company" else Person
        record_id = payload.get(f"{record}_id")
        columns = [getattr(table, name) for name in RECORD_FIELDS[record]]
        row = await table.select(*columns).where(table.id == record_id).first() if _is_id(record_id) else None
        values.update({f"{record}.{name}": (row or {}).get(name) for name in RECORD_FIELDS[record]})
    return values


# --- the subject of an event: its company, person and owner -------------------------------------------
class Subject:
    """What an event is about, loaded once per run for every action."""

    def __init__(self, payload: Mapping[str, Any]):
        self.company_id: int | None = payload.get("company_id") if _is_id(payload.get("company_id")) else None
        self.person_id: int | None = payload.get("person_id") if _is_id(payload.get("person_id")) else None
        self.company: dict[str, Any] = {}
        self.owner_id: int | None = None

    async def load(self) -> Subject:
        if self.company_id is not None:
            row = await (
                Company.select(
                    Company.name, Company.nip, Company.website, Company.lifecycle, Company.custom, Company.owner
                )
                .where((Company.id == self.company_id) & Company.deleted_at.is_null())
                .output(load_json=True)
                .first()
            )
            if row is not None:
                self.owner_id = row.pop("owner")
                self.company = {key: value or "" for key, value in row.items()}
                self.company["custom"] = row["custom"] if isinstance(row["custom"], dict) else {}
        if self.owner_id is None and self.person_id is not None:
            row = await Person.select(Person.owner).where(Person.id == self.person_id).first()
            self.owner_id = row["owner"] if row else None
        return self

    def link(self) -> tuple[str, int] | None:
        """The record a notification about the event points to: its company, else its person."""
        if self.company:
            return "Company", self.company_id
        return ("Person", self.person_id) if self.person_id is not None else None

    async def client_id(self) -> int | None:
        """The person of the event, or else the company's primary contact."""
        if self.person_id is not None:
            return self.person_id
        if self.company_id is None:
            return None
        row = await (
            Employment.select(Employment.person)
            .where((Employment.company == self.company_id) & Employment.person.deleted_at.is_null())
            .order_by(Employment.is_primary, ascending=False)
            .order_by(Employment.id)
            .first()
        )
        return row["person"] if row else None


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Run:
    """One rule run: the rule, the event, and what each action did."""

    def __init__(self, runtime: Runtime, uow: UnitOfWork, rule: Mapping[str, Any], message: Mapping[str, Any]):
        self.runtime = runtime
        self.uow = uow
        self.rule = rule
        self.outbox_id: int = message["outbox_id"]
        self.event_type: str = message["event_type"]
        self.payload: dict[str, Any] = message["payload"]
        self.occurred_at = datetime.fromisoformat(message["occurred_at"])
        self.subject = Subject(self.payload)
        self.notes: list[str] = []
        self._owner: dict[str, Any] | None = None
        self._person: dict[str, Any] | None = None

    async def variables(self) -> dict[str, Any]:
        if self._owner is None:
            owners = await user_variables([self.subject.owner_id] if self.subject.owner_id else [])
            self._owner = owners.get(self.subject.owner_id or 0, {"name": "", "email": "", "language": "pl"})
        if self._person is None:
            persons = await person_variables([self.subject.person_id] if self.subject.person_id else [])
            self._person = persons.get(self.subject.person_id or 0, {})
        return {"event": self.payload, "company": self.subject.company, "person": self._person, "owner": self._owner}

    def render(self, source: str, variables: Mapping[str, Any], *, html: bool = False) -> str:
        return render_template(source, variables, html=html)

    def skip(self, index: int, reason: str) -> None:
        log.info("rule %s, event %s, action %s skipped: %s", self.rule["id"], self.outbox_id, index + 1, reason)
        self.notes.append(f"{index + 1}: skipped — {reason}")

    def did(self, index: int, what: str) -> None:
        self.notes.append(f"{index + 1}: {what}")


async def _email(run: Run, index: int, action: Mapping[str, Any]) -> None:
    variables = await run.variables()
    if action["to"] == "owner":
        recipient = variables["owner"]
        if not recipient.get("email"):
            run.skip(index, "the record has no owner with an e-mail address")
            return
    else:
        client_id = await run.subject.client_id()
        if client_id is None:
            run.skip(index, "the event names no person and the company has no contact")
            return
        recipient = (await person_variables([client_id])).get(client_id)
        if recipient is None:
            run.skip(index, f"person {client_id} was erased or deleted")
            return
        if not recipient["email"]:
            run.skip(index, f"person {client_id} has no e-mail address")
            return
    variables = {**variables, "recipient": recipient}
    mail_id = await queue_mail(
        run.uow,
        to=recipient["email"],
        subject=run.render(action["subject"], variables).strip(),
        text=run.render(action["text"], variables),
        html=run.render(action["html"], variables, html=True) if action.get("html") else None,
        # A retried or re-delivered run queues the same message, which is then sent once.
        key=f"core.rule:{run.rule['id']}:{run.outbox_id}:{index}",
        source=f"core.rule:{run.rule['id']}",
    )
    run.did(index, f"e-mail {mail_id} queued")


async def _task(run: Run, index: int, action: Mapping[str, Any]) -> None:
    assignee = run.subject.owner_id if action["assignee"] == "owner" else action["assignee"]
    if assignee is None:
        run.skip(index, "the record has no owner to give the task to")
        return
    variables = await run.variables()
    task_id = await create_task(
        run.runtime,
        RULES_ACTOR,
        title=run.render(action["title"], variables).strip() or run.rule["name"],
        description=run.render(action["description"], variables) if action["description"] else "",
        due_at=run.occurred_at + timedelta(days=action["due_in_days"]),
        assignee_id=assignee,
        company_id=run.subject.company_id if run.subject.company else None,
        person_id=run.subject.person_id,
    )
    run.did(index, f"task {task_id} created")


async def _set_field(run: Run, index: int, action: Mapping[str, Any]) -> None:
    record = action["record"]
    record_id = run.subject.company_id if record == "company" else run.subject.person_id
    if record_id is None:
        run.skip(index, f"the event names no {record}")
        return
    kind = crm.COMPANY if record == "company" else crm.PERSON
    field, value = action["field"], action["value"]
    if field == "lifecycle":
        await crm.update_record(run.runtime, RULES_ACTOR, kind, record_id, {"lifecycle": value})
    elif field == "tag":
        link = CompanyTag if record == "company" else PersonTag
        tags = [row["tag.name"] for row in await link.select(link.tag.name).where(getattr(link, record) == record_id)]
        if value in tags:
            run.did(index, f"{record} {record_id} already tagged {value}")
            return
        await crm.update_record(run.runtime, RULES_ACTOR, kind, record_id, {}, crm.Related(tags=[*tags, value]))
    else:
        key = field.removeprefix(CUSTOM_PREFIX)
        await crm.update_record(run.runtime, RULES_ACTOR, kind, record_id, {}, custom={key: value})
    run.did(index, f"{record} {record_id}: {field} set")


async def _webhook(run: Run, index: int, action: Mapping[str, Any]) -> None:
    endpoint = (
        await WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.is_active)
        .where(WebhookEndpoint.id == action["endpoint_id"])
        .first()
    )
    if endpoint is None or not endpoint["is_active"]:
        run.skip(index, f"webhook endpoint {action['endpoint_id']} is gone or inactive")
        return
    message_id = f"msg_rule{run.rule['id']}_event{run.outbox_id}_{index}"
    [row] = await WebhookDelivery.insert(
        WebhookDelivery(
            endpoint=endpoint["id"],
            rule=run.rule["id"],
            message_id=message_id,
            event_type=run.event_type,
            body=webhook_body(run.event_type, run.occurred_at, run.payload),
        )
    ).returning(WebhookDelivery.id)
    await run.uow.defer(DELIVER_WEBHOOK_JOB, delivery_id=row["id"])
    run.did(index, f"webhook delivery {row['id']} queued")


async def _notify(run: Run, index: int, action: Mapping[str, Any]) -> None:
    if action["to"] == "owner":
        recipients = [run.subject.owner_id] if run.subject.owner_id is not None else []
    else:
        kind, target = await notify_recipient(action["to"], ["to"])
        column = User.id if kind == "user" else User.team
        rows = await User.select(User.id).where((column == target) & (User.is_active == True))  # noqa: E712
        recipients = [row["id"] for row in rows]
    variables = await run.variables()
    created = await notify(
        run.uow,
        recipients,
        kind="core.rule",
        title=run.render(action["title"], variables).strip() or run.rule["name"],
        body=run.render(action["body"], variables) if action.get("body") else "",
        link=run.subject.link(),
    )
    if not created:
        run.skip(index, "nobody to notify: no owner, or no active user")
        return
    run.did(index, f"{len(created)} notification(s) created")


ACTIONS = {"email": _email, "task": _task, "set_field": _set_field, "webhook": _webhook, "notify": _notify}


async def run_rule(
    ctx: JobContext, rule_id: int, outbox_id: int, event_type: str, payload: dict[str, Any], occurred_at: str
) -> None:
    """The ``core.run_rule`` job: run one rule's actions for one event, all or nothing."""
    rule = await Rule.select().where(Rule.id == rule_id).output(load_json=True).first()
    if rule is None or not rule["enabled"]:
        return  # deleted or switched off since the event
    previous = await _run_row(rule_id, outbox_id)
    if previous is not None and previous["status"] == "succeeded":
        return
    message = {"outbox_id": outbox_id, "event_type": event_type, "payload": payload, "occurred_at": occurred_at}
    async with ctx.runtime.unit_of_work(RULES_ACTOR) as uow:
        run = Run(ctx.runtime, uow, rule, message)
        await run.subject.load()
        for index, action in enumerate(rule["actions"]):
            try:
                await ACTIONS[action["type"]](run, index, action)
            except (DomainError, TemplateRenderError) as error:
                # The data does not allow it (a value the field refuses, a deleted record):
                # trying again cannot help.
                raise PermanentJobFailure(f"action {index + 1} ({action['type']}): {error}") from error
    await _record(rule_id, message, "succeeded", previous, notes=run.notes)


async def _run_row(rule_id: int, outbox_id: int) -> dict[str, Any] | None:
    return await RuleRun.select().where((RuleRun.rule == rule_id) & (RuleRun.outbox_id == outbox_id)).first()


async def _record(
    rule_id: int,
    message: Mapping[str, Any],
    status: str,
    previous: Mapping[str, Any] | None,
    *,
    notes: list[str] | None = None,
    error: str = "",
) -> None:
    values = {
        RuleRun.status: status,
        RuleRun.attempts: (previous["attempts"] if previous else 0) + 1,
        RuleRun.error: error[:MAX_ERROR_LENGTH],
        RuleRun.notes: notes or [],
        RuleRun.finished_at: None if status == "retrying" else datetime.now(UTC),
    }
    if previous is not None:
        await RuleRun.update(values).where(RuleRun.id == previous["id"])
        return
    await RuleRun.insert(
        RuleRun(
            rule=rule_id,
            outbox_id=message["outbox_id"],
            event_type=message["event_type"],
            **{column._meta.name: value for column, value in values.items()},
        )
    )


async def record_rule_failure(runtime: Runtime, kwargs: dict[str, Any], error: BaseException, final: bool) -> None:
    """``on_failure`` of ``core.run_rule``: the run log says it failed (or will be retried), and why."""
    rule_id = kwargs["rule_id"]
    if not await Rule.exists().where(Rule.id == rule_id):
        return
    previous = await _run_row(rule_id, kwargs["outbox_id"])
    cause = error.__cause__ or error
    text = str(error) if isinstance(error, PermanentJobFailure) else f"{type(cause).__name__}: {cause}"
    await _record(rule_id, kwargs, "failed" if final else "retrying", previous, error=text)
