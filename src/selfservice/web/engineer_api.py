"""The engineers' and managers' API under ``/api/v1/engineer/`` (engineer API token).

Thin: each endpoint checks who calls (``engineer_auth.staff``) and what their role lets
them do on the ticket's line, reads its input, calls one use case in the thread pool (it
commits before returning) and shapes the answer. Domain refusals go through the common
error mapping.
"""

from datetime import datetime
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.db.models import Comment, Ticket, TicketHistory
from selfservice.domain.enums import ClosureCode, Impact, Line, Status, TicketType, Urgency
from selfservice.services import (
    classification,
    comments,
    desk,
    escalation,
    queries,
    tickets,
)
from selfservice.services.common import Actor
from selfservice.web.backend import Backend, backend_of
from selfservice.web.bodies import Body, read_body
from selfservice.web.engineer_auth import (
    Staff,
    require_act,
    require_read,
    staff,
)
from selfservice.web.params import query_choice, query_int, query_text
from selfservice.web.state import state_of
from selfservice.web.tickets_api import MAX_COMMENT, URGENCIES, ticket_json

LINES = [line.value for line in Line]
IMPACTS = [i.value for i in Impact]
CLOSURE_CODES = [c.value for c in ClosureCode]
TYPES = [t.value for t in TicketType]
#: The statuses an engineer may move a ticket to with ``transition``.
TARGETS = [
    Status.IN_PROGRESS.value, Status.INFORMATION_NEEDED.value,
    Status.EXTERNAL_PROCESSING.value, Status.ASSIGNED.value, Status.COMPLETED.value,
    Status.CLOSED.value,
]
#: The largest id (32-bit integer columns on PostgreSQL).
MAX_ID = 2_147_483_647


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


ENGINEER_URL = "/api/v1/engineer"


async def _ticket_for(request: Request, who: Staff, *, act: bool,
                      managers: bool = False) -> Ticket:
    """The ticket of the path, after the role check (read or act)."""
    backend = backend_of(request)
    ticket = await run_in_threadpool(
        partial(desk.locate, backend.engine, number=request.path_params["number"])
    )
    if act:
        require_act(who, ticket.line, managers=managers)
    else:
        require_read(who, ticket.line)
    return ticket


def context(request: Request) -> tuple[Backend, datetime]:
    return backend_of(request), state_of(request)["clock"]()


def _id(ticket: Ticket) -> int:
    assert ticket.id is not None
    return ticket.id


def _engineer_id(body: Body) -> int | None:
    """Ids are 32-bit integer columns: a larger number is out of range, not a server error."""
    return body.integer("engineer_id", minimum=1, maximum=MAX_ID, nullable=True)


async def queue(request: Request) -> JSONResponse:
    """
    summary: A line's or group's open tickets, the nearest SLA deadline first
    description: >
      Without `line`, the caller's own line (managers: every line). L2 may also watch
      L1's queue; managers read every queue.
    security: [{engineerToken: []}]
    parameters:
      - {name: line, in: query, required: false,
         schema: {type: string, enum: [L1, L2, L3, external]}}
      - {name: group, in: query, required: false,
         schema: {type: string, maxLength: 64, pattern: "\\\\S"}}
      - {name: limit, in: query, required: false,
         schema: {type: integer, minimum: 1, maximum: 500, default: 200}}
    responses:
      200: {description: "The queue: {tickets: [...]}"}
    errors: [400, 401, 403]
    """
    who = await staff(request)
    line_text = query_choice(request, "line", LINES)
    group = query_text(request, "group", max_length=64, required=False) or None
    limit = query_int(request, "limit", default=200, minimum=1, maximum=500)
    backend = backend_of(request)
    line = Line(line_text) if line_text else None
    if line is None and group is not None and group in backend.config.groups:
        line = backend.config.groups[group].line
    if line is None and not who.is_manager:
        line = who.line
    if line is not None:
        require_read(who, line)
    found = await run_in_threadpool(
        partial(queries.queue, backend.engine, line=line, group_id=group, limit=limit)
    )
    return JSONResponse({"line": line.value if line else None, "group": group,
                         "tickets": [queue_item(t) for t in found]})


async def get_ticket(request: Request) -> JSONResponse:
    """
    summary: One ticket with its full history and all comments (internal ones too)
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    responses:
      200: {description: "The ticket, `comments` and `history`"}
    errors: [401, 403, 404]
    """
    who = await staff(request)
    await _ticket_for(request, who, act=False)
    backend = backend_of(request)
    details = await run_in_threadpool(partial(
        queries.ticket_details, backend.engine, number=request.path_params["number"],
        actor=Actor.engineer(who.id),
    ))
    answer = detail_json(details.ticket)
    answer["comments"] = [comment_item(c) for c in details.comments]
    answer["history"] = [history_item(h) for h in details.history]
    return JSONResponse(answer)


async def assign(request: Request) -> JSONResponse:
    """
    summary: Assign the ticket (engineer_id null or absent - to the caller)
    description: >
      The assignee must be an engineer of the ticket's line (L3 for a ticket with a third
      party); a manager or an engineer of another line is 422 `assignee_is_manager` /
      `assignee_wrong_line`.
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    requestBody:
      required: false
      content:
        application/json:
          schema:
            type: object
            properties:
              engineer_id: {type: integer, nullable: true, minimum: 1, maximum: 2147483647}
              comment: {type: string, maxLength: 5000, nullable: true}
    responses:
      200: {description: The ticket after the change}
    errors: [400, 401, 403, 404, 409, 422]
    """
    who = await staff(request)
    body = await read_body(request, optional=True)
    engineer_id = _engineer_id(body)
    comment = body.text("comment", max_length=MAX_COMMENT, nullable=True, blank_ok=True) or None
    ticket = await _ticket_for(request, who, act=True)
    backend, now = context(request)
    changed = await run_in_threadpool(partial(
        tickets.assign, backend.engine, ticket_id=_id(ticket),
        engineer_id=engineer_id if engineer_id is not None else who.id,
        actor=Actor.engineer(who.id), now=now, config=backend.config, comment=comment,
    ))
    return JSONResponse(detail_json(changed))


async def transition(request: Request) -> JSONResponse:
    """
    summary: Move the ticket to another status
    description: >
      `in_progress` starts work (or brings it back from external processing, as does
      `assigned`); `information_needed` asks the contact the `comment` (the SLA clocks
      pause); `external_processing` hands it to a third party (`comment` says who and why);
      `completed` needs a `closure_code`; `closed` records the contact's confirmation
      (e.g. by phone). Who sees the `comment` is decided per transition by one table
      (`domain.visibility`): the question of `information_needed` always goes to the
      contact, the result of `completed` is public by default, every other comment is
      internal by default; `public` true/false overrides the default where the table
      allows it (else 422 `comment_visibility_fixed`).
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [to]
            properties:
              to: {type: string, enum: [in_progress, information_needed,
                   external_processing, assigned, completed, closed]}
              comment: {type: string, maxLength: 5000, nullable: true}
              public: {type: boolean, nullable: true,
                       description: "the contact sees the comment; absent: the default"}
              closure_code: {type: string, nullable: true, enum: [resolved, workaround,
                             fulfilled, duplicate, cancelled_by_customer, invalid_request]}
    responses:
      200: {description: The ticket after the change}
    errors: [400, 401, 403, 404, 409, 422]
    """
    who = await staff(request)
    body = await read_body(request)
    target = Status(body.choice("to", TARGETS, required=True) or "")
    needs_comment = target in (Status.INFORMATION_NEEDED, Status.EXTERNAL_PROCESSING)
    comment = body.text("comment", max_length=MAX_COMMENT, required=needs_comment,
                        nullable=not needs_comment, blank_ok=not needs_comment) or None
    code = body.choice("closure_code", CLOSURE_CODES, required=target is Status.COMPLETED,
                       nullable=True)
    public = body.boolean("public")
    ticket = await _ticket_for(request, who, act=True)
    backend, now = context(request)
    common: dict[str, Any] = {
        "ticket_id": _id(ticket), "actor": Actor.engineer(who.id), "now": now,
        "config": backend.config, "public": public,
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
        use_case = partial(tickets.complete, closure_code=ClosureCode(code or ""),
                           comment=comment, **common)
    elif target is Status.CLOSED:
        use_case = partial(tickets.confirm, comment=comment, **common)
    else:  # assigned: (re)take it
        use_case = partial(tickets.assign, engineer_id=ticket.assignee_id or who.id,
                           comment=comment, **common)
    changed = await run_in_threadpool(partial(use_case, backend.engine))
    return JSONResponse(detail_json(changed))


async def add_comment(request: Request) -> JSONResponse:
    """
    summary: Comment on the ticket, public (the contact sees it) or internal
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [body]
            properties:
              body: {type: string, minLength: 1, maxLength: 5000, pattern: "\\\\S"}
              public: {type: boolean, default: false}
    responses:
      201: {description: The comment as stored}
    errors: [400, 401, 403, 404, 409]
    """
    who = await staff(request)
    body = await read_body(request)
    text = body.text("body", max_length=MAX_COMMENT, required=True) or ""
    public = bool(body.boolean("public"))
    ticket = await _ticket_for(request, who, act=True)
    backend, now = context(request)
    comment = await run_in_threadpool(partial(
        comments.add_comment, backend.engine, ticket_id=_id(ticket),
        actor=Actor.engineer(who.id), body=text, now=now, config=backend.config, public=public,
    ))
    return JSONResponse(comment_item(comment), status_code=201)


async def set_priority(request: Request) -> JSONResponse:
    """
    summary: Re-prioritise (urgency and/or impact, with a reason); the priority is recomputed
    description: Engineers of the ticket's line and managers.
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [reason]
            properties:
              urgency: {type: string, enum: [very_high, high, medium, low, none], nullable: true}
              impact: {type: string, enum: [significant, high, medium, low], nullable: true}
              reason: {type: string, minLength: 1, maxLength: 5000, pattern: "\\\\S"}
    responses:
      200: {description: The ticket after the change}
    errors: [400, 401, 403, 404, 409]
    """
    who = await staff(request)
    body = await read_body(request)
    urgency = body.choice("urgency", URGENCIES, nullable=True)
    impact = body.choice("impact", IMPACTS, nullable=True)
    reason = body.text("reason", max_length=MAX_COMMENT, required=True) or ""
    ticket = await _ticket_for(request, who, act=True, managers=True)
    backend, now = context(request)
    changed = await run_in_threadpool(partial(
        classification.set_priority_factors, backend.engine, ticket_id=_id(ticket),
        actor=Actor.engineer(who.id), now=now, config=backend.config, reason=reason,
        urgency=Urgency(urgency) if urgency else None, impact=Impact(impact) if impact else None,
    ))
    return JSONResponse(detail_json(changed))


async def escalate(request: Request) -> JSONResponse:
    """
    summary: Escalate to the next line (or hand over to another group), with a reason
    description: >
      A named `engineer_id` must work on the target line (422 `assignee_wrong_line` /
      `assignee_is_manager`). The contact is not told: no comment, no e-mail.
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [line, group, reason]
            properties:
              line: {type: string, enum: [L1, L2, L3, external]}
              group: {type: string, maxLength: 64, pattern: "\\\\S"}
              reason: {type: string, minLength: 1, maxLength: 5000, pattern: "\\\\S"}
              engineer_id: {type: integer, nullable: true, minimum: 1, maximum: 2147483647}
    responses:
      200: {description: The ticket after the escalation}
    errors: [400, 401, 403, 404, 409, 422]
    """
    who = await staff(request)
    body = await read_body(request)
    line = Line(body.choice("line", LINES, required=True) or "")
    group = body.text("group", max_length=64, required=True) or ""
    reason = body.text("reason", max_length=MAX_COMMENT, required=True) or ""
    assignee = _engineer_id(body)
    ticket = await _ticket_for(request, who, act=True)
    backend, now = context(request)
    await run_in_threadpool(partial(
        escalation.escalate_ticket, backend.engine, ticket_id=_id(ticket),
        actor=Actor.engineer(who.id), target_line=line, target_group=group, reason=reason,
        now=now, config=backend.config, assignee_id=assignee,
    ))
    changed = await run_in_threadpool(
        partial(desk.locate, backend.engine, number=ticket.number)
    )
    return JSONResponse(detail_json(changed))


async def confirm_urgency(request: Request) -> JSONResponse:
    """
    summary: Record that the contact confirmed the high urgency by phone
    security: [{engineerToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
    requestBody:
      required: false
      content:
        application/json:
          schema:
            type: object
            properties:
              comment: {type: string, maxLength: 5000, nullable: true}
    responses:
      200: {description: The ticket after the change}
    errors: [400, 401, 403, 404, 409]
    """
    who = await staff(request)
    body = await read_body(request, optional=True)
    comment = body.text("comment", max_length=MAX_COMMENT, nullable=True, blank_ok=True) or None
    ticket = await _ticket_for(request, who, act=True, managers=True)
    backend, now = context(request)
    changed = await run_in_threadpool(partial(
        classification.confirm_urgency, backend.engine, ticket_id=_id(ticket),
        actor=Actor.engineer(who.id), now=now, comment=comment,
    ))
    return JSONResponse(detail_json(changed))
