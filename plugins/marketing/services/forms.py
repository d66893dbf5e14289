"""Web forms → leads (MISSION F16).

Staff define a form (fields, an optional short survey, the consents it offers, the sites allowed
to embed it); a visitor's post is checked, throttled, stored as sent, and then processed: matched
against the CRM (``matching``), turned into a lead where it is someone new, its consents recorded
through the core, an entry put on the timeline, and the lead routed (``routing``). Processing
that fails leaves the submission stored; a scheduled job tries it again.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from core.api import (
    ANONYMOUS,
    SYSTEM,
    Actor,
    ContactInput,
    DomainError,
    EmploymentInput,
    PluginRuntime,
    Related,
    Territory,
    UnitOfWork,
    _,
    as_utc,
    create_company,
    create_person,
    give_consent,
    merge_records,
    normalise_email,
    normalise_nip,
    normalise_phone,
    record_timeline,
    require_permission,
)
from plugins.marketing.permissions import FORM_MANAGE, LEAD_MERGE
from plugins.marketing.services import matching, routing
from plugins.marketing.tables import FormAttempt, FormSubmission, MergeCandidate, WebForm

FIELDS = ("email", "first_name", "last_name", "phone", "company", "nip", "position", "message", "territory")
FIELD_LIMITS = {"message": 5000}
TEXT_LIMIT = 300
CONSENT_CHANNELS = ("email", "phone", "sms", "post", "any")  # as the core's consent records take them
HONEYPOT = "website"  # hidden by the page's CSS: people leave it empty, bots fill it in
MAX_QUESTIONS = 10
MAX_CHOICES = 20
ANSWER_LIMIT = 500
MAX_ORIGINS = 20
MAX_ATTEMPTS = 10  # processing tries before a submission waits for a person to look at it
RETRY_AFTER = timedelta(minutes=1)  # a submission still unprocessed this long is the job's to retry
RETRY_BATCH = 50


# --- definitions ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyQuestion:
    key: str
    question: str
    choices: Sequence[str] = ()  # none: a free answer


@dataclass(frozen=True)
class ConsentOffer:
    purpose: str
    text: str
    channel: str = "email"


@dataclass(frozen=True)
class FormDefinition:
    name: str
    fields: Sequence[str] = ("email", "first_name", "last_name")
    required: Sequence[str] = ("email",)
    survey: Sequence[SurveyQuestion] = ()
    consents: Sequence[ConsentOffer] = ()
    allowed_origins: Sequence[str] = ()
    territory: str | None = None


def normalise_origin(value: str, path: list[str]) -> str:
    """``https://www.example.pl`` exactly as a browser sends it in the Origin header."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise DomainError("INVALID_ORIGIN", _("Give a site as https://host (with a port if not the usual)."), path)
    if parts.query or parts.fragment or parts.username:
        raise DomainError("INVALID_ORIGIN", _("Give a site as https://host (with a port if not the usual)."), path)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _check_definition(definition: FormDefinition) -> dict[str, Any]:
    name = definition.name.strip()
    if not name:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    fields = list(dict.fromkeys(definition.fields))
    for index, name_of_field in enumerate(fields):
        if name_of_field not in FIELDS:
            raise DomainError(
                "INVALID_CHOICE",
                _("Allowed values: {allowed}."),
                ["input", "fields", str(index)],
                allowed=", ".join(FIELDS),
            )
    if "email" not in fields:
        fields.insert(0, "email")  # matching and throttling need it
    required = list(dict.fromkeys(["email", *definition.required]))
    for index, name_of_field in enumerate(required):
        if name_of_field not in fields:
            raise DomainError(
                "NOT_A_FIELD", _("Only a field of the form can be required."), ["input", "required", str(index)]
            )
    if len(definition.survey) > MAX_QUESTIONS:
        raise DomainError("TOO_MANY", _("At most {limit} questions."), ["input", "survey"], limit=MAX_QUESTIONS)
    survey = []
    for index, question in enumerate(definition.survey):
        path = ["input", "survey", str(index)]
        key = question.key.strip()
        if not key or not key.replace("_", "").isalnum() or len(key) > 50:
            raise DomainError("INVALID_KEY", _("A key is made of letters, digits and underscores."), [*path, "key"])
        if not question.question.strip():
            raise DomainError("BLANK", _("This field must not be blank."), [*path, "question"])
        choices = [choice.strip() for choice in question.choices if choice.strip()]
        if len(choices) > MAX_CHOICES:
            raise DomainError("TOO_MANY", _("At most {limit} choices."), [*path, "choices"], limit=MAX_CHOICES)
        survey.append({"key": key, "question": question.question.strip()[:TEXT_LIMIT], "choices": choices})
    if len({q["key"] for q in survey}) != len(survey):
        raise DomainError("DUPLICATE", _("Each question needs its own key."), ["input", "survey"])
    consents = []
    for index, offer in enumerate(definition.consents):
        path = ["input", "consents", str(index)]
        purpose = offer.purpose.strip().lower()
        if not purpose or len(purpose) > 100:
            raise DomainError("BLANK", _("This field must not be blank."), [*path, "purpose"])
        if not offer.text.strip():
            raise DomainError("BLANK", _("This field must not be blank."), [*path, "text"])
        if offer.channel not in CONSENT_CHANNELS:
            raise DomainError(
                "INVALID_CHOICE",
                _("Allowed values: {allowed}."),
                [*path, "channel"],
                allowed=", ".join(CONSENT_CHANNELS),
            )
        consents.append({"purpose": purpose, "channel": offer.channel, "text": offer.text.strip()[:2000]})
    if len(definition.allowed_origins) > MAX_ORIGINS:
        raise DomainError("TOO_MANY", _("At most {limit} sites."), ["input", "allowedOrigins"], limit=MAX_ORIGINS)
    origins = [
        normalise_origin(origin, ["input", "allowedOrigins", str(index)])
        for index, origin in enumerate(definition.allowed_origins)
    ]
    return {
        "name": name[:200],
        "fields": fields,
        "required": required,
        "survey": survey,
        "consents": consents,
        "allowed_origins": list(dict.fromkeys(origins)),
    }


async def _territory_id(code: str | None) -> int | None:
    if not code:
        return None
    row = await Territory.select(Territory.id).where(Territory.code == code.strip()).first()
    if row is None:
        raise DomainError("UNKNOWN_TERRITORY", _("There is no territory with this code."), ["input", "territory"])
    return row["id"]


async def create_form(runtime: PluginRuntime, actor: Actor, definition: FormDefinition) -> int:
    require_permission(actor, FORM_MANAGE)
    checked = _check_definition(definition)
    async with runtime.unit_of_work(actor):
        [row] = await WebForm.insert(
            WebForm(
                **checked,
                key=secrets.token_urlsafe(12),
                territory=await _territory_id(definition.territory),
                created_by=actor.user_id,
            )
        ).returning(WebForm.id)
    return row["id"]


async def set_form_active(runtime: PluginRuntime, actor: Actor, form_id: int, active: bool) -> int:
    """An inactive form refuses posts (404), keeping its submissions."""
    require_permission(actor, FORM_MANAGE)
    async with runtime.unit_of_work(actor):
        updated = await WebForm.update({WebForm.active: active}).where(WebForm.id == form_id).returning(WebForm.id)
        if not updated:
            raise DomainError("NOT_FOUND", _("No such form."), ["id"])
    return form_id


async def form_by_key(key: str) -> dict[str, Any] | None:
    return (
        await WebForm.select()
        .where((WebForm.key == key) & (WebForm.active == True))  # noqa: E712
        .output(load_json=True)
        .first()
    )


# --- throttling -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_address: int
    per_email: int


class Throttled(Exception):
    def __init__(self, retry_after: int, by: str):
        self.retry_after = retry_after
        self.by = by  # "address" | "email"
        super().__init__(by)


async def reserve_attempt(runtime: PluginRuntime, limits: Limits, address: str, email: str) -> None:
    """Count this post first, committed at once, so posts sent at the same moment see each other;
    then refuse it if the window already holds the limit. Refused posts count too: a flood from one
    address keeps it shut out. Retry-After is when the oldest post counted leaves the window."""
    now = datetime.now(UTC)
    since = now - limits.window
    async with runtime.unit_of_work(ANONYMOUS):
        await FormAttempt.delete().where(FormAttempt.attempted_at < since)  # forget what no longer counts
        await FormAttempt.insert(FormAttempt(address=address[:64], email=email[:320], attempted_at=now))
    checks = [("address", FormAttempt.address == address[:64], limits.per_address)]
    if email:
        checks.append(("email", FormAttempt.email == email[:320], limits.per_email))
    for by, condition, limit in checks:
        recent = await (
            FormAttempt.select(FormAttempt.attempted_at)
            .where(condition & (FormAttempt.attempted_at >= since))
            .order_by(FormAttempt.attempted_at, ascending=False)
            .limit(limit + 1)
        )
        if len(recent) > limit:
            # After this moment the window holds fewer than ``limit`` posts again.
            frees_at = as_utc(recent[limit - 1]["attempted_at"]) + limits.window if limit else now + limits.window
            raise Throttled(max(1, math.ceil((frees_at - now).total_seconds())), by)


# --- intake -----------------------------------------------------------------------------------------------
@dataclass
class Posted:
    """What a visitor posted, read from JSON or a form-encoded body."""

    values: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    consents: list[str] = field(default_factory=list)
    honeypot: str = ""


class InvalidSubmission(Exception):
    def __init__(self, errors: list[DomainError]):
        self.errors = errors
        super().__init__(", ".join(e.code for e in errors))


def check_submission(form: Mapping[str, Any], posted: Posted) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The values, survey answers and consents to store; raises with every problem at once."""
    errors: list[DomainError] = []
    values: dict[str, str] = {}
    for name in form["fields"]:
        raw = str(posted.values.get(name, "") or "").strip()
        if not raw:
            if name in form["required"]:
                errors.append(DomainError("BLANK", _("This field must not be blank."), [name]))
            continue
        limit = FIELD_LIMITS.get(name, TEXT_LIMIT)
        if len(raw) > limit:
            errors.append(DomainError("TOO_LONG", _("At most {limit} characters."), [name], limit=limit))
            continue
        try:
            if name == "email":
                raw = normalise_email(raw, [name])
            elif name == "phone":
                raw = normalise_phone(raw, [name])
            elif name == "nip":
                raw = normalise_nip(raw, [name])
        except DomainError as error:
            errors.append(error)
            continue
        values[name] = raw
    answers: dict[str, str] = {}
    for question in form["survey"]:
        answer = str(posted.answers.get(question["key"], "") or "").strip()
        if not answer:
            continue  # the survey is optional
        path = ["survey", question["key"]]
        if question["choices"] and answer not in question["choices"]:
            errors.append(
                DomainError(
                    "INVALID_CHOICE", _("Allowed values: {allowed}."), path, allowed=", ".join(question["choices"])
                )
            )
        elif len(answer) > ANSWER_LIMIT:
            errors.append(DomainError("TOO_LONG", _("At most {limit} characters."), path, limit=ANSWER_LIMIT))
        else:
            answers[question["key"]] = answer
    offered = {offer["purpose"] for offer in form["consents"]}
    consents = []
    for purpose in posted.consents:
        purpose = str(purpose).strip().lower()
        if purpose not in offered:
            errors.append(
                DomainError(
                    "INVALID_CHOICE", _("Allowed values: {allowed}."), ["consents"], allowed=", ".join(sorted(offered))
                )
            )
        elif purpose not in consents:
            consents.append(purpose)
    if errors:
        raise InvalidSubmission(errors)
    return values, answers, consents


async def receive(
    runtime: PluginRuntime, form: Mapping[str, Any], posted: Posted, *, address: str, origin: str
) -> int | None:
    """Store a checked submission (committed before any processing); None for a bot's post."""
    if posted.honeypot.strip():
        return None  # accepted in the bot's eyes, dropped in ours
    values, answers, consents = check_submission(form, posted)
    async with runtime.unit_of_work(ANONYMOUS):
        [row] = await FormSubmission.insert(
            FormSubmission(
                form=form["id"],
                values=values,
                answers=answers,
                consents=consents,
                email=values.get("email", ""),
                address=address[:64],
                origin=origin[:300],
            )
        ).returning(FormSubmission.id)
    return row["id"]


# --- processing ---------------------------------------------------------------------------------------
def _lead_names(values: Mapping[str, str]) -> tuple[str, str]:
    first, last = values.get("first_name", ""), values.get("last_name", "")
    if not last:
        # The person table needs a last name; a form asking only for an e-mail gives the address.
        last, first = (first, "") if first else (values["email"], "")
    return first[:150], last[:150]


async def _candidate(kind: str, new_id: int, match: matching.Match, submission_id: int) -> None:
    await MergeCandidate.insert(
        MergeCandidate(
            kind=kind,
            new_id=new_id,
            existing_id=match.record_id,
            score=match.score,
            reasons=match.reasons,
            submission=submission_id,
        )
    )


def _timeline_body(form: Mapping[str, Any], values: Mapping[str, str], answers: Mapping[str, str]) -> str:
    lines = [f"{name}: {values[name]}" for name in FIELDS if name in values and name != "message"]
    if values.get("message"):
        lines += ["", values["message"]]
    questions = {q["key"]: q["question"] for q in form["survey"]}
    if answers:
        lines.append("")
        lines += [f"{questions.get(key, key)}: {answer}" for key, answer in answers.items()]
    return "\n".join(lines)


async def process_submission(runtime: PluginRuntime, submission_id: int) -> bool:
    """Match, create, consent, record, route — all or nothing; False when it was done already."""
    async with runtime.unit_of_work(SYSTEM) as uow:
        query = FormSubmission.select().where(FormSubmission.id == submission_id).output(load_json=True)
        if runtime.settings.is_postgres:
            query = query.lock_rows()  # the request and the retry job never process it both
        submission = await query.first()
        if submission is None or submission["status"] == "processed":
            return False
        form = await WebForm.select().where(WebForm.id == submission["form"]).output(load_json=True).first()
        values, answers = submission["values"], submission["answers"]
        source = f"form:{form['key']}"
        territory = None
        if form["territory"] is not None:
            territory = (await Territory.select(Territory.code).where(Territory.id == form["territory"]).first())[
                "code"
            ]
        if values.get("territory"):
            # A visitor's choice counts only when it is a territory we have.
            chosen = await Territory.select(Territory.code).where(Territory.code == values["territory"]).first()
            territory = chosen["code"] if chosen else territory
        matched: dict[str, Any] = {}
        created_company = created_person = False

        company_id = None
        company_name = values.get("company", "")
        if company_name or values.get("nip"):
            found = await matching.match_company(company_name, values.get("nip"))
            if found.certain:
                company_id = found.record_id
                matched["company"] = found.as_data("nip" if "nip" in found.reasons else "name")
            else:
                company_values: dict[str, Any] = {"name": company_name or values["nip"]}
                if values.get("nip"):
                    company_values["nip"] = values["nip"]
                company_id = await create_company(runtime, SYSTEM, company_values, territory=territory)
                created_company = True
                matched["company"] = {"id": company_id, "how": "new", "score": found.score}
                if found.doubtful:
                    await _candidate("company", company_id, found, submission_id)

        first, last = _lead_names(values)
        found, how = await matching.match_person(
            email=values["email"],
            phone=values.get("phone"),
            first_name=first,
            last_name=last,
            company_name=company_name,
        )
        if found.certain:
            person_id = found.record_id
            matched["person"] = found.as_data(how)
        else:
            person_id = await create_person(
                runtime,
                SYSTEM,
                {"first_name": first, "last_name": last},
                Related(
                    emails=[ContactInput(values["email"])],
                    phones=[ContactInput(values["phone"])] if values.get("phone") else [],
                    employments=[EmploymentInput(company_id, position=values.get("position", ""))]
                    if company_id
                    else [],
                ),
                territory=territory,
            )
            created_person = True
            matched["person"] = {"id": person_id, "how": "new", "score": found.score}
            if found.doubtful:
                await _candidate("person", person_id, found, submission_id)

        offers = {offer["purpose"]: offer for offer in form["consents"]}
        for purpose in submission["consents"]:
            await give_consent(runtime, SYSTEM, person_id, purpose, offers[purpose]["channel"], source)
        await record_timeline(
            runtime,
            uow,
            kind="marketing.form_submitted",
            person_id=person_id,
            company_id=company_id,
            subject=_("Web form: {form}").format(form=form["name"]),
            body=_timeline_body(form, values, answers),
            occurred_at=submission["received_at"],
            source=source,
            data={
                "submission": submission_id,
                "values": values,
                "answers": answers,
                "consents": submission["consents"],
            },
        )
        if created_person or created_company:
            await routing.route_lead(
                runtime,
                uow,
                routing.Lead(person_id if created_person else None, company_id, source, owns_company=created_company),
            )
        await FormSubmission.update(
            {
                FormSubmission.status: "processed",
                FormSubmission.person: person_id,
                FormSubmission.company: company_id,
                FormSubmission.matched: matched,
                FormSubmission.error: "",
                FormSubmission.attempts: submission["attempts"] + 1,
                FormSubmission.processed_at: datetime.now(UTC),
            }
        ).where(FormSubmission.id == submission_id)
    return True


async def _mark_failed(runtime: PluginRuntime, submission_id: int, error: Exception) -> None:
    async with runtime.unit_of_work(SYSTEM):
        row = await FormSubmission.select(FormSubmission.attempts).where(FormSubmission.id == submission_id).first()
        await FormSubmission.update(
            {
                FormSubmission.status: "failed",
                FormSubmission.error: f"{type(error).__name__}: {error}"[:2000],
                FormSubmission.attempts: (row["attempts"] if row else 0) + 1,
            }
        ).where((FormSubmission.id == submission_id) & (FormSubmission.status != "processed"))


async def process_or_keep(runtime: PluginRuntime, submission_id: int) -> bool:
    """Process now; on failure the submission stays stored, marked with why, for the retry job."""
    try:
        return await process_submission(runtime, submission_id)
    except Exception as error:
        await _mark_failed(runtime, submission_id, error)
        return False


async def retry_unprocessed(runtime: PluginRuntime, uow: UnitOfWork) -> int:
    """Process submissions a request could not (failed, or the process stopped in between). Runs
    inside the job's transaction: each submission in a savepoint, so one that fails again is
    undone alone and marked, and the others are kept."""
    due = datetime.now(UTC) - RETRY_AFTER
    rows = await (
        FormSubmission.select(FormSubmission.id)
        .where(
            FormSubmission.status.is_in(["received", "failed"])
            & (FormSubmission.attempts < MAX_ATTEMPTS)
            & (FormSubmission.received_at < due)
        )
        .order_by(FormSubmission.id)
        .limit(RETRY_BATCH)
    )
    done = 0
    for row in rows:
        try:
            async with uow.savepoint():
                done += await process_submission(runtime, row["id"])
        except Exception as error:
            await _mark_failed(runtime, row["id"], error)
    return done


# --- the merge queue ---------------------------------------------------------------------------------
async def resolve_candidate(runtime: PluginRuntime, actor: Actor, candidate_id: int, merge: bool) -> int:
    """Merge: the new record goes into the existing one (the core's merge, in the actor's scope).
    Keep apart: both stay, and the pair is not offered again."""
    require_permission(actor, LEAD_MERGE)
    async with runtime.unit_of_work(actor):
        query = MergeCandidate.select().where(MergeCandidate.id == candidate_id)
        if runtime.settings.is_postgres:
            query = query.lock_rows()
        candidate = await query.first()
        if candidate is None:
            raise DomainError("NOT_FOUND", _("No such merge candidate."), ["id"])
        if candidate["status"] != "open":
            raise DomainError("ALREADY_RESOLVED", _("This candidate has been resolved already."), ["id"])
        if merge:
            await merge_records_for(runtime, actor, candidate)
        await MergeCandidate.update(
            {
                MergeCandidate.status: "merged" if merge else "kept_apart",
                MergeCandidate.resolved_by: actor.user_id,
                MergeCandidate.resolved_at: datetime.now(UTC),
            }
        ).where(MergeCandidate.id == candidate_id)
    return candidate_id


async def merge_records_for(runtime: PluginRuntime, actor: Actor, candidate: Mapping[str, Any]) -> None:
    await merge_records(runtime, actor, candidate["kind"], candidate["existing_id"], candidate["new_id"])
    # Submissions and routing of the merged record now point at the one that stays.
    column = FormSubmission.person if candidate["kind"] == "person" else FormSubmission.company
    await FormSubmission.update({column: candidate["existing_id"]}).where(column == candidate["new_id"])
