"""E-mail intake: what a stored inbound message becomes — a ticket, a comment, an answer,
or nothing at all.

Decision for one message (first match wins):

1. Not written by a person (bounce, delivery report, read receipt, complaint, auto-reply:
   ``channels.mail_kind``), sent with the null envelope sender ``<>``, without any sender
   address, from a reserved ``.invalid`` address (system contacts) or from one of our own
   addresses -> **ignored**: no ticket, no reply (no loops).
2. The subject names one of our tickets (``[INC-000123]``), or ``In-Reply-To`` /
   ``References`` name one of our notifications:
   * the sender is an authorised contact of the ticket's organisation -> **comment**
     (public, quoted text removed); a ticket waiting for information goes back to work and
     its SLA clocks run again. If the ticket is Closed -> **rejected**, and the sender is
     told to file a new ticket;
   * a contact of another organisation -> **rejected**, with an answer saying why;
   * anybody else -> as 4.
3. The sender is an authorised contact -> a new **ticket** (channel e-mail), classified by
   the free-text classifier, urgency from the words of the message (medium by default;
   high or very high stays "urgency unconfirmed" until confirmed by phone). An address
   registered with several organisations files as its earliest registration.
4. Otherwise -> **rejected**, nothing is created. The sender gets instructions in Russian
   and English only when ``services.mail_unknown`` allows it (on, the trusted MTA vouches
   for the From domain, hourly and daily caps): a forged sender must not turn us into a
   spam source. ``noreply``-style addresses get no answer at all.

Each outcome commits in one transaction together with the message's ``processed`` mark
(``services.inbound_mail.claim``), so a crash never applies a message twice or loses it.
Attachments are stored with their bytes (``mail_attachments``); one past ``MailLimits``
is kept as a name with the reason, noted on the ticket or comment and in the outcome.
"""

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Table, insert, select
from sqlmodel import Session, col

from selfservice.channels import mail_answers
from selfservice.channels.classify import TextClassifier
from selfservice.channels.mail_answers import Answer
from selfservice.channels.mail_attachments import attachment_notes
from selfservice.channels.mail_kind import classify_mail, subject_core, ticket_numbers_in
from selfservice.channels.mail_parse import InboundMail, MailLimits, parse_mail
from selfservice.channels.urgency import urgency_from_text
from selfservice.content.model import Content, Service
from selfservice.db.conflicts import insert_once
from selfservice.db.models import (
    Comment,
    Contact,
    InboundStatus,
    MailAttachment,
    MailAutoReply,
    OutboxMessage,
    Ticket,
)
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, Channel, Language, Status
from selfservice.domain.workflow import FINAL, resume_status
from selfservice.services import classifier_models, inbound_mail, mail_unknown, outbox
from selfservice.services.common import Actor, load_ticket, state_of
from selfservice.services.inbound_mail import AlreadyProcessed, Pending, Summary, claim
from selfservice.services.portal import FALLBACK_SERVICE, subject_of
from selfservice.services.registration import register_free_text
from selfservice.services.transition import change_status

log = logging.getLogger("selfservice.mail")

ATTACHMENTS: Table = MailAttachment.__table__  # type: ignore[attr-defined]
AUTO_REPLIES: Table = MailAutoReply.__table__  # type: ignore[attr-defined]
MAX_DESCRIPTION = 50_000
_NO_REPLY = re.compile(r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|noreply-.*|bounces?(?:[+-].*)?)$",
                       re.IGNORECASE)

#: A test hook called at named stages ("before_commit"); raising there simulates a crash.
Fault = Callable[[str], None]


class Outcome(StrEnum):
    TICKET = "ticket"
    COMMENT = "comment"
    IGNORED = "ignored"
    REJECTED = "rejected"
    #: Stored, but processing failed; it is retried (gateway start, ``mail process-pending``).
    PENDING = "pending"


@dataclass(frozen=True)
class MailOutcome:
    outcome: Outcome
    ticket: str | None
    reason: str
    message: int | None = None
    """The ``inbound_messages`` id."""

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "ticket": self.ticket, "reason": self.reason}


@dataclass(frozen=True)
class _Sender:
    contact_id: int
    org_id: str
    email: str
    name: str
    language: Language


@dataclass(frozen=True)
class _TicketRef:
    id: int
    number: str
    org_id: str
    status: Status


@dataclass(frozen=True)
class _Reply:
    to: str
    answer: Answer
    kind: str
    #: Once a day per (address, topic); None = not throttled (it answers one message).
    topic: str | None
    ticket_id: int | None = None


@dataclass(frozen=True)
class _Ctx:
    """One message being processed."""

    id: int
    mail: InboundMail
    summary: Summary
    now: datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


class MailIntake:
    """Stores and processes inbound mail; one instance serves a gateway or a CLI run."""

    def __init__(
        self, engine: Engine, *, config: SupportConfig, content: Content,
        own_addresses: Iterable[str] = (), limits: MailLimits | None = None,
        classifier: TextClassifier | None = None, clock: Callable[[], datetime] = utcnow,
        fault: Fault | None = None, max_attempts: int = inbound_mail.MAX_ATTEMPTS,
        unknown_replies: mail_unknown.UnknownSenderReplies | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.content = content
        self.own_addresses = frozenset(a.strip().lower() for a in own_addresses if a.strip())
        self.limits = limits or MailLimits()
        self.clock = clock
        self.fault = fault
        self.max_attempts = max_attempts
        self.unknown_replies = unknown_replies or mail_unknown.UnknownSenderReplies()
        self._classifier = classifier

    @property
    def classifier(self) -> TextClassifier:
        """Built on first use: only new tickets need it (a pipe run stays quick)."""
        if self._classifier is None:
            self._classifier = classifier_models.live_classifier(self.engine, self.content)
        return self._classifier

    # --- entry points -----------------------------------------------------------------------

    def store(
        self, raw: bytes, *, via: str, envelope_from: str | None = None,
        envelope_to: Iterable[str] = (), peer: str | None = None,
    ) -> inbound_mail.Stored:
        """Commit the raw message; after this returns it is safe to answer 250."""
        return inbound_mail.store(self.engine, raw=raw, via=via, now=self.clock(),
                                  envelope_from=envelope_from, envelope_to=list(envelope_to),
                                  peer=peer)

    def receive(
        self, raw: bytes, *, via: str, envelope_from: str | None = None,
        envelope_to: Iterable[str] = (), peer: str | None = None,
    ) -> MailOutcome:
        """Store, then process at once (the MTA pipe). A redelivery is not applied again."""
        stored = self.store(raw, via=via, envelope_from=envelope_from, envelope_to=envelope_to,
                            peer=peer)
        return self.after_store(stored)

    def after_store(self, stored: inbound_mail.Stored) -> MailOutcome:
        """Process a just stored message; a redelivery reports the first one's outcome
        (and gets the first one processed if it still waits)."""
        if stored.duplicate:
            row = inbound_mail.load(self.engine, stored.id)
            if row is None or row.status is not InboundStatus.PENDING:
                return self._duplicate(stored.id)
        return self.process(stored.id)

    def process(self, message_id: int) -> MailOutcome:
        """Process one stored message (idempotent: a processed one reports its outcome)."""
        try:
            row = inbound_mail.load(self.engine, message_id)
            if row is None:
                return MailOutcome(Outcome.IGNORED, None, f"no stored message {message_id}")
            if row.status is not InboundStatus.PENDING:
                return self._stored(row)
            return self._process(row)
        except AlreadyProcessed:
            return self._duplicate(message_id)
        except Exception as exc:
            log.exception("inbound message %s: processing failed", message_id)
            return self._failed(message_id, f"{type(exc).__name__}: {exc}")

    def _failed(self, message_id: int, error: str) -> MailOutcome:
        """Count the failed attempt (if the database lets us) and report it."""
        try:
            status = inbound_mail.record_failure(self.engine, message_id, error=error,
                                                 max_attempts=self.max_attempts)
        except Exception:
            log.exception("inbound message %s: could not record the failure", message_id)
            status = InboundStatus.PENDING
        kept = "kept for a person" if status is InboundStatus.FAILED else "will be retried"
        return MailOutcome(Outcome.PENDING, None, f"stored, processing failed ({error}); {kept}",
                           message_id)

    def pending_ids(self, *, limit: int = 1000) -> list[int]:
        """Stored messages not processed yet, oldest first."""
        return inbound_mail.pending_ids(self.engine, limit=limit)

    def process_pending(self, *, limit: int = 1000) -> list[MailOutcome]:
        """Process every stored message still pending (after a crash or an outage)."""
        return [self.process(i) for i in self.pending_ids(limit=limit)]

    # --- decisions ----------------------------------------------------------------------------

    def _process(self, row: Pending) -> MailOutcome:
        mail = parse_mail(row.raw, self.limits)
        kind = classify_mail(mail)
        sender = (mail.from_address or row.envelope_from or "").strip().lower() or None
        ctx = _Ctx(row.id, mail, Summary(kind.kind.value, sender, mail.subject), self.clock())
        if not kind.may_create_ticket:
            signals = "; ".join(kind.signals[:3])
            return self._finish(ctx, Outcome.IGNORED,
                                f"{kind.kind.value} ({signals}): no ticket, no reply")
        if row.envelope_from == "":
            return self._finish(ctx, Outcome.IGNORED, "null envelope sender <>: an automatic "
                                "message; no ticket, no reply")
        if sender is None:
            return self._finish(ctx, Outcome.IGNORED, "no sender address (no From header and "
                                "no envelope sender)")
        if sender.rstrip(".").endswith(".invalid"):
            return self._finish(ctx, Outcome.IGNORED, f"{sender}: a reserved .invalid address "
                                "(such as a system contact) never writes to us")
        if sender in self.own_addresses:
            return self._finish(ctx, Outcome.IGNORED, f"sent from our own address {sender}: "
                                "not answered (mail loop)")
        target, contacts = self._lookup(mail, sender)
        if target is not None:
            own = next((c for c in contacts if c.org_id == target.org_id), None)
            if own is not None:
                return self._comment(ctx, target, own)
            if contacts:
                return self._foreign(ctx, target, contacts[0])
        elif contacts:
            return self._new_ticket(ctx, contacts[0])
        return self._unknown(ctx, sender)

    def _lookup(self, mail: InboundMail, sender: str) -> tuple[_TicketRef | None, list[_Sender]]:
        """The ticket the message refers to, and the authorised contacts with its address."""
        with transaction(self.engine, write=False) as session:
            rows = session.execute(
                select(col(Contact.id), col(Contact.org_id), col(Contact.email), col(Contact.name),
                       col(Contact.language))
                .where(col(Contact.email) == sender, col(Contact.authorised).is_(True))
                .order_by(col(Contact.id))
            ).all()
            contacts = [_Sender(*r) for r in rows]
            return _referenced_ticket(session, mail), contacts

    def _unknown(self, ctx: _Ctx, sender: str) -> MailOutcome:
        reason = f"{sender} is not an authorised contact: nothing registered"
        if _NO_REPLY.match(sender.split("@", 1)[0]):
            return self._finish(ctx, Outcome.REJECTED, f"{reason}; no-reply address, not answered")
        with transaction(self.engine, write=False) as session:
            refused = mail_unknown.refusal(session, self.unknown_replies, mail=ctx.mail,
                                           sender=sender, now=ctx.now)
        if refused is not None:
            return self._finish(ctx, Outcome.REJECTED, f"{reason}; not answered: {refused}")
        answer = mail_answers.unknown_sender(address=sender, received=ctx.now)
        reply = _Reply(sender, answer, mail_unknown.KIND, topic="unknown_sender")
        return self._finish(ctx, Outcome.REJECTED, reason, reply)

    def _foreign(self, ctx: _Ctx, target: _TicketRef, contact: _Sender) -> MailOutcome:
        answer = mail_answers.foreign_ticket(language=contact.language, name=contact.name,
                                             number=target.number, subject=ctx.mail.subject)
        reply = _Reply(contact.email, answer, "intake_foreign_ticket",
                       topic=f"foreign:{target.number}")
        reason = (f"{contact.email} is not a contact of the organisation of {target.number}: "
                  "not added")
        return self._finish(ctx, Outcome.REJECTED, reason, reply)

    # --- effects ---------------------------------------------------------------------------------

    def _finish(
        self, ctx: _Ctx, outcome: Outcome, reason: str, reply: _Reply | None = None
    ) -> MailOutcome:
        """Record an outcome without a ticket change (and maybe answer), one transaction."""
        with transaction(self.engine) as session:
            if reply is not None:
                sent = self._answer(session, ctx, reply)
                reason += "; answered" if sent else "; already answered today, not again"
            claim(session, ctx.id, outcome=outcome, reason=reason, now=ctx.now,
                  summary=ctx.summary)
            self._hook("before_commit")
        log.info("inbound message %s: %s (%s)", ctx.id, outcome.value, reason)
        return MailOutcome(outcome, None, reason, ctx.id)

    def _answer(self, session: Session, ctx: _Ctx, reply: _Reply) -> bool:
        """Queue an answer unless this address got one on this topic today."""
        if reply.topic is not None:
            once = insert_once(session, AUTO_REPLIES, {
                "address": reply.to, "topic": reply.topic, "day": ctx.now.astimezone(UTC).date(),
                "at": ctx.now, "inbound_message_id": ctx.id,
            })
            if once is None:
                return False
        outbox.enqueue(session, to=reply.to, subject=reply.answer.subject,
                       body=reply.answer.body, language=reply.answer.language, kind=reply.kind,
                       now=ctx.now, ticket_id=reply.ticket_id)
        return True

    def _new_ticket(self, ctx: _Ctx, contact: _Sender) -> MailOutcome:
        mail = ctx.mail
        text = mail.reply_text or mail.body
        subject = subject_core(mail.subject) or subject_of(text) or "(no subject)"
        placed = self.classifier.classify(f"{subject}\n{text}")
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
            claim(session, ctx.id, outcome=Outcome.TICKET, reason="; ".join(reason),
                  now=ctx.now, summary=ctx.summary, ticket_id=ticket.id)
            self._keep_attachments(session, ctx, ticket.id or 0)
            self._tell_rejections(session, ctx, contact, ticket)
            self._hook("before_commit")

        ticket = register_free_text(
            self.engine, config=self.config, contact_id=contact.contact_id,
            ticket_type=placed.type, service=self._service(placed.service), subject=subject,
            description=description or "(empty message)", channel=Channel.EMAIL, now=ctx.now,
            urgency=cue.urgency, on_registered=on_registered,
        )
        log.info("inbound message %s: ticket %s", ctx.id, ticket.number)
        return MailOutcome(Outcome.TICKET, ticket.number, "; ".join(reason), ctx.id)

    def _comment(self, ctx: _Ctx, target: _TicketRef, contact: _Sender) -> MailOutcome:
        """A reply on the contact's own ticket: one transaction for the comment, the status
        change (Information needed -> back to work), the attachments and the mark."""
        notes = attachment_notes(ctx.mail.attachments)
        body = "\n\n".join(p for p in (ctx.mail.reply_text.strip(), *notes) if p)
        if not body:
            return self._finish(ctx, Outcome.IGNORED, f"reply to {target.number} holds only "
                                "quoted text: nothing added")
        actor = Actor.contact(contact.contact_id)
        with transaction(self.engine) as session:
            loaded = load_ticket(session, target.id, actor=actor)
            ticket = loaded.ticket
            if ticket.status in FINAL:
                return self._closed(session, ctx, ticket, contact)
            resumed = ticket.status is Status.INFORMATION_NEEDED
            reason = [f"comment on {ticket.number} from {contact.email}"]
            if resumed:
                target_status = resume_status(state_of(ticket))
                change_status(session, loaded, target=target_status, actor=actor, now=ctx.now,
                              config=self.config, comment=body)
                reason.append(f"information received: {target_status.value}, SLA clock resumed")
            else:
                session.add(Comment(ticket_id=target.id, at=ctx.now,
                                    author_kind=ActorRole.CONTACT, author_id=actor.id,
                                    public=True, body=body))
                ticket.updated_at = ctx.now
                session.add(ticket)
            reason.extend(notes)
            claim(session, ctx.id, outcome=Outcome.COMMENT, reason="; ".join(reason),
                  now=ctx.now, summary=ctx.summary, ticket_id=target.id)
            self._keep_attachments(session, ctx, target.id)
            self._tell_rejections(session, ctx, contact, ticket)
            self._hook("before_commit")
        log.info("inbound message %s: comment on %s", ctx.id, target.number)
        return MailOutcome(Outcome.COMMENT, target.number, "; ".join(reason), ctx.id)

    def _closed(
        self, session: Session, ctx: _Ctx, ticket: Ticket, contact: _Sender
    ) -> MailOutcome:
        answer = mail_answers.closed_ticket(language=contact.language, name=contact.name,
                                            number=ticket.number, subject=ctx.mail.subject)
        reply = _Reply(contact.email, answer, "intake_closed_ticket",
                       topic=f"closed:{ticket.number}", ticket_id=ticket.id)
        sent = self._answer(session, ctx, reply)
        reason = (f"{ticket.number} is closed: not added; "
                  + ("the sender was told to file a new ticket" if sent
                     else "already told today, not again"))
        claim(session, ctx.id, outcome=Outcome.REJECTED, reason=reason, now=ctx.now,
              summary=ctx.summary, ticket_id=ticket.id)
        self._hook("before_commit")
        return MailOutcome(Outcome.REJECTED, ticket.number, reason, ctx.id)

    def _keep_attachments(self, session: Session, ctx: _Ctx, ticket_id: int) -> None:
        for item in ctx.mail.attachments:
            session.execute(insert(ATTACHMENTS), {
                "inbound_message_id": ctx.id, "ticket_id": ticket_id,
                "filename": item.filename[:255] or "attachment",
                "content_type": item.content_type[:127], "size": item.size,
                "inline": item.inline,
                "sha256": hashlib.sha256(item.data).hexdigest() if item.accepted else None,
                "data": item.data if item.accepted else None,
                "rejection": item.rejection.en if item.rejection else None,
                "created_at": ctx.now,
            })

    def _tell_rejections(
        self, session: Session, ctx: _Ctx, contact: _Sender, ticket: Ticket
    ) -> None:
        rejected = ctx.mail.rejected_attachments
        if not rejected:
            return
        ru = contact.language is Language.RU
        reasons = [(r.rejection.ru if ru else r.rejection.en) for r in rejected if r.rejection]
        answer = mail_answers.attachments_rejected(
            language=contact.language, name=contact.name, number=ticket.number,
            subject=ctx.mail.subject, reasons=reasons)
        self._answer(session, ctx, _Reply(contact.email, answer, "intake_attachments_rejected",
                                          topic=None, ticket_id=ticket.id))

    # --- helpers ---------------------------------------------------------------------------------

    def _service(self, service_id: str | None) -> Service:
        services = self.content.services
        if service_id is not None and service_id in services:
            return services[service_id]
        return services.get(FALLBACK_SERVICE) or services[sorted(services)[0]]

    def _hook(self, stage: str) -> None:
        if self.fault is not None:
            self.fault(stage)

    def _stored(self, row: Pending) -> MailOutcome:
        if row.status is InboundStatus.FAILED:
            return MailOutcome(Outcome.PENDING, None, "processing failed too often; waiting "
                               "for `selfservice mail process-pending --retry-failed`", row.id)
        return MailOutcome(Outcome(row.outcome or Outcome.IGNORED), row.ticket_number,
                           row.reason or "", row.id)

    def _duplicate(self, message_id: int) -> MailOutcome:
        row = inbound_mail.load(self.engine, message_id)
        assert row is not None
        when = row.received_at.strftime("%Y-%m-%d %H:%M UTC")
        done = (f"it was processed: {row.outcome}" if row.status is InboundStatus.PROCESSED
                else "it is waiting to be processed")
        return MailOutcome(Outcome.IGNORED, row.ticket_number,
                           f"duplicate of message #{row.id} received {when}; {done}", row.id)


def _referenced_ticket(session: Session, mail: InboundMail) -> _TicketRef | None:
    """By a ticket number in the subject, else by our notification it answers."""
    columns = (col(Ticket.id), col(Ticket.number), col(Ticket.org_id), col(Ticket.status))
    for number in ticket_numbers_in(mail.subject):
        row = session.execute(select(*columns).where(col(Ticket.number) == number)).first()
        if row is not None:
            return _TicketRef(*row)
    if not mail.thread_ids:
        return None
    ids = [f"<{mid}>" for mid in mail.thread_ids]
    row = session.execute(
        select(*columns)
        .join(OutboxMessage, col(OutboxMessage.ticket_id) == col(Ticket.id))
        .where(col(OutboxMessage.message_id).in_(ids))
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    ).first()
    return _TicketRef(*row) if row is not None else None

