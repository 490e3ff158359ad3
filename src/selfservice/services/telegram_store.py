"""Telegram's updates in, Bot API calls out: both durable, both retried.

In: an update is stored (``store_update``) before Telegram is told it arrived (the
webhook's 200, or the next ``getUpdates`` offset); a second copy of the same ``update_id``
is a no-op. The pump claims stored updates under a lease and handles each; whatever the
update did commits together with ``settle`` (which marks it processed), so an update is
processed exactly once even if two pumps or a restart meet it.

Out: ``enqueue`` writes a Bot API call in the caller's transaction. ``claim_due`` hands the
pump the first unsent call of each chat (calls to one chat keep their order); a 429 puts
the call back with Telegram's ``retry_after``, other errors back off exponentially, and a
permanent refusal (the user blocked the bot) is ``failed`` with the reason.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, and_, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from selfservice.db.engine import is_postgres
from selfservice.db.models import OutboxStatus, TelegramOutbox, TelegramUpdate, Ticket
from selfservice.db.session import transaction
from selfservice.services.outbox import DeliveryPolicy

#: An update whose handling failed this often is given up (kept with ``last_error``).
MAX_UPDATE_ATTEMPTS: Final = 5
UPDATE_LEASE: Final = timedelta(minutes=2)
#: A chat answers in seconds: retry sooner than e-mail, give up sooner too.
POLICY: Final = DeliveryPolicy(lease=timedelta(minutes=2), batch=20, max_attempts=10,
                               backoff_base=timedelta(seconds=5),
                               backoff_cap=timedelta(minutes=10))


class AlreadyProcessed(Exception):
    """Another pump processed this update first: roll back what this one did."""


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call: ``method`` (sendMessage, editMessageText, answerCallbackQuery)."""

    chat_id: int
    method: str
    payload: dict[str, Any]
    kind: str = "reply"
    ticket_id: int | None = None


@dataclass(frozen=True)
class ClaimedCall:
    id: int
    call: Outgoing
    attempts: int


# --- updates in ------------------------------------------------------------------------------


def store_update(engine: Engine, *, update_id: int, payload: dict[str, Any],
                 now: datetime) -> bool:
    """Keep the update; False when it was stored before (Telegram retried it)."""
    try:
        with transaction(engine) as session:
            if session.get(TelegramUpdate, update_id) is not None:
                return False
            session.add(TelegramUpdate(update_id=update_id, payload=payload, received_at=now))
    except IntegrityError:  # stored by a concurrent request in between
        return False
    return True


def claim_updates(engine: Engine, *, now: datetime, limit: int = 20) -> list[TelegramUpdate]:
    """Unprocessed updates in ``update_id`` order, leased to the caller."""
    query = (
        select(TelegramUpdate)
        .where(col(TelegramUpdate.processed_at).is_(None),
               or_(col(TelegramUpdate.lease_until).is_(None),
                   col(TelegramUpdate.lease_until) < now))
        .order_by(col(TelegramUpdate.update_id)).limit(limit)
    )
    if is_postgres(engine):  # concurrent pumps take disjoint updates
        query = query.with_for_update(skip_locked=True)
    with transaction(engine) as session:
        rows = list(session.scalars(query))
        for row in rows:
            row.lease_until = now + UPDATE_LEASE
            row.attempts += 1
        session.flush()
        for row in rows:
            session.expunge(row)
    return rows


def processed(engine: Engine, *, update_id: int) -> bool:
    """Whether the update was handled already (checked before slow work such as a
    download; ``settle`` still decides)."""
    with transaction(engine, write=False) as session:
        row = session.get(TelegramUpdate, update_id)
        return row is not None and row.processed_at is not None


def settle(session: Session, *, update_id: int, now: datetime) -> None:
    """In the transaction that stores what the update did: it is processed now."""
    done = session.execute(
        update(TelegramUpdate)
        .where(col(TelegramUpdate.update_id) == update_id,
               col(TelegramUpdate.processed_at).is_(None))
        .values(processed_at=now, lease_until=None, last_error=None)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyProcessed(update_id)


def settle_with(engine: Engine, *, update_id: int, now: datetime, calls: list[Outgoing],
                work: Callable[[Session], list[Outgoing]] | None = None) -> None:
    """One transaction: ``work`` (what the update changes), the update processed, the
    calls to send. ``AlreadyProcessed`` rolls it all back."""
    with transaction(engine) as session:
        extra = work(session) if work is not None else []
        settle(session, update_id=update_id, now=now)
        enqueue(session, [*calls, *extra], now=now)


def update_failed(engine: Engine, *, update_id: int, error: str, now: datetime) -> bool:
    """Handling raised: retry it later, or give up after ``MAX_UPDATE_ATTEMPTS``."""
    with transaction(engine) as session:
        row = session.get(TelegramUpdate, update_id, with_for_update=True)
        if row is None or row.processed_at is not None:
            return False
        give_up = row.attempts >= MAX_UPDATE_ATTEMPTS
        row.last_error = error[:2000]
        row.lease_until = None if give_up else now + timedelta(seconds=5 * row.attempts)
        if give_up:
            row.processed_at = now
        return give_up


# --- calls out -------------------------------------------------------------------------------


def enqueue(session: Session, calls: list[Outgoing], *, now: datetime) -> None:
    """Write the calls in the caller's transaction (sent after it commits, in order)."""
    for call in calls:
        session.execute(insert(TelegramOutbox).values(
            chat_id=call.chat_id, method=call.method, payload=call.payload, kind=call.kind,
            ticket_id=call.ticket_id, status=OutboxStatus.PENDING, attempts=0,
            next_attempt_at=now, created_at=now,
        ))


def claim_due(engine: Engine, *, now: datetime,
              policy: DeliveryPolicy = POLICY) -> list[ClaimedCall]:
    """The oldest unsent call of each chat that is due (a later one waits for it)."""
    row, earlier = TelegramOutbox, aliased(TelegramOutbox)
    due = or_(
        and_(col(row.status) == OutboxStatus.PENDING, col(row.next_attempt_at) <= now),
        and_(col(row.status) == OutboxStatus.SENDING, col(row.lease_until) < now),
    )
    waiting = exists().where(
        col(earlier.chat_id) == col(row.chat_id), col(earlier.id) < col(row.id),
        col(earlier.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
    query = (select(row).where(due, ~waiting).order_by(col(row.id)).limit(policy.batch))
    if is_postgres(engine):  # concurrent pumps (server workers) take disjoint calls
        query = query.with_for_update(skip_locked=True)
    claimed: list[ClaimedCall] = []
    with transaction(engine) as session:
        for found in session.scalars(query):
            found.status = OutboxStatus.SENDING
            found.lease_until = now + policy.lease
            found.attempts += 1
            claimed.append(ClaimedCall(found.id or 0, Outgoing(
                found.chat_id, found.method, dict(found.payload), found.kind,
                found.ticket_id), found.attempts))
    return claimed


def mark_sent(engine: Engine, *, call_id: int, message_id: int | None, now: datetime) -> None:
    with transaction(engine) as session:
        session.execute(update(TelegramOutbox).where(col(TelegramOutbox.id) == call_id).values(
            status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error=None,
            message_id=message_id))


def mark_retry(engine: Engine, *, claimed: ClaimedCall, error: str, now: datetime,
               retry_after: timedelta | None = None, permanent: bool = False,
               policy: DeliveryPolicy = POLICY) -> OutboxStatus:
    """Back to ``pending`` (after Telegram's ``retry_after``, else backoff), or ``failed``.

    A 429 is Telegram asking to wait, not a failure of the message: it does not count
    towards ``max_attempts``."""
    attempts = claimed.attempts - 1 if retry_after is not None else claimed.attempts
    give_up = permanent or attempts >= policy.max_attempts
    status = OutboxStatus.FAILED if give_up else OutboxStatus.PENDING
    wait = retry_after if retry_after is not None else policy.backoff(attempts)
    with transaction(engine) as session:
        session.execute(update(TelegramOutbox).where(col(TelegramOutbox.id) == claimed.id).values(
            status=status, lease_until=None, last_error=error[:2000], attempts=attempts,
            next_attempt_at=now + wait))
    return status


def hold_chat_calls(engine: Engine, *, until: datetime) -> None:
    """After a 429 without a chat (the bot's global limit): nothing is sent before ``until``."""
    with transaction(engine) as session:
        session.execute(update(TelegramOutbox)
                        .where(col(TelegramOutbox.status) == OutboxStatus.PENDING,
                               col(TelegramOutbox.next_attempt_at) < until)
                        .values(next_attempt_at=until))


def ticket_of_message(engine: Engine, *, chat_id: int, message_id: int) -> str | None:
    """The number of the ticket a message we sent to this chat was about (a reply to it
    comments on that ticket)."""
    query = (select(col(Ticket.number))
             .join(TelegramOutbox, col(TelegramOutbox.ticket_id) == col(Ticket.id))
             .where(col(TelegramOutbox.chat_id) == chat_id,
                    col(TelegramOutbox.message_id) == message_id)
             .limit(1))
    with transaction(engine, write=False) as session:
        return session.execute(query).scalar_one_or_none()
