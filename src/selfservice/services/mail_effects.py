"""What a routing decision (``channels.mail_routing``) does to the database: a ticket, a
comment, an answer in the outbox, the stored attachments, and the message's ``processed``
mark, all in one transaction.

Every path ends its transaction with :func:`~selfservice.services.inbound_mail.claim`, so a
crash before the commit leaves the message pending and nothing applied; a second processor
that lost the race rolls its work back.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, Table, insert
from sqlmodel import Session

from selfservice.channels import mail_answers
from selfservice.channels.classify import TextClassifier
from selfservice.channels.mail_answers import Answer
from selfservice.channels.mail_attachments import attachment_notes
from selfservice.channels.mail_kind import subject_core
from selfservice.channels.mail_parse import InboundMail
from selfservice.channels.mail_routing import (
    AddComment,
    Decision,
    Ignore,
    OpenTicket,
    RefuseForeign,
    RefuseUnknown,
    Sender,
)
from selfservice.channels.urgency import urgency_from_text
from selfservice.content.model import Content, Service
from selfservice.db.conflicts import insert_once
from selfservice.db.models import Comment, MailAttachment, MailAutoReply, Ticket
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, Channel, Language, Status
from selfservice.domain.workflow import FINAL, resume_status
from selfservice.services import mail_unknown, outbox
from selfservice.services.common import Actor, load_ticket, state_of
from selfservice.services.inbound_mail import MailOutcome, Outcome, Summary, claim
from selfservice.services.portal import FALLBACK_SERVICE, subject_of
from selfservice.services.registration import register_free_text
from selfservice.services.transition import change_status

log = logging.getLogger("selfservice.mail")

ATTACHMENTS: Table = MailAttachment.__table__  # type: ignore[attr-defined]
AUTO_REPLIES: Table = MailAutoReply.__table__  # type: ignore[attr-defined]
MAX_DESCRIPTION = 50_000


@dataclass(frozen=True)
class Message:
    """One message being processed."""

    id: int
    mail: InboundMail
    summary: Summary
    now: datetime


@dataclass(frozen=True)
class _Reply:
    to: str
    answer: Answer
    kind: str
    #: Once a day per (address, topic); None = not throttled (it answers one message).
    topic: str | None
    ticket_id: int | None = None


@dataclass
class MailEffects:
    engine: Engine
    config: SupportConfig
    content: Content
    unknown_replies: mail_unknown.UnknownSenderReplies
    #: Built on first use by the caller: only new tickets need it.
    classifier: Callable[[], TextClassifier]

    def apply(self, msg: Message, decision: Decision) -> MailOutcome:
        match decision:
            case Ignore(reason):
                return self._finish(msg, Outcome.IGNORED, reason)
            case AddComment(ticket, contact):
                return self._comment(msg, ticket.id, ticket.number, contact)
            case RefuseForeign(ticket, contact):
                return self._foreign(msg, ticket.number, contact)
            case OpenTicket(contact):
                return self._new_ticket(msg, contact)
            case RefuseUnknown():
                return self._unknown(msg, decision)

    def _unknown(self, msg: Message, decision: RefuseUnknown) -> MailOutcome:
        if not decision.may_answer:
            return self._finish(msg, Outcome.REJECTED, decision.reason)
        with transaction(self.engine, write=False) as session:
            refused = mail_unknown.refusal(session, self.unknown_replies, mail=msg.mail,
                                           sender=decision.sender, now=msg.now)
        if refused is not None:
            return self._finish(msg, Outcome.REJECTED,
                                f"{decision.reason}; not answered: {refused}")
        answer = mail_answers.unknown_sender(address=decision.sender, received=msg.now)
        reply = _Reply(decision.sender, answer, mail_unknown.KIND, topic="unknown_sender")
        return self._finish(msg, Outcome.REJECTED, decision.reason, reply)

    def _foreign(self, msg: Message, number: str, contact: Sender) -> MailOutcome:
        answer = mail_answers.foreign_ticket(language=contact.language, name=contact.name,
                                             number=number, subject=msg.mail.subject)
        reply = _Reply(contact.email, answer, "intake_foreign_ticket", topic=f"foreign:{number}")
        reason = f"{contact.email} is not a contact of the organisation of {number}: not added"
        return self._finish(msg, Outcome.REJECTED, reason, reply)

    def _finish(
        self, msg: Message, outcome: Outcome, reason: str, reply: _Reply | None = None
    ) -> MailOutcome:
        """Record an outcome without a ticket change (and maybe answer), one transaction."""
        with transaction(self.engine) as session:
            if reply is not None:
                sent = _answer(session, msg, reply)
                reason += "; answered" if sent else "; already answered today, not again"
            claim(session, msg.id, outcome=outcome, reason=reason, now=msg.now,
                  summary=msg.summary)
        log.info("inbound message %s: %s (%s)", msg.id, outcome.value, reason)
        return MailOutcome(outcome, None, reason, msg.id)

    def _new_ticket(self, msg: Message, contact: Sender) -> MailOutcome:
        mail = msg.mail
        text = mail.reply_text or mail.body
        subject = subject_core(mail.subject) or subject_of(text) or "(no subject)"
        placed = self.classifier().classify(f"{subject}\n{text}")
        cue = urgency_from_text(f"{mail.subject}\n{text}")
        notes = attachment_notes(mail.attachments)
        description = "\n\n".join(p for p in (mail.body.strip()[:MAX_DESCRIPTION], *notes) if p)
        reason = [f"new ticket from {contact.email}: {placed.type.value}, service "
                  f"{placed.service or FALLBACK_SERVICE} (confidence {placed.confidence:.2f})",
                  f"urgency {cue.urgency.value}" + (f" ({cue.cue!r})" if cue.cue else "")]

        def on_registered(session: Session, ticket: Ticket) -> None:
            if not ticket.urgency_confirmed:
                reason.append("urgency unconfirmed: phone confirmation needed")
            reason.extend(notes)
            _keep_attachments(session, msg, ticket.id or 0)
            _tell_rejections(session, msg, contact, ticket)
            claim(session, msg.id, outcome=Outcome.TICKET, reason="; ".join(reason),
                  now=msg.now, summary=msg.summary, ticket_id=ticket.id)

        ticket = register_free_text(
            self.engine, config=self.config, contact_id=contact.contact_id,
            ticket_type=placed.type, service=self._service(placed.service), subject=subject,
            description=description or "(empty message)", channel=Channel.EMAIL, now=msg.now,
            urgency=cue.urgency, on_registered=on_registered,
        )
        log.info("inbound message %s: ticket %s", msg.id, ticket.number)
        return MailOutcome(Outcome.TICKET, ticket.number, "; ".join(reason), msg.id)

    def _comment(self, msg: Message, ticket_id: int, number: str, contact: Sender) -> MailOutcome:
        """A reply on the contact's own ticket: one transaction for the comment, the status
        change (Information needed -> back to work), the attachments and the mark."""
        notes = attachment_notes(msg.mail.attachments)
        body = "\n\n".join(p for p in (msg.mail.reply_text.strip(), *notes) if p)
        if not body:
            return self._finish(msg, Outcome.IGNORED, f"reply to {number} holds only "
                                "quoted text: nothing added")
        actor = Actor.contact(contact.contact_id)
        with transaction(self.engine) as session:
            loaded = load_ticket(session, ticket_id, actor=actor)
            ticket = loaded.ticket
            if ticket.status in FINAL:
                return _closed(session, msg, ticket, contact)
            reason = [f"comment on {ticket.number} from {contact.email}"]
            if ticket.status is Status.INFORMATION_NEEDED:
                target_status = resume_status(state_of(ticket))
                change_status(session, loaded, target=target_status, actor=actor, now=msg.now,
                              config=self.config, comment=body)
                reason.append(f"information received: {target_status.value}, SLA clock resumed")
            else:
                session.add(Comment(ticket_id=ticket_id, at=msg.now,
                                    author_kind=ActorRole.CONTACT, author_id=actor.id,
                                    public=True, body=body))
                ticket.updated_at = msg.now
                session.add(ticket)
            reason.extend(notes)
            _keep_attachments(session, msg, ticket_id)
            _tell_rejections(session, msg, contact, ticket)
            claim(session, msg.id, outcome=Outcome.COMMENT, reason="; ".join(reason),
                  now=msg.now, summary=msg.summary, ticket_id=ticket_id)
        log.info("inbound message %s: comment on %s", msg.id, number)
        return MailOutcome(Outcome.COMMENT, number, "; ".join(reason), msg.id)

    def _service(self, service_id: str | None) -> Service:
        services = self.content.services
        if service_id is not None and service_id in services:
            return services[service_id]
        return services.get(FALLBACK_SERVICE) or services[sorted(services)[0]]


def _closed(session: Session, msg: Message, ticket: Ticket, contact: Sender) -> MailOutcome:
    answer = mail_answers.closed_ticket(language=contact.language, name=contact.name,
                                        number=ticket.number, subject=msg.mail.subject)
    reply = _Reply(contact.email, answer, "intake_closed_ticket",
                   topic=f"closed:{ticket.number}", ticket_id=ticket.id)
    sent = _answer(session, msg, reply)
    reason = (f"{ticket.number} is closed: not added; "
              + ("the sender was told to file a new ticket" if sent
                 else "already told today, not again"))
    claim(session, msg.id, outcome=Outcome.REJECTED, reason=reason, now=msg.now,
          summary=msg.summary, ticket_id=ticket.id)
    return MailOutcome(Outcome.REJECTED, ticket.number, reason, msg.id)


def _answer(session: Session, msg: Message, reply: _Reply) -> bool:
    """Queue an answer unless this address got one on this topic today."""
    if reply.topic is not None:
        once = insert_once(session, AUTO_REPLIES, {
            "address": reply.to, "topic": reply.topic, "day": msg.now.astimezone(UTC).date(),
            "at": msg.now, "inbound_message_id": msg.id,
        })
        if once is None:
            return False
    outbox.enqueue(session, to=reply.to, subject=reply.answer.subject,
                   body=reply.answer.body, language=reply.answer.language, kind=reply.kind,
                   now=msg.now, ticket_id=reply.ticket_id)
    return True


def _keep_attachments(session: Session, msg: Message, ticket_id: int) -> None:
    for item in msg.mail.attachments:
        session.execute(insert(ATTACHMENTS), {
            "inbound_message_id": msg.id, "ticket_id": ticket_id,
            "filename": item.filename[:255] or "attachment",
            "content_type": item.content_type[:127], "size": item.size,
            "inline": item.inline,
            "sha256": hashlib.sha256(item.data).hexdigest() if item.accepted else None,
            "data": item.data if item.accepted else None,
            "rejection": item.rejection.en if item.rejection else None,
            "created_at": msg.now,
        })


def _tell_rejections(session: Session, msg: Message, contact: Sender, ticket: Ticket) -> None:
    rejected = msg.mail.rejected_attachments
    if not rejected:
        return
    ru = contact.language is Language.RU
    reasons = [(r.rejection.ru if ru else r.rejection.en) for r in rejected if r.rejection]
    answer = mail_answers.attachments_rejected(
        language=contact.language, name=contact.name, number=ticket.number,
        subject=msg.mail.subject, reasons=reasons)
    _answer(session, msg, _Reply(contact.email, answer, "intake_attachments_rejected",
                                 topic=None, ticket_id=ticket.id))
