"""The contact's tickets: file one, follow the organisation's tickets, comment, raise urgency,
confirm or reject a completed ticket. Every endpoint needs a verified, authorised contact.

Thin: the route table (``routes.py``) names each endpoint's caller and models; the
endpoint calls one ``services.portal`` use case (``Call.run``: in the thread pool; it
commits before returning) and shapes the answer. A ticket of another organisation is
404 ``ticket_not_found``, never 403.
"""

from typing import Any

from selfservice.content.model import Content
from selfservice.conversation.texts import say
from selfservice.db.models import Comment, Ticket
from selfservice.domain.enums import ActorRole, Language
from selfservice.services import attachments, portal
from selfservice.web.attachments_api import attachment_json
from selfservice.web.dispatch import Call
from selfservice.web.messages import message
from selfservice.web.schemas.requests import (
    Confirmation,
    FileTicket,
    NewComment,
    NewUrgency,
    Rejection,
    TicketsQuery,
)
from selfservice.web.urls import API_PREFIX

Answer = dict[str, Any]


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


async def file_ticket(call: Call[FileTicket, None]) -> Answer:
    """File a ticket (a request form, or free text that is classified)

    With `form`, `fields` are checked against the form (422 with a per-field list);
    without it, `description` is classified into a type and service. With
    `conversation`, what the widget tried goes into the ticket and the conversation
    ends with outcome ticket_filed. High or very high urgency must be confirmed by
    phone (`phone_confirmation`). Registered; the number is final.
    """
    body, backend = call.body, call.backend
    filed = await call.run(
        portal.file_ticket,
        config=backend.config,
        content=call.state["content"],
        classifier=backend.classifier,
        contact_id=call.contact_id,
        request=portal.TicketRequest(
            form_id=body.form, values=body.fields or {}, urgency=body.urgency,
            description=body.description or "", subject=body.subject,
            conversation_id=body.conversation, attachments=tuple(body.attachments or ()),
        ),
        now=call.now(), limits=call.state["settings"].attachment_limits(),
    )
    answer = ticket_json(filed.ticket)
    answer["phone_confirmation"] = phone_notice(filed.ticket, filed.support_phone, call.lang)
    answer["message"] = say("ticket_filed", call.lang, number=filed.ticket.number)
    answer["messages"] = filed.messages
    return answer


async def list_tickets(call: Call[None, TicketsQuery]) -> Answer:
    """The tickets of the contact's organisation, newest first"""
    found = await call.run(
        portal.org_tickets, contact_id=call.contact_id, status=call.query.status,
        limit=call.query.limit,
    )
    content = call.state["content"]
    return {"tickets": [ticket_json(t, content, call.lang) for t in found]}


async def get_ticket(call: Call[None, None]) -> Answer:
    """One ticket of the contact's organisation, with its public comments"""
    content, lang = call.state["content"], call.lang
    view = await call.run(
        portal.ticket_for_contact, number=call.path("number"), contact_id=call.contact_id,
        config=call.backend.config, now=call.now(), lang=lang.value,
    )
    answer = ticket_json(view.ticket, content, lang)
    answer["comments"] = [comment_json(c, call.contact_id) for c in view.comments]
    answer["actions"] = view.actions
    answer["sla"] = view.sla.as_json() if view.sla else None
    answer.update(submitted(view.ticket, content, lang))
    answer["history"] = [
        {"at": h.at.isoformat(), "from": h.from_value, "to": h.to_value} for h in view.history
    ]
    files = await call.run(attachments.listing, ticket_id=view.ticket.id or 0)
    answer["attachments"] = [attachment_json(f, answer["url"]) for f in files]
    return answer


async def add_comment(call: Call[NewComment, None]) -> Answer:
    """Add a comment (while support waits for information, it is the answer)

    `attachments` names uploads (`POST /attachments`) to attach to it. The answer is the
    comment as stored.
    """
    comment = await call.run(
        portal.comment_as_contact, number=call.path("number"), contact_id=call.contact_id,
        text=call.body.text, now=call.now(), config=call.backend.config,
        files=tuple(call.body.attachments or ()),
        limits=call.state["settings"].attachment_limits(),
    )
    return comment_json(comment, call.contact_id)


async def set_urgency(call: Call[NewUrgency, None]) -> Answer:
    """Raise (or lower) the ticket's urgency; the priority is recomputed

    High or very high urgency must be confirmed by phone: the answer says so and
    gives the organisation's support phone; until an engineer confirms, the ticket
    is "urgency unconfirmed". The answer is the ticket after the change.
    """
    change = await call.run(
        portal.raise_urgency, number=call.path("number"), contact_id=call.contact_id,
        urgency=call.body.urgency, now=call.now(), config=call.backend.config,
        reason=call.body.reason or None,
    )
    answer = ticket_json(change.ticket)
    answer["phone_confirmation"] = phone_notice(change.ticket, change.support_phone, call.lang)
    return answer


async def confirm(call: Call[Confirmation, None]) -> Answer:
    """Confirm a completed ticket (it is closed)"""
    ticket = await call.run(
        portal.confirm_completion, number=call.path("number"), contact_id=call.contact_id,
        now=call.now(), config=call.backend.config, comment=call.body.comment or None,
    )
    return ticket_json(ticket)


async def reject(call: Call[Rejection, None]) -> Answer:
    """Reject a completed ticket, saying why (it goes back to work)"""
    ticket = await call.run(
        portal.reject_completion, number=call.path("number"), contact_id=call.contact_id,
        reason=call.body.reason, now=call.now(), config=call.backend.config,
    )
    return ticket_json(ticket)
