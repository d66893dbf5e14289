"""Shared set-up of the marketing tests: a small client file with consents, and an SMTP server."""

from __future__ import annotations

from email.message import EmailMessage as Message
from typing import Any

from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.gdpr import give_consent
from core.testing import SmtpSink as SmtpSink  # re-exported: the marketing tests take it from here

MARKETER = (
    "staff:marketing.segment.read,marketing.segment.manage,marketing.campaign.read,marketing.campaign.manage,"
    "marketing.campaign.send,core.person.read,core.company.read"
)


async def person(
    runtime: Any,
    first: str,
    last: str,
    address: str | None,
    *,
    tags: tuple[str, ...] = (),
    company: int | None = None,
    consent: bool = True,
    birthday: Any = None,
    phone: str | None = None,
) -> int:
    values: dict[str, Any] = {"first_name": first, "last_name": last}
    if birthday:
        values["birthday"] = birthday
    person_id = await crm.create_person(
        runtime,
        SYSTEM,
        values,
        crm.Related(
            emails=[crm.ContactInput(address)] if address else [],
            phones=[crm.ContactInput(phone)] if phone else [],
            tags=list(tags),
            employments=[crm.EmploymentInput(company)] if company else [],
        ),
    )
    if consent:
        await give_consent(runtime, SYSTEM, person_id, "marketing", "email", "web form")
    return person_id


def text_of(message: Message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: Message) -> str:
    body = message.get_body(("html",))
    return body.get_content() if body is not None else ""
