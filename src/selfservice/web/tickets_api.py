"""The contact's tickets: file one, follow the organisation's tickets, comment, raise urgency,
confirm or reject a completed ticket. Every endpoint needs a verified, authorised contact.

Thin: each endpoint reads and checks its input, calls one ``services.portal`` use case in
the thread pool (it commits before returning) and shapes the answer. A ticket of another
organisation is 404 ``ticket_not_found``, never 403.
"""

from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.content.model import Content
from selfservice.conversation.texts import say
from selfservice.db.models import Comment, Ticket
from selfservice.domain.enums import ActorRole, Language, Status, Urgency
from selfservice.services import portal
from selfservice.web.backend import backend_of
from selfservice.web.bodies import read_body
from selfservice.web.customers import customer
from selfservice.web.errors import request_language
from selfservice.web.messages import message
from selfservice.web.params import query_choice, query_int
from selfservice.web.state import state_of
from selfservice.web.urls import API_PREFIX

MAX_DESCRIPTION = 10_000
MAX_COMMENT = 5_000
URGENCIES = [u.value for u in Urgency]
STATUSES = [s.value for s in Status]


def ticket_json(
    ticket: Ticket, content: Content | None = None, lang: Language = Language.EN
) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "type": ticket.type.value,
        "service": ticket.service,
        "form": ticket.form_id,
        "subject": shown_subject(ticket, content, lang),
        "description": ticket.description,
        "fields": ticket.fields,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "urgency": ticket.urgency.value,
        "urgency_confirmed": ticket.urgency_confirmed,
        "impact": ticket.impact.value,
        "channel": ticket.channel.value,
        "closure_code": ticket.closure_code.value if ticket.closure_code else None,
        "self_service_tried": ticket.self_service_tried,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "completed_at": ticket.completed_at.isoformat() if ticket.completed_at else None,
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
        "url": f"{API_PREFIX}/tickets/{ticket.number}",
    }


def shown_subject(ticket: Ticket, content: Content | None, lang: Language) -> str:
    """A subject that is only the form's title is shown in the interface's language."""
    form = content.forms.get(ticket.form_id) if content and ticket.form_id else None
    if form is not None and ticket.subject in {form.title.en, form.title.ru}:
        return form.title.get(lang)
    return ticket.subject


def submitted(ticket: Ticket, content: Content, lang: Language) -> dict[str, Any]:
    """The form's name and the submitted values with their labels, in ``lang``; a value
    of a choice field shows its option's label."""
    form = content.forms.get(ticket.form_id) if ticket.form_id else None
    if form is None:
        return {"form_name": None, "submitted": []}
    shown: list[dict[str, Any]] = []
    for field_id, value in (ticket.fields or {}).items():
        field = form.field(field_id)
        if field is None:
            continue
        options = {o.value: o.label.get(lang) for o in field.options}
        values = value if isinstance(value, list) else [value]
        text = ", ".join(options.get(str(v), str(v)) for v in values)
        shown.append({"id": field_id, "label": field.label.get(lang), "value": text})
    return {"form_name": form.title.get(lang), "submitted": shown}


def comment_json(comment: Comment, contact_id: int) -> dict[str, Any]:
    author = "support" if comment.author_kind is ActorRole.ENGINEER else comment.author_kind.value
    return {
        "id": comment.id,
        "at": comment.at.isoformat(),
        "author": author,
        "mine": comment.author_kind is ActorRole.CONTACT and comment.author_id == str(contact_id),
        "body": comment.body,
    }


def phone_notice(ticket: Ticket, phone: str | None, lang: Language) -> dict[str, Any]:
    """High urgency from the portal or widget must be confirmed by phone."""
    if ticket.urgency_confirmed:
        return {"required": False, "phone": None, "message": None}
    text = (
        message("phone_confirmation_required", lang, {"phone": phone})
        if phone
        else message("phone_confirmation_call_support", lang)
    )
    return {"required": True, "phone": phone, "message": text}


async def file_ticket(request: Request) -> JSONResponse:
    """
    summary: File a ticket (a request form, or free text that is classified)
    description: >
      With `form`, `fields` are checked against the form (422 with a per-field list);
      without it, `description` is classified into a type and service. With
      `conversation`, what the widget tried goes into the ticket and the conversation
      ends with outcome ticket_filed. High or very high urgency must be confirmed by
      phone (`phone_confirmation`).
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            properties:
              form: {type: string, maxLength: 64, nullable: true, description: request form id}
              fields: {type: object, description: "the form's answers, by field id"}
              urgency: {type: string, enum: [very_high, high, medium, low, none], nullable: true}
              subject: {type: string, maxLength: 300, nullable: true, pattern: "\\\\S"}
              description: {type: string, maxLength: 10000}
              conversation: {type: string, maxLength: 64, nullable: true}
    responses:
      201:
        description: Registered; the number is final
        content: {application/json: {schema: {$ref: "#/components/schemas/FiledTicket"}}}
    errors: [400, 401, 404, 409, 413, 422, 429]
    """
    who = await customer(request)
    body = await read_body(request)
    urgency = body.choice("urgency", URGENCIES, nullable=True)
    ticket_request = portal.TicketRequest(
        form_id=body.text("form", max_length=64, nullable=True, blank_ok=True),
        values=body.mapping("fields") or {},
        urgency=Urgency(urgency) if urgency else None,
        description=body.text("description", max_length=MAX_DESCRIPTION, blank_ok=True) or "",
        subject=body.text("subject", max_length=300, nullable=True),
        conversation_id=body.text("conversation", max_length=64, nullable=True, blank_ok=True),
    )
    backend = backend_of(request)
    state = state_of(request)
    filed = await run_in_threadpool(
        partial(
            portal.file_ticket,
            backend.engine,
            config=backend.config,
            content=state["content"],
            classifier=backend.classifier,
            contact_id=who.contact_id,
            request=ticket_request,
            now=state["clock"](),
        )
    )
    lang = request_language(request)
    answer = ticket_json(filed.ticket)
    answer["phone_confirmation"] = phone_notice(filed.ticket, filed.support_phone, lang)
    answer["message"] = say("ticket_filed", lang, number=filed.ticket.number)
    answer["messages"] = filed.messages
    return JSONResponse(answer, status_code=201)


async def list_tickets(request: Request) -> JSONResponse:
    """
    summary: The tickets of the contact's organisation, newest first
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
      - name: status
        in: query
        required: false
        schema:
          type: string
          enum: [registered, assigned, in_progress, completed, closed, rejected_by_user,
                 information_needed, external_processing]
      - name: limit
        in: query
        required: false
        schema: {type: integer, minimum: 1, maximum: 100, default: 50}
    responses:
      200:
        description: The tickets
        content:
          application/json:
            schema:
              type: object
              required: [tickets]
              properties:
                tickets: {type: array, items: {$ref: "#/components/schemas/Ticket"}}
    errors: [400, 401, 429]
    """
    who = await customer(request)
    status = query_choice(request, "status", STATUSES)
    limit = query_int(request, "limit", default=50, minimum=1, maximum=100)
    backend = backend_of(request)
    found = await run_in_threadpool(
        partial(
            portal.org_tickets,
            backend.engine,
            contact_id=who.contact_id,
            status=Status(status) if status else None,
            limit=limit,
        )
    )
    content, lang = state_of(request)["content"], request_language(request)
    return JSONResponse({"tickets": [ticket_json(t, content, lang) for t in found]})


async def get_ticket(request: Request) -> JSONResponse:
    """
    summary: One ticket of the contact's organisation, with its public comments
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    responses:
      200:
        description: >
          The ticket; `actions` lists what the contact may do now. `sla`: the response
          and resolution due times in the organisation's time zone (null once met or
          done), `paused` while support waits for the contact, and `sentence`, a plain
          promise in the request's language ("We will respond by 14:30 today").
          `form_name` and `submitted` (each value with its label) are in the request's
          language; `history` lists the public status changes, oldest first.
        content: {application/json: {schema: {$ref: "#/components/schemas/TicketDetails"}}}
    errors: [400, 401, 404, 429]
    """
    who = await customer(request)
    backend = backend_of(request)
    state = state_of(request)
    lang = request_language(request)
    view = await run_in_threadpool(
        partial(
            portal.ticket_for_contact,
            backend.engine,
            number=request.path_params["number"],
            contact_id=who.contact_id,
            config=backend.config,
            now=state["clock"](),
            lang=lang.value,
        )
    )
    answer = ticket_json(view.ticket, state["content"], lang)
    answer["comments"] = [comment_json(c, who.contact_id) for c in view.comments]
    answer["actions"] = view.actions
    answer["sla"] = view.sla.as_json() if view.sla else None
    answer.update(submitted(view.ticket, state["content"], lang))
    answer["history"] = [
        {"at": h.at.isoformat(), "from": h.from_value, "to": h.to_value} for h in view.history
    ]
    return JSONResponse(answer)


async def add_comment(request: Request) -> JSONResponse:
    """
    summary: Add a comment (while support waits for information, it is the answer)
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [text]
            properties:
              text: {type: string, minLength: 1, maxLength: 5000, pattern: "\\\\S"}
    responses:
      201:
        description: The comment as stored
        content: {application/json: {schema: {$ref: "#/components/schemas/TicketComment"}}}
    errors: [400, 401, 404, 409, 413, 422, 429]
    """
    who = await customer(request)
    body = await read_body(request)
    text = body.text("text", max_length=MAX_COMMENT, required=True) or ""
    backend = backend_of(request)
    comment = await run_in_threadpool(
        partial(
            portal.comment_as_contact,
            backend.engine,
            number=request.path_params["number"],
            contact_id=who.contact_id,
            text=text,
            now=state_of(request)["clock"](),
            config=backend.config,
        )
    )
    return JSONResponse(comment_json(comment, who.contact_id), status_code=201)


async def set_urgency(request: Request) -> JSONResponse:
    """
    summary: Raise (or lower) the ticket's urgency; the priority is recomputed
    description: >
      High or very high urgency must be confirmed by phone: the answer says so and
      gives the organisation's support phone; until an engineer confirms, the ticket
      is "urgency unconfirmed".
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [urgency]
            properties:
              urgency: {type: string, enum: [very_high, high, medium, low, none]}
              reason: {type: string, maxLength: 5000, nullable: true}
    responses:
      200:
        description: The ticket after the change
        content: {application/json: {schema: {$ref: "#/components/schemas/FiledTicket"}}}
    errors: [400, 401, 404, 409, 413, 422, 429]
    """
    who = await customer(request)
    body = await read_body(request)
    urgency = Urgency(body.choice("urgency", URGENCIES, required=True) or "")
    reason = body.text("reason", max_length=MAX_COMMENT, nullable=True, blank_ok=True) or None
    backend = backend_of(request)
    change = await run_in_threadpool(
        partial(
            portal.raise_urgency,
            backend.engine,
            number=request.path_params["number"],
            contact_id=who.contact_id,
            urgency=urgency,
            now=state_of(request)["clock"](),
            config=backend.config,
            reason=reason,
        )
    )
    answer = ticket_json(change.ticket)
    answer["phone_confirmation"] = phone_notice(
        change.ticket, change.support_phone, request_language(request)
    )
    return JSONResponse(answer)


async def confirm(request: Request) -> JSONResponse:
    """
    summary: Confirm a completed ticket (it is closed)
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: false
      content:
        application/json:
          schema:
            type: object
            properties:
              comment: {type: string, maxLength: 5000, nullable: true}
    responses:
      200:
        description: The ticket, closed
        content: {application/json: {schema: {$ref: "#/components/schemas/Ticket"}}}
    errors: [400, 401, 404, 409, 413, 422, 429]
    """
    who = await customer(request)
    body = await read_body(request, optional=True)
    comment = body.text("comment", max_length=MAX_COMMENT, nullable=True, blank_ok=True) or None
    backend = backend_of(request)
    ticket = await run_in_threadpool(
        partial(
            portal.confirm_completion,
            backend.engine,
            number=request.path_params["number"],
            contact_id=who.contact_id,
            now=state_of(request)["clock"](),
            config=backend.config,
            comment=comment,
        )
    )
    return JSONResponse(ticket_json(ticket))


async def reject(request: Request) -> JSONResponse:
    """
    summary: Reject a completed ticket, saying why (it goes back to work)
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/ticketNumber"}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [reason]
            properties:
              reason: {type: string, minLength: 1, maxLength: 5000, pattern: "\\\\S"}
    responses:
      200:
        description: The ticket, rejected by user
        content: {application/json: {schema: {$ref: "#/components/schemas/Ticket"}}}
    errors: [400, 401, 404, 409, 413, 422, 429]
    """
    who = await customer(request)
    body = await read_body(request)
    reason = body.text("reason", max_length=MAX_COMMENT, required=True) or ""
    backend = backend_of(request)
    ticket = await run_in_threadpool(
        partial(
            portal.reject_completion,
            backend.engine,
            number=request.path_params["number"],
            contact_id=who.contact_id,
            reason=reason,
            now=state_of(request)["clock"](),
            config=backend.config,
        )
    )
    return JSONResponse(ticket_json(ticket))
