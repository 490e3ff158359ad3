"""Stored answers of idempotent requests: find one, claim a key, store, purge.

The web layer (``web/idempotency.py``) looks a key up as soon as it knows the caller
(:func:`find`), and again with :func:`claim` as the first statement of the request's
shared transaction, where a concurrent request with the same key is detected: on
PostgreSQL by a transaction-scoped advisory lock on (scope, key), on SQLite by the
write lock every writer takes. :func:`store` runs last in that same transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, select, text
from sqlmodel import Session, col

from selfservice.db.models import IdempotentAnswer
from selfservice.db.session import transaction
from selfservice.domain import idempotency as rules
from selfservice.domain.errors import DomainError
from selfservice.services.errors import Conflict

FIELD = rules.KEY_HEADER


class KeyInUse(Conflict):
    """Another request with the same key is being processed right now (409)."""

    default_code = "conflict"

    def __init__(self) -> None:
        super().__init__("a request with this key is in progress",
                         code="idempotency_key_in_use", field=FIELD)


class KeyReused(DomainError):
    """The key was used for a different request (422)."""

    default_code = "precondition_failed"

    def __init__(self) -> None:
        super().__init__("this key was used for a different request",
                         code="idempotency_key_reused", field=FIELD)


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _answer(row: IdempotentAnswer, fingerprint: str) -> StoredAnswer:
    if row.fingerprint != fingerprint:
        raise KeyReused()
    return StoredAnswer(row.status, [(str(n), str(v)) for n, v in row.headers], row.body)


def _row(session: Session, scope: str, key: str) -> IdempotentAnswer | None:
    query = select(IdempotentAnswer).where(
        col(IdempotentAnswer.scope) == scope, col(IdempotentAnswer.key) == key
    )
    return session.execute(query).scalars().first()


def find(
    engine: Engine, *, scope: str, key: str, fingerprint: str, now: datetime
) -> StoredAnswer | None:
    """The live stored answer for (scope, key); :class:`KeyReused` if it was another
    request."""
    with transaction(engine, write=False) as session:
        row = _row(session, scope, key)
        if row is None or not rules.is_live(row.expires_at, now):
            return None
        return _answer(row, fingerprint)


def claim(
    session: Session, *, scope: str, key: str, fingerprint: str, now: datetime
) -> StoredAnswer | None:
    """First thing in the request's transaction: refuse a concurrent request with the
    same key (:class:`KeyInUse`), drop an expired answer, return a live one (a request
    that finished between the caller's :func:`find` and now)."""
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": rules.lock_id(scope, key)}
        ).scalar_one()
        if not locked:
            raise KeyInUse()
    row = _row(session, scope, key)
    if row is None:
        return None
    if rules.is_live(row.expires_at, now):
        return _answer(row, fingerprint)
    session.delete(row)
    session.flush()
    return None


def store(
    session: Session, *, scope: str, key: str, fingerprint: str, answer: StoredAnswer,
    now: datetime,
) -> None:
    session.add(IdempotentAnswer(
        scope=scope, key=key, fingerprint=fingerprint, status=answer.status,
        headers=[list(h) for h in answer.headers], body=answer.body, created_at=now,
        expires_at=rules.expires_at(now),
    ))


def purge_expired(engine: Engine, *, now: datetime, batch: int = 1000) -> int:
    """Delete expired answers, ``batch`` rows per transaction; how many were deleted."""
    deleted = 0
    while True:
        with transaction(engine) as session:
            ids = select(col(IdempotentAnswer.id)).where(
                col(IdempotentAnswer.expires_at) <= now
            ).limit(batch)
            found = list(session.execute(ids).scalars())
            if found:
                session.execute(delete(IdempotentAnswer).where(col(IdempotentAnswer.id).in_(found)))
        deleted += len(found)
        if len(found) < batch:
            return deleted

