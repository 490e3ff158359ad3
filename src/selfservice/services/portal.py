"""What a client organisation's contact person does through the portal and the widget.

Filing a ticket (from a request form or free text, optionally closing the conversation
that led to it in the same transaction), reading the organisation's tickets, commenting,
raising urgency, and confirming or rejecting a completed ticket. Tickets are addressed
by number; a ticket of another organisation answers exactly like a missing one
(``ticket_not_found``), so contacts cannot probe other organisations' numbers.

Directory look-ups for the portal token (organisation secrets, authorised contacts,
allowed browser origins) live here too, so the web layer never writes SQL.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from selfservice.channels.classify import TextClassifier
from selfservice.channels.mail_attachments import AttachmentLimits
from selfservice.content.model import Content, Service
from selfservice.conversation.engine import Message
from selfservice.db.models import Comment, Contact, Organisation, Ticket, TicketHistory
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.customer_view import CustomerSla, customer_sla, public_status_change
from selfservice.domain.enums import ActorRole, Channel, Status, Urgency
from selfservice.domain.errors import DomainError
from selfservice.domain.workflow import FINAL, allowed_targets, is_waiting_for_customer
from selfservice.services import (
    attachments,
    classification,
    comments,
    conversations,
    queries,
    tickets,
)
from selfservice.services.common import Actor, state_of
from selfservice.services.customer_texts import with_sentence
from selfservice.services.errors import Forbidden, NotFound
from selfservice.services.registration import register_free_text, register_from_form
from selfservice.services.sla_state import clocks_of

#: Free text the classifier cannot place goes to this service when the catalog has it.
FALLBACK_SERVICE = "general"
SUBJECT_LENGTH = 120

T = TypeVar("T")


# --- directory look-ups -------------------------------------------------------------------


def organisation(engine: Engine, *, org_id: str) -> Organisation | None:
    with transaction(engine, write=False) as session:
        return session.get(Organisation, org_id)


def authorised_contact(engine: Engine, *, org_id: str, email: str) -> Contact | None:
    """The contact of ``org_id`` with this e-mail, if registered and authorised to file."""
    query = select(Contact).where(
        Contact.org_id == org_id, Contact.email == email.strip().lower(),
        Contact.authorised == True,  # noqa: E712
    )
    with transaction(engine, write=False) as session:
        return session.exec(query).first()


# --- filing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketRequest:
    """What the contact sent: a form and its values, or free text only."""

    form_id: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    urgency: Urgency | None = None
    description: str = ""
    subject: str | None = None
    conversation_id: str | None = None
    #: Tokens of the contact's uploads (``services.attachments``) to attach.
    attachments: tuple[str, ...] = ()
    #: Where it was filed; None: the widget with a conversation, else the portal.
    channel: Channel | None = None


@dataclass(frozen=True)
class Filed:
    ticket: Ticket
    #: The organisation's support phone, for the "confirm the urgency by phone" notice.
    support_phone: str | None
    #: The conversation's closing messages when the ticket came from one.
    messages: list[Message]
    #: For free text: how the classifier placed it (type/service confidence).
    classification_confidence: float | None = None


def file_ticket(
    engine: Engine, *, config: SupportConfig, content: Content, classifier: TextClassifier,
    contact_id: int, request: TicketRequest, now: datetime,
    limits: AttachmentLimits | None = None,
    on_registered: Callable[[Session, Ticket], None] | None = None,
) -> Filed:
    """Register the contact's ticket. With a conversation, what it tried goes into the
    ticket and its outcome becomes ``ticket_filed`` in the same transaction; so do the
    named uploads become the ticket's attachments. ``on_registered`` runs last inside the
    registration's transaction (a channel stores its answer with the ticket)."""
    channel = request.channel or (Channel.WIDGET if request.conversation_id else Channel.PORTAL)
    description = request.description.strip()
    tried: list[dict[str, Any]] = []
    closing: list[Message] = []
    hooks: list[Callable[[Session, Ticket], None]] = []
    if request.attachments:
        tokens, allowed = request.attachments, limits or AttachmentLimits()

        def claim(session: Session, ticket: Ticket) -> None:
            attachments.claim(session, tokens=tokens, contact_id=contact_id,
                              ticket_id=ticket.id or 0, limits=allowed, now=now)

        hooks.append(claim)
    if request.conversation_id is not None:
        found = conversations.tried_for_ticket(
            engine, conversation_id=request.conversation_id, contact_id=contact_id, now=now
        )
        tried = found.articles
        description = description or "\n".join(found.texts)
        conversation_id = request.conversation_id

        def close(session: Session, ticket: Ticket) -> None:
            closing.extend(conversations.close_with_ticket(
                session, conversation_id=conversation_id, contact_id=contact_id,
                ticket_id=ticket.id or 0, number=ticket.number, now=now,
            ))

        hooks.append(close)
    if on_registered is not None:
        hooks.append(on_registered)

    def registered(session: Session, ticket: Ticket) -> None:
        for hook in hooks:
            hook(session, ticket)

    confidence: float | None = None
    if request.form_id is not None:
        form = content.forms.get(request.form_id)
        if form is None:
            raise NotFound(f"no request form {request.form_id!r}", code="form_not_found",
                           field="form")
        ticket = register_from_form(
            engine, config=config, contact_id=contact_id, form=form,
            service=_service(content, form.service), values=request.values, channel=channel,
            now=now, subject=request.subject or subject_of(description) or None,
            description=description, urgency=request.urgency,
            self_service_tried=tried, on_registered=registered,
        )
    else:
        if not description:
            raise DomainError("describe the problem or choose a request form",
                              code="description_required", field="description")
        placed = classifier.classify(f"{request.subject or ''}\n{description}")
        confidence = placed.confidence
        ticket = register_free_text(
            engine, config=config, contact_id=contact_id, ticket_type=placed.type,
            service=_service(content, placed.service), channel=channel, now=now,
            subject=request.subject or subject_of(description), description=description,
            urgency=request.urgency or Urgency.MEDIUM, self_service_tried=tried,
            on_registered=registered,
        )
    phone = None
    if not ticket.urgency_confirmed:
        org = organisation(engine, org_id=ticket.org_id)
        phone = org.support_phone if org is not None else None
    return Filed(ticket, phone, closing, confidence)


def subject_of(description: str) -> str:
    """The first line of the text, shortened at a word boundary."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first) <= SUBJECT_LENGTH:
        return first
    cut = first[:SUBJECT_LENGTH].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def _service(content: Content, service_id: str | None) -> Service:
    if service_id is not None and service_id in content.services:
        return content.services[service_id]
    if FALLBACK_SERVICE in content.services:
        return content.services[FALLBACK_SERVICE]
    return content.services[sorted(content.services)[0]]


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactView:
    """One ticket as its organisation's contacts see it: public comments only."""

    ticket: Ticket
    comments: list[Comment]
    actions: list[str]
    #: The SLA clocks as the customer sees them (None: the organisation is gone).
    sla: CustomerSla | None = None
    #: Public status changes, oldest first (reassignments and line moves left out).
    history: list[TicketHistory] = field(default_factory=list)


def org_tickets(
    engine: Engine, *, contact_id: int, status: Status | None = None, limit: int = 50
) -> list[Ticket]:
    """The tickets of the contact's organisation, newest first."""
    with transaction(engine, write=False) as session:
        contact = session.get(Contact, contact_id)
        if contact is None or not contact.authorised:
            raise Forbidden("only authorised contacts read tickets", field="contact_id")
        query = select(Ticket).where(Ticket.org_id == contact.org_id)
        if status is not None:
            query = query.where(Ticket.status == status)
        query = query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(limit)
        return list(session.exec(query))


def ticket_for_contact(
    engine: Engine, *, number: str, contact_id: int, config: SupportConfig | None = None,
    now: datetime | None = None, lang: str = "en",
) -> ContactView:
    """With ``config`` and ``now``: also the SLA clock and the public status timeline."""
    details = _as_contact(number, lambda: queries.ticket_details(
        engine, number=number, actor=Actor.contact(contact_id)))
    ticket = details.ticket
    view = ContactView(ticket, details.comments, contact_actions(ticket))
    if config is None or now is None:
        return view
    with transaction(engine, write=False) as session:
        org = session.get(Organisation, ticket.org_id)
        rows = session.exec(
            select(TicketHistory).where(TicketHistory.ticket_id == ticket.id,
                                        TicketHistory.field == "status")
            .order_by(col(TicketHistory.id))
        ).all()
    history = [r for r in rows if r.from_value is None or (
        r.to_value is not None
        and public_status_change(Status(r.from_value), Status(r.to_value)))]
    sla = None
    if org is not None:
        clocks = clocks_of(ticket, policy=config.policy(org.sla_level), org=org)
        tz = ZoneInfo(org.time_zone)
        sla = with_sentence(customer_sla(clocks, ticket.status, now=now, tz=tz), now, tz, lang)
    return ContactView(ticket, details.comments, view.actions, sla, history)


def contact_actions(ticket: Ticket) -> list[str]:
    """What the contact may do with the ticket now (the widget shows these buttons)."""
    if ticket.status in FINAL:
        return []
    targets = allowed_targets(state_of(ticket), ActorRole.CONTACT)
    actions = ["comment", "urgency"]
    if Status.CLOSED in targets:
        actions.append("confirm")
    if Status.REJECTED_BY_USER in targets:
        actions.append("reject")
    return actions


# --- acting on a ticket ---------------------------------------------------------------------


def comment_as_contact(
    engine: Engine, *, number: str, contact_id: int, text: str, now: datetime,
    config: SupportConfig, files: tuple[str, ...] = (), limits: AttachmentLimits | None = None,
) -> Comment:
    """A public comment. While support waits for information, it is the contact's answer:
    the ticket goes back to work (and the SLA clocks run again). ``files``: tokens of the
    contact's uploads, checked before the comment is stored and attached to it."""
    actor = Actor.contact(contact_id)
    ticket_id, status = _locate(engine, number, contact_id)
    allowed = limits or AttachmentLimits()
    attachments.check_claimable(engine, tokens=files, contact_id=contact_id, limits=allowed)
    if is_waiting_for_customer(status):
        _as_contact(number, lambda: tickets.answer_information(
            engine, ticket_id=ticket_id, actor=actor, answer=text, now=now, config=config))
        comment = _latest_comment(engine, ticket_id)
    else:
        comment = _as_contact(number, lambda: comments.add_comment(
            engine, ticket_id=ticket_id, actor=actor, body=text, now=now, config=config))
    attachments.claim_for_reply(engine, tokens=files, contact_id=contact_id,
                                ticket_id=ticket_id, comment_id=comment.id, limits=allowed,
                                now=now)
    return comment


@dataclass(frozen=True)
class UrgencyChange:
    ticket: Ticket
    support_phone: str | None


def raise_urgency(
    engine: Engine, *, number: str, contact_id: int, urgency: Urgency, now: datetime,
    config: SupportConfig, reason: str | None = None, channel: Channel = Channel.WIDGET,
) -> UrgencyChange:
    ticket_id, _ = _locate(engine, number, contact_id)
    ticket = _as_contact(number, lambda: classification.set_urgency(
        engine, ticket_id=ticket_id, urgency=urgency, actor=Actor.contact(contact_id), now=now,
        config=config, reason=reason, channel=channel))
    phone = None
    if not ticket.urgency_confirmed:
        org = organisation(engine, org_id=ticket.org_id)
        phone = org.support_phone if org is not None else None
    return UrgencyChange(ticket, phone)


def confirm_completion(
    engine: Engine, *, number: str, contact_id: int, now: datetime, config: SupportConfig,
    comment: str | None = None,
) -> Ticket:
    ticket_id, _ = _locate(engine, number, contact_id)
    return _as_contact(number, lambda: tickets.confirm(
        engine, ticket_id=ticket_id, actor=Actor.contact(contact_id), now=now, config=config,
        comment=comment))


def reject_completion(
    engine: Engine, *, number: str, contact_id: int, reason: str, now: datetime,
    config: SupportConfig,
) -> Ticket:
    ticket_id, _ = _locate(engine, number, contact_id)
    return _as_contact(number, lambda: tickets.reject(
        engine, ticket_id=ticket_id, actor=Actor.contact(contact_id), reason=reason, now=now,
        config=config))


def _locate(engine: Engine, number: str, contact_id: int) -> tuple[int, Status]:
    """The ticket's id and status, if it belongs to the contact's organisation."""
    query = (
        select(Ticket.id, Ticket.status)
        .join(Contact, col(Contact.org_id) == col(Ticket.org_id))
        .where(Ticket.number == number, Contact.id == contact_id,
               Contact.authorised == True)  # noqa: E712
    )
    with transaction(engine, write=False) as session:
        found = session.exec(query).first()
    if found is None or found[0] is None:
        raise _not_found(number)
    return found[0], Status(found[1])


def _latest_comment(engine: Engine, ticket_id: int) -> Comment:
    query = select(Comment).where(Comment.ticket_id == ticket_id).order_by(
        col(Comment.id).desc()).limit(1)
    with transaction(engine, write=False) as session:
        comment = session.exec(query).first()
    assert comment is not None  # answer_information stored the answer as a comment
    return comment


def _as_contact(number: str, use_case: Callable[[], T]) -> T:
    """Run a use case as the contact; another organisation's ticket is "not found"."""
    try:
        return use_case()
    except (Forbidden, NotFound) as error:
        if error.field in {"ticket_id", "number"}:
            raise _not_found(number) from None
        raise


def _not_found(number: str) -> NotFound:
    return NotFound(f"no ticket {number}", code="ticket_not_found", field="number")
