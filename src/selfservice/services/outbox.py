"""The notification outbox: rows written by use cases, delivered by the worker.

Delivery protocol (at-least-once, duplicates minimised and recognisable):

1. **claim** — in its own committed transaction, due rows go ``pending → sending`` with
   ``lease_until = now + lease`` and ``attempts + 1``. PostgreSQL picks them with
   ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint rows; SQLite has one
   writer at a time (``BEGIN IMMEDIATE``). A row left in ``sending`` whose lease expired
   (its worker died) is due again, unless it has used up its attempts: then it is
   ``failed`` (a message that kills every worker sending it must not loop for ever).
2. **send** — with the row's fixed ``Message-ID``.
3. **mark** — right after each send, in its own transaction: ``sent`` (never sent again),
   or back to ``pending`` with exponential backoff, or ``failed`` after a permanent error
   or too many attempts (kept, with ``last_error``, for a person to look at). Any error
   of one message, expected or not, is that message's failed attempt: the rest of the
   batch is sent.

Header text (the subject) is made safe when the row is written and again when the message
is built (``notify.header_text``); a recipient address with a line break is never sent.

Nothing is lost: a row is only ever ``sent`` after the SMTP server accepted it. The one
duplicate window is a crash between the server's acceptance and the mark's commit: the
message is sent again after the lease expires, with the same Message-ID, so receivers
(and our tests) can tell it is the same message.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Engine, Table, func, insert, or_, select, update
from sqlmodel import Session, col

from selfservice.db.engine import is_postgres
from selfservice.db.models import OutboxMessage, OutboxStatus
from selfservice.db.session import transaction
from selfservice.delivery.notify import Mail, Mailer, MailError, header_text, unsafe_address
from selfservice.domain.enums import Language

log = logging.getLogger("selfservice.outbox")

MESSAGE_ID_DOMAIN: Final = "selfservice.local"
OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_INSERT_OUTBOX = insert(OUTBOX)


@dataclass(frozen=True)
class DeliveryPolicy:
    #: Must exceed the time to send a whole batch (batch × SMTP timeout of 20 s).
    lease: timedelta = timedelta(minutes=5)
    batch: int = 10
    max_attempts: int = 12
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=2)

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt ``attempts + 1``: base · 2^(attempts-1), capped."""
        delay = self.backoff_base * (1 << min(max(attempts - 1, 0), 30))
        return min(delay, self.backoff_cap)


@dataclass(frozen=True)
class Claimed:
    id: int
    mail: Mail
    attempts: int


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


def new_message_id(domain: str = MESSAGE_ID_DOMAIN) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    language: Language,
    kind: str,
    now: datetime,
    ticket_id: int | None = None,
    html: str | None = None,
    not_before: datetime | None = None,
    coalesce_key: str | None = None,
    payload: dict[str, object] | None = None,
    thread_id: str | None = None,
) -> str:
    """Add a message to the outbox in the caller's transaction (it commits with the change,
    or not at all); returns its Message-ID. A plain INSERT: no ORM object is needed.

    ``html``: the HTML alternative of ``body``; ``not_before``: not sent earlier (changes
    coalescing into it, see ``services.customer_updates``); ``thread_id``: the Message-ID
    it answers (the ticket's first mail)."""
    message_id = new_message_id()
    # ``.invalid`` never resolves (RFC 6761): such an address (e.g. an organisation's system
    # contact for monitoring alerts) is kept as a record but never sent to.
    reserved = to.rstrip(".").lower().endswith(".invalid")
    unsendable = "not sent: .invalid is a reserved, undeliverable domain" if reserved else None
    if unsafe_address(to):
        unsendable = "not sent: the address holds a line break or control character"
    session.execute(_INSERT_OUTBOX, {
        "to_addr": to, "subject": header_text(subject), "body": body, "language": language,
        "kind": kind, "ticket_id": ticket_id, "attempts": 0,
        "next_attempt_at": not_before or now, "message_id": message_id, "created_at": now,
        "html_body": html, "coalesce_key": coalesce_key, "payload": payload,
        "thread_id": thread_id,
        "status": OutboxStatus.FAILED if unsendable else OutboxStatus.PENDING,
        "last_error": unsendable,
    })
    return message_id


def claim_due(
    engine: Engine, *, worker_id: str, now: datetime, policy: DeliveryPolicy = DeliveryPolicy()
) -> list[Claimed]:
    """Step 1: take up to ``policy.batch`` due rows for this worker (committed on return)."""
    due = or_(
        (col(OutboxMessage.status) == OutboxStatus.PENDING)
        & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.status) == OutboxStatus.SENDING)
        & (col(OutboxMessage.lease_until) < now),
    )
    query = select(OutboxMessage).where(due).order_by(col(OutboxMessage.id)).limit(policy.batch)
    if is_postgres(engine):
        query = query.with_for_update(skip_locked=True)
    with transaction(engine) as session:
        rows = list(session.scalars(query))
        claimed = []
        for row in rows:
            if row.status is OutboxStatus.SENDING and row.attempts >= policy.max_attempts:
                # Its workers died while sending it every time: that message kills workers.
                row.status = OutboxStatus.FAILED
                row.lease_until = None
                row.last_error = (f"gave up after {row.attempts} attempts: the worker "
                                  "stopped while sending it each time")
                continue
            row.status = OutboxStatus.SENDING
            row.lease_until = now + policy.lease
            row.claimed_by = worker_id
            row.attempts += 1
            claimed.append(Claimed(id=row.id or 0, attempts=row.attempts, mail=Mail(
                to=row.to_addr, subject=row.subject, body=row.body, html=row.html_body,
                message_id=row.message_id, language=row.language.value,
                created_at=row.created_at, thread_id=row.thread_id,
            )))
    return claimed


def mark_sent(engine: Engine, *, message_id: int, now: datetime) -> None:
    """Step 3 after a successful send; whoever claimed it last, it is sent now."""
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .where(col(OutboxMessage.status) != OutboxStatus.SENT)
            .values(status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error=None)
        )


def mark_failed_attempt(
    engine: Engine, *, claimed: Claimed, error: MailError, now: datetime,
    policy: DeliveryPolicy = DeliveryPolicy(),
) -> OutboxStatus:
    """Step 3 after a failed send: retry later with backoff, or give up (``failed``)."""
    give_up = error.permanent or claimed.attempts >= policy.max_attempts
    status = OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
    with transaction(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == claimed.id)
            .where(col(OutboxMessage.status) == OutboxStatus.SENDING)
            .values(
                status=status, lease_until=None, last_error=str(error)[:2000],
                next_attempt_at=now + policy.backoff(claimed.attempts),
            )
        )
    return status


def deliver_due(
    engine: Engine, *, mailer: Mailer, worker_id: str, now: datetime,
    policy: DeliveryPolicy = DeliveryPolicy(),
) -> DeliveryReport:
    """Claim one batch and deliver it; mark each message as soon as it is sent."""
    sent = retried = failed = 0
    for claimed in claim_due(engine, worker_id=worker_id, now=now, policy=policy):
        try:
            mailer.send(claimed.mail)
        except MailError as exc:
            error = exc
        except Exception as exc:
            # One message must never hold up the batch: whatever went wrong with it, it
            # alone is retried with backoff and in the end marked failed with the reason.
            log.exception("outbox message %s: sending failed", claimed.id)
            error = MailError(f"{type(exc).__name__}: {exc}")
        else:
            mark_sent(engine, message_id=claimed.id, now=now)
            sent += 1
            continue
        status = mark_failed_attempt(engine, claimed=claimed, error=error, now=now,
                                     policy=policy)
        failed += status is OutboxStatus.FAILED
        retried += status is OutboxStatus.PENDING
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def pending_count(session: Session) -> int:
    """Messages not delivered yet (pending or being sent): for health checks."""
    query = select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
    )
    return int(session.execute(query).scalar_one())
