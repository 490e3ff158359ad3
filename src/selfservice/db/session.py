"""One unit of work = one transaction: :func:`transaction` is the only place that commits."""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Engine
from sqlmodel import Session

from selfservice.db import shared
from selfservice.db.engine import SQLITE_BEGIN_OPTION, is_sqlite, sqlite_write_lock


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """Open a session in one transaction; commit on success, roll back on any error.

    ``write=True`` on SQLite begins with ``BEGIN IMMEDIATE`` so writers serialise on the
    write lock (with ``busy_timeout``) from their first statement; within one process they
    queue on an in-process lock first (``db.engine.sqlite_write_lock``). PostgreSQL runs in
    READ COMMITTED; use cases lock the rows they change (``SELECT ... FOR UPDATE``).
    Objects stay readable after commit (``expire_on_commit=False``).

    Inside an idempotent request the block runs in the request's shared transaction
    instead (``db/shared.py``), committed together with the request's stored answer.
    """
    joined = shared.current()
    if joined is not None and joined.takes(engine, write=write):
        with joined.block() as session:
            yield session
        return
    lock = sqlite_write_lock(engine) if write else None
    with lock or nullcontext(), Session(engine, expire_on_commit=False) as session:
        if is_sqlite(engine):
            mode = "IMMEDIATE" if write else "DEFERRED"
            session.connection(execution_options={SQLITE_BEGIN_OPTION: mode})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
