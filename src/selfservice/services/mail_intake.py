"""E-mail intake: what a stored inbound message becomes — a ticket, a comment, an answer,
or nothing at all.

One message goes parse (``channels.mail_parse``) -> look up the sender's contacts and the
ticket it names -> decide (``channels.mail_routing``, pure: the rules are documented there)
-> apply (``services.mail_effects``: one transaction with the message's ``processed``
mark). The queue of stored messages, its retries and the outcomes of messages already
processed are ``services.inbound_mail``. A crash never applies a message twice or loses
it. Attachments are stored with their bytes (``mail_attachments``); one past
``MailLimits`` is kept as a name with the reason, noted on the ticket or comment and in
the outcome.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from selfservice.channels.classify import TextClassifier
from selfservice.channels.mail_attachments import scanner_rejection
from selfservice.channels.mail_kind import classify_mail, ticket_numbers_in
from selfservice.channels.mail_parse import InboundMail, MailLimits, parse_mail
from selfservice.channels.mail_routing import Found, MailFacts, Sender, TicketRef, route, screen
from selfservice.content.model import Content
from selfservice.db.models import Contact, InboundStatus, OutboxMessage, Ticket
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.services import classifier_models, inbound_mail, mail_unknown
from selfservice.services.attachment_storage import Scanner
from selfservice.services.inbound_mail import (
    AlreadyProcessed,
    MailOutcome,
    Outcome,
    Pending,
    Summary,
)
from selfservice.services.mail_effects import MailEffects, Message

__all__ = ["MailIntake", "MailOutcome", "Outcome"]

log = logging.getLogger("selfservice.mail")


def utcnow() -> datetime:
    return datetime.now(UTC)


def scanned(mail: InboundMail, scanner: Scanner | None) -> InboundMail:
    """The mail with each accepted attachment the scanner refuses kept as a rejection
    (a scanner that cannot run raises: the message stays pending and is tried again)."""
    if scanner is None or not any(a.accepted for a in mail.attachments):
        return mail
    checked = tuple(
        replace(a, data=b"", rejection=scanner_rejection(a.filename))
        if a.accepted and not scanner.clean(a.data) else a
        for a in mail.attachments
    )
    return replace(mail, attachments=checked)


class MailIntake:
    """Stores and processes inbound mail; one instance serves a gateway or a CLI run."""

    def __init__(
        self, engine: Engine, *, config: SupportConfig, content: Content,
        own_addresses: Iterable[str] = (), limits: MailLimits | None = None,
        classifier: TextClassifier | None = None, clock: Callable[[], datetime] = utcnow,
        max_attempts: int = inbound_mail.MAX_ATTEMPTS,
        unknown_replies: mail_unknown.UnknownSenderReplies | None = None,
        scanner: Scanner | None = None,
    ) -> None:
        self.engine = engine
        self.own_addresses = frozenset(a.strip().lower() for a in own_addresses if a.strip())
        self.limits = limits or MailLimits()
        self.scanner = scanner
        self.clock = clock
        self.max_attempts = max_attempts
        self._classifier = classifier
        self.content = content
        self.effects = MailEffects(
            engine, config, content,
            unknown_replies or mail_unknown.UnknownSenderReplies(), self.classifier,
        )

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
                return inbound_mail.duplicate_outcome(self.engine, stored.id)
        return self.process(stored.id)

    def process(self, message_id: int) -> MailOutcome:
        """Process one stored message (idempotent: a processed one reports its outcome)."""
        try:
            row = inbound_mail.load(self.engine, message_id)
            if row is None:
                return MailOutcome(Outcome.IGNORED, None, f"no stored message {message_id}")
            if row.status is not InboundStatus.PENDING:
                return inbound_mail.stored_outcome(row)
            return self._process(row)
        except AlreadyProcessed:
            return inbound_mail.duplicate_outcome(self.engine, message_id)
        except Exception as exc:
            log.exception("inbound message %s: processing failed", message_id)
            return inbound_mail.failed_outcome(self.engine, message_id,
                                               f"{type(exc).__name__}: {exc}",
                                               max_attempts=self.max_attempts)

    def pending_ids(self, *, limit: int = 1000) -> list[int]:
        """Stored messages not processed yet, oldest first."""
        return inbound_mail.pending_ids(self.engine, limit=limit)

    def process_pending(self, *, limit: int = 1000) -> list[MailOutcome]:
        """Process every stored message still pending (after a crash or an outage)."""
        return [self.process(i) for i in self.pending_ids(limit=limit)]

    # --- parse, look up, decide, apply ---------------------------------------------------------

    def _process(self, row: Pending) -> MailOutcome:
        mail = scanned(parse_mail(row.raw, self.limits), self.scanner)
        kind = classify_mail(mail)
        sender = (mail.from_address or row.envelope_from or "").strip().lower() or None
        facts = MailFacts(kind.kind.value, kind.may_create_ticket, tuple(kind.signals),
                          row.envelope_from, sender, self.own_addresses)
        msg = Message(row.id, mail, Summary(kind.kind.value, sender, mail.subject), self.clock())
        decision = screen(facts)
        if decision is None:
            assert sender is not None  # screen() ignores a message without a sender
            return self.effects.apply(msg, route(sender, self._lookup(mail, sender)))
        return self.effects.apply(msg, decision)

    def _lookup(self, mail: InboundMail, sender: str) -> Found:
        """The ticket the message refers to, and the authorised contacts with its address."""
        with transaction(self.engine, write=False) as session:
            rows = session.execute(
                select(col(Contact.id), col(Contact.org_id), col(Contact.email), col(Contact.name),
                       col(Contact.language))
                .where(col(Contact.email) == sender, col(Contact.authorised).is_(True))
                .order_by(col(Contact.id))
            ).all()
            return Found(_referenced_ticket(session, mail), tuple(Sender(*r) for r in rows))


def _referenced_ticket(session: Session, mail: InboundMail) -> TicketRef | None:
    """By a ticket number in the subject, else by our notification it answers."""
    columns = (col(Ticket.id), col(Ticket.number), col(Ticket.org_id), col(Ticket.status))
    for number in ticket_numbers_in(mail.subject):
        row = session.execute(select(*columns).where(col(Ticket.number) == number)).first()
        if row is not None:
            return TicketRef(*row)
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
    return TicketRef(*row) if row is not None else None
