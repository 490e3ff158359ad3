"""The inbound message store: raw mail is committed here before anyone answers 250.

Protocol (no message is lost, none is applied twice):

1. :func:`store` commits the raw bytes (``inbound_messages``, status ``pending``). The
   SMTP gateway answers 250 and ``selfservice mail ingest`` exits 0 only after it
   returned. A redelivery (same Message-ID, or the same bytes) is recognised by the
   UNIQUE columns and reported as a duplicate; nothing new is stored.
2. Processing (``services.mail_intake``) commits its effect (ticket, comment, reply) in
   the same transaction as :func:`claim`, which moves the row ``pending → processed``
   only if it is still pending. A crash before that commit leaves the row pending;
   a second processor that lost the race rolls its work back (:class:`AlreadyProcessed`).
3. A failed attempt is counted (:func:`record_failure`); after ``max_attempts`` the row
   is ``failed`` and waits for a person (``mail process-pending --retry-failed``).
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Table, or_, select, update
from sqlmodel import Session, col

from selfservice.channels.mail_parse import parse_mail
from selfservice.db.conflicts import insert_once
from selfservice.db.models import InboundMessage, InboundStatus, Ticket
from selfservice.db.session import transaction

INBOUND: Table = InboundMessage.__table__  # type: ignore[attr-defined]
MAX_MESSAGE_ID = 200
MAX_ATTEMPTS = 5

log = logging.getLogger("selfservice.mail")


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


class AlreadyProcessed(Exception):
    """Another processor committed this message's outcome first; roll back."""


@dataclass(frozen=True)
class Stored:
    id: int
    duplicate: bool


@dataclass(frozen=True)
class Pending:
    """What processing needs of a stored message."""

    id: int
    raw: bytes
    envelope_from: str | None
    status: InboundStatus
    outcome: str | None
    reason: str | None
    ticket_number: str | None
    received_at: datetime


def message_id_key(raw: bytes) -> str | None:
    """The Message-ID to deduplicate on (hashed when unreasonably long)."""
    mid = parse_mail(raw).message_id
    if not mid:
        return None
    if len(mid) > MAX_MESSAGE_ID:
        return "sha256:" + hashlib.sha256(mid.encode("utf-8", "replace")).hexdigest()
    return mid


def store(
    engine: Engine, *, raw: bytes, via: str, now: datetime, envelope_from: str | None = None,
    envelope_to: Sequence[str] = (), peer: str | None = None,
) -> Stored:
    """Commit the raw message (or recognise a redelivery). ``envelope_from`` is "" for
    the null sender ``<>`` and None when unknown."""
    digest = hashlib.sha256(raw).hexdigest()
    mid = message_id_key(raw)
    values = {
        "received_at": now, "via": via, "envelope_from": envelope_from,
        "envelope_to": list(envelope_to), "peer": peer, "size": len(raw), "sha256": digest,
        "message_id": mid, "raw": raw, "status": InboundStatus.PENDING, "attempts": 0,
    }
    with transaction(engine) as session:
        new_id = insert_once(session, INBOUND, values)
        if new_id is not None:
            return Stored(new_id, duplicate=False)
        same = col(InboundMessage.sha256) == digest
        if mid is not None:
            same = or_(same, col(InboundMessage.message_id) == mid)
        existing = session.execute(
            select(col(InboundMessage.id)).where(same).order_by(col(InboundMessage.id)).limit(1)
        ).scalar_one()
        return Stored(int(existing), duplicate=True)


def load(engine: Engine, message_id: int) -> Pending | None:
    with transaction(engine, write=False) as session:
        row = session.get(InboundMessage, message_id)
        if row is None:
            return None
        number = None
        if row.ticket_id is not None:
            number = session.execute(
                select(col(Ticket.number)).where(col(Ticket.id) == row.ticket_id)
            ).scalar_one_or_none()
        return Pending(row.id or 0, row.raw, row.envelope_from, row.status, row.outcome,
                       row.reason, number, row.received_at)


@dataclass(frozen=True)
class Summary:
    """What processing found out, stored with the outcome."""

    kind: str | None
    from_address: str | None
    subject: str | None


def claim(
    session: Session, message_id: int, *, outcome: str, reason: str, now: datetime,
    summary: Summary, ticket_id: int | None = None,
) -> None:
    """Record the outcome in the caller's transaction, if the message is still pending;
    else raise :class:`AlreadyProcessed` (the caller's transaction rolls back)."""
    result = session.execute(
        update(INBOUND)
        .where(INBOUND.c.id == message_id, INBOUND.c.status == InboundStatus.PENDING)
        .values(status=InboundStatus.PROCESSED, outcome=outcome, reason=reason[:4000],
                ticket_id=ticket_id, processed_at=now, kind=summary.kind,
                from_address=summary.from_address[:254] if summary.from_address else None,
                subject=(summary.subject or "")[:300] or None, last_error=None)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyProcessed(message_id)


def record_failure(
    engine: Engine, message_id: int, *, error: str, max_attempts: int = MAX_ATTEMPTS
) -> InboundStatus:
    """Count a failed processing attempt; ``failed`` after ``max_attempts``."""
    with transaction(engine) as session:
        row = session.get(InboundMessage, message_id, with_for_update=True)
        if row is None or row.status is not InboundStatus.PENDING:
            return row.status if row is not None else InboundStatus.FAILED
        row.attempts += 1
        row.last_error = error[:4000]
        if row.attempts >= max_attempts:
            row.status = InboundStatus.FAILED
        session.add(row)
        return row.status


def pending_ids(engine: Engine, *, limit: int = 1000) -> list[int]:
    """Stored messages still waiting for processing, oldest first."""
    query = (
        select(col(InboundMessage.id))
        .where(col(InboundMessage.status) == InboundStatus.PENDING)
        .order_by(col(InboundMessage.id))
        .limit(limit)
    )
    with transaction(engine, write=False) as session:
        return [int(i) for i in session.execute(query).scalars()]


def retry_failed(engine: Engine) -> int:
    """Put every ``failed`` message back to ``pending`` with a fresh attempt count."""
    with transaction(engine) as session:
        result = session.execute(
            update(INBOUND)
            .where(INBOUND.c.status == InboundStatus.FAILED)
            .values(status=InboundStatus.PENDING, attempts=0)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


# --- outcomes of stored messages ------------------------------------------------------------


def stored_outcome(row: Pending) -> MailOutcome:
    """What a message that is no longer pending came to (asked again: idempotent)."""
    if row.status is InboundStatus.FAILED:
        return MailOutcome(Outcome.PENDING, None, "processing failed too often; waiting "
                           "for `selfservice mail process-pending --retry-failed`", row.id)
    return MailOutcome(Outcome(row.outcome or Outcome.IGNORED), row.ticket_number,
                       row.reason or "", row.id)


def duplicate_outcome(engine: Engine, message_id: int) -> MailOutcome:
    """A redelivery: it reports the first delivery's state."""
    row = load(engine, message_id)
    assert row is not None
    when = row.received_at.strftime("%Y-%m-%d %H:%M UTC")
    done = (f"it was processed: {row.outcome}" if row.status is InboundStatus.PROCESSED
            else "it is waiting to be processed")
    return MailOutcome(Outcome.IGNORED, row.ticket_number,
                       f"duplicate of message #{row.id} received {when}; {done}", row.id)


def failed_outcome(
    engine: Engine, message_id: int, error: str, *, max_attempts: int = MAX_ATTEMPTS
) -> MailOutcome:
    """Count the failed attempt (if the database lets us) and report it."""
    try:
        status = record_failure(engine, message_id, error=error, max_attempts=max_attempts)
    except Exception:
        log.exception("inbound message %s: could not record the failure", message_id)
        status = InboundStatus.PENDING
    kept = "kept for a person" if status is InboundStatus.FAILED else "will be retried"
    return MailOutcome(Outcome.PENDING, None, f"stored, processing failed ({error}); {kept}",
                       message_id)
