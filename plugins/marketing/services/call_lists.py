"""A segment's call list turned into the call queue: one queued call per member with a phone.

Only through ``core.api``: the core owns the queue, its claiming and its outcomes.
"""

from __future__ import annotations

from datetime import datetime

from piccolo.columns.combination import WhereRaw

from core.api import Actor, CallRequest, DomainError, Enqueued, PluginRuntime, _, enqueue_calls, require_permission
from core.api import Person as PersonTable
from plugins.marketing.permissions import SEGMENT_READ
from plugins.marketing.services import segments

# One call list is a day's or a week's work for a team, not the whole file: a bigger segment is
# refused (narrow it) rather than queued in part.
MAX_CALLS = 5000


async def queue_segment_calls(
    runtime: PluginRuntime,
    actor: Actor,
    segment_id: int,
    *,
    reason: str,
    assignee_id: int | None = None,
    team_id: int | None = None,
    due_at: datetime | None = None,
    priority: int = 3,
    purpose: str = "marketing",
    require_consent: bool = True,
) -> Enqueued:
    """Queue a call to each member of the segment with a phone (and, by default, consent to be
    called for ``purpose``); members with an open call for the same reason are skipped. Returns
    how many calls are being queued (``pending``) and how many were skipped."""
    require_permission(actor, SEGMENT_READ)
    segment = await segments.segment_row(segment_id, ["input", "segment"])
    condition = await segments.compile_criteria(runtime, segment["criteria"], ["input", "segment"])
    members = segments.members_condition(actor, condition) & segments.has_phone()
    if require_consent:
        purpose = purpose.strip().lower()
        if not purpose:
            raise DomainError("BLANK", _("This field must not be blank."), ["input", "purpose"])
        members = members & WhereRaw("{}", segments.consented(purpose, "phone"))
    rows = await PersonTable.select(PersonTable.id).where(members).order_by(PersonTable.id).limit(MAX_CALLS + 1)
    if len(rows) > MAX_CALLS:
        raise DomainError(
            "TOO_MANY",
            _("A call list holds at most {limit} persons; narrow the segment."),
            ["input", "segment"],
            limit=MAX_CALLS,
        )
    requests = [
        CallRequest(
            reason=reason,
            person_id=row["id"],
            due_at=due_at,
            priority=priority,
            assignee_id=assignee_id,
            team_id=team_id,
            source=f"marketing.segment:{segment_id}",
        )
        for row in rows
    ]
    # Checked now with the caller's rights; written by a job, as thousands of calls (an event
    # each) would outlast the request.
    return await enqueue_calls(runtime, actor, requests, skip_duplicates=True, in_background=True)
