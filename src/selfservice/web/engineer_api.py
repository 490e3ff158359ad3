"""The engineers' and managers' API under ``/api/v1/engineer/`` (engineer API token).

Thin: the caller is known (``auth.Staff``) and the input read by the time an endpoint
runs (``routes.py`` names its models); it calls one use case (``Call.run``), which
checks on the locked ticket, in its transaction, that the caller's role may do this on
the ticket's line (``domain.staffing``), and shapes the answer.
"""

from datetime import datetime
from functools import partial
from typing import Any

from selfservice.db.models import Comment, Ticket, TicketHistory
from selfservice.domain import staffing
from selfservice.domain.enums import Status
from selfservice.services import (
    attachments,
    classification,
    comments,
    desk,
    escalation,
    queries,
    tickets,
)
from selfservice.services.common import Actor
from selfservice.web.attachments_api import attachment_json
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.requests import (
    Assignment,
    Escalation,
    QueueQuery,
    Reprioritisation,
    StaffComment,
    Transition,
    UrgencyConfirmation,
)
from selfservice.web.tickets_api import ticket_json

ENGINEER_URL = "/api/v1/engineer"
Answer = dict[str, Any]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def queue_item(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "type": ticket.type.value,
        "service": ticket.service,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "urgency": ticket.urgency.value,
        "urgency_confirmed": ticket.urgency_confirmed,
        "impact": ticket.impact.value,
        "line": ticket.line.value,
        "group": ticket.group_id,
        "assignee_id": ticket.assignee_id,
        "response_due": _iso(ticket.response_due),
        "due": _iso(ticket.resolution_due),
    }


def detail_json(ticket: Ticket) -> dict[str, Any]:
    answer = ticket_json(ticket)
    answer.update(queue_item(ticket))
    answer["org"] = ticket.org_id
    answer["contact_id"] = ticket.contact_id
    answer["known_problem"] = ticket.known_problem_id
    answer["url"] = f"{ENGINEER_URL}/tickets/{ticket.number}"
    return answer


def comment_item(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id, "at": comment.at.isoformat(), "author_kind": comment.author_kind.value,
        "author_id": comment.author_id, "public": comment.public, "body": comment.body,
    }


def history_item(row: TicketHistory) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(), "actor_kind": row.actor_kind.value, "actor_id": row.actor_id,
        "field": row.field, "from": row.from_value, "to": row.to_value, "reason": row.reason,
    }


def _actor(call: Call[Any, Any]) -> Actor:
    return Actor.engineer(call.staff.id)


async def queue(call: Call[None, QueueQuery]) -> Answer:
    """A line's or group's open tickets, the nearest SLA deadline first

    Without `line`, the caller's own line (managers: every line). L2 may also watch
    L1's queue; managers read every queue.
    """
    who, config = call.staff, call.backend.config
    line, group = call.query.line, call.query.group
    if line is None and group is not None and group in config.groups:
        line = config.groups[group].line
    if line is None and not who.is_manager:
        line = who.line
    if line is not None:
        staffing.check_reader(who.line, line)
    found = await call.run(queries.queue, line=line, group_id=group, limit=call.query.limit)
    return {"line": line.value if line else None, "group": group,
            "tickets": [queue_item(t) for t in found]}


async def get_ticket(call: Call[None, None]) -> Answer:
    """One ticket with its full history and all comments (internal ones too)"""
    details = await call.run(queries.ticket_details, number=call.path("number"),
                             actor=_actor(call))
    answer = detail_json(details.ticket)
    answer["comments"] = [comment_item(c) for c in details.comments]
    answer["history"] = [history_item(h) for h in details.history]
    files = await call.run(attachments.listing, ticket_id=details.ticket.id or 0)
    answer["attachments"] = [attachment_json(f, answer["url"]) for f in files]
    return answer


async def assign(call: Call[Assignment, None]) -> Answer:
    """Assign the ticket (engineer_id null or absent - to the caller)

    The assignee must be an engineer of the ticket's line (L3 for a ticket with a third
    party); a manager or an engineer of another line is 422 `assignee_is_manager` /
    `assignee_wrong_line`.
    """
    engineer_id = call.body.engineer_id
    changed = await call.run(
        tickets.assign, ticket_id=call.path("number"),
        engineer_id=engineer_id if engineer_id is not None else call.staff.id,
        actor=_actor(call), now=call.now(), config=call.backend.config,
        comment=call.body.comment or None,
    )
    return detail_json(changed)


async def transition(call: Call[Transition, None]) -> Answer:
    """Move the ticket to another status

    `in_progress` starts work (or brings it back from external processing, as does
    `assigned`); `information_needed` asks the contact the `comment` (the SLA clocks
    pause); `external_processing` hands it to a third party (`comment` says who and why);
    `completed` needs a `closure_code`; `closed` records the contact's confirmation
    (e.g. by phone). Who sees the `comment` is decided per transition by one table
    (`domain.visibility`): the question of `information_needed` always goes to the
    contact, the result of `completed` is public by default, every other comment is
    internal by default; `public` true/false overrides the default where the table
    allows it (else 422 `comment_visibility_fixed`).
    """
    body, target = call.body, call.body.target
    comment = _transition_comment(body)
    if target is Status.COMPLETED and body.closure_code is None:
        raise ApiError(400, "required", field="closure_code")
    # Which use case moves it depends on where it is now; each checks the line itself.
    ticket = await call.run(desk.locate, number=call.path("number"))
    common: dict[str, Any] = {
        "ticket_id": ticket.number, "actor": _actor(call), "now": call.now(),
        "config": call.backend.config, "public": body.public,
    }
    use_case: partial[Ticket]
    if target is Status.INFORMATION_NEEDED:
        use_case = partial(tickets.request_information, question=comment or "", **common)
    elif target is Status.EXTERNAL_PROCESSING:
        use_case = partial(tickets.hand_to_external, comment=comment or "", **common)
    elif ticket.status is Status.EXTERNAL_PROCESSING and target in (
        Status.IN_PROGRESS, Status.ASSIGNED
    ):
        use_case = partial(tickets.back_from_external, comment=comment, **common)
    elif target is Status.IN_PROGRESS:
        use_case = partial(tickets.start_work, comment=comment, **common)
    elif target is Status.COMPLETED:
        assert body.closure_code is not None
        use_case = partial(tickets.complete, closure_code=body.closure_code, comment=comment,
                           **common)
    elif target is Status.CLOSED:
        use_case = partial(tickets.confirm, comment=comment, **common)
    else:  # assigned: (re)take it
        use_case = partial(tickets.assign, engineer_id=ticket.assignee_id or call.staff.id,
                           comment=comment, **common)
    return detail_json(await call.run(use_case))


def _transition_comment(body: Transition) -> str | None:
    """The comment; asking the contact and handing to a third party need one."""
    if body.target not in (Status.INFORMATION_NEEDED, Status.EXTERNAL_PROCESSING):
        return body.comment or None
    if "comment" not in body.model_fields_set:
        raise ApiError(400, "required", field="comment")
    if body.comment is None:
        raise ApiError(400, "not_null", field="comment")
    if not body.comment:
        raise ApiError(400, "blank", field="comment")
    return body.comment


async def add_comment(call: Call[StaffComment, None]) -> Answer:
    """Comment on the ticket, public (the contact sees it) or internal

    The answer is the comment as stored.
    """
    comment = await call.run(
        comments.add_comment, ticket_id=call.path("number"), actor=_actor(call),
        body=call.body.body, now=call.now(), config=call.backend.config,
        public=bool(call.body.public),
    )
    return comment_item(comment)


async def set_priority(call: Call[Reprioritisation, None]) -> Answer:
    """Re-prioritise (urgency and/or impact, with a reason); the priority is recomputed

    Engineers of the ticket's line and managers.
    """
    changed = await call.run(
        classification.set_priority_factors, ticket_id=call.path("number"),
        actor=_actor(call), now=call.now(), config=call.backend.config,
        reason=call.body.reason, urgency=call.body.urgency, impact=call.body.impact,
    )
    return detail_json(changed)


async def escalate(call: Call[Escalation, None]) -> Answer:
    """Escalate to the next line (or hand over to another group), with a reason

    A named `engineer_id` must work on the target line (422 `assignee_wrong_line` /
    `assignee_is_manager`). The contact is not told: no comment, no e-mail.
    """
    number, body = call.path("number"), call.body
    await call.run(
        escalation.escalate_ticket, ticket_id=number, actor=_actor(call),
        target_line=body.line, target_group=body.group, reason=body.reason, now=call.now(),
        config=call.backend.config, assignee_id=body.engineer_id,
    )
    return detail_json(await call.run(desk.locate, number=number))


async def confirm_urgency(call: Call[UrgencyConfirmation, None]) -> Answer:
    """Record that the contact confirmed the high urgency by phone"""
    changed = await call.run(
        classification.confirm_urgency, ticket_id=call.path("number"), actor=_actor(call),
        now=call.now(), comment=call.body.comment or None,
    )
    return detail_json(changed)
