"""Leases for periodic jobs: with several workers, each job runs once per period.

A row per job in ``job_leases``. A worker takes the job with one conditional UPDATE —
it wins only if nobody holds an unexpired lease *and* the job's period has elapsed since
its last run — runs it, then records ``last_run_at`` and drops the lease. A worker that
dies mid-job loses the lease when it expires. The jobs are idempotent per ticket anyway
(each ticket is locked and re-checked in its own transaction), so the lease saves work
rather than guarding correctness.
"""

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from selfservice.db.models import JobLease
from selfservice.db.session import transaction


def _ensure_row(engine: Engine, name: str) -> None:
    try:
        with transaction(engine) as session:
            if session.get(JobLease, name) is None:
                session.execute(insert(JobLease).values(name=name))
    except IntegrityError:
        pass  # another worker inserted it first


def try_acquire(
    engine: Engine, *, name: str, owner: str, now: datetime, every: timedelta,
    lease: timedelta = timedelta(minutes=10),
) -> bool:
    """Take job ``name`` for ``owner`` if it is due and free; True when taken."""
    _ensure_row(engine, name)
    free = or_(col(JobLease.lease_until).is_(None), col(JobLease.lease_until) < now)
    due = or_(col(JobLease.last_run_at).is_(None), col(JobLease.last_run_at) <= now - every)
    with transaction(engine) as session:
        result = session.execute(
            update(JobLease)
            .where(and_(col(JobLease.name) == name, free, due))
            .values(owner=owner, lease_until=now + lease)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(engine: Engine, *, name: str, owner: str, ran_at: datetime) -> None:
    with transaction(engine) as session:
        session.execute(
            update(JobLease)
            .where(col(JobLease.name) == name, col(JobLease.owner) == owner)
            .values(lease_until=None, last_run_at=ran_at)
        )
