"""One transaction for a whole request, committed by whoever opened it.

An idempotent request (``web/idempotency.py``) must commit its effect and its stored
answer together, but the answer exists only after the use case has returned and the
endpoint has shaped it. While a :class:`SharedTransaction` is active in the current
context, :func:`~selfservice.db.session.transaction` does not open and commit its own
transaction: the first write (and everything after it) runs in the shared one, each
block in a SAVEPOINT, so a block that fails is undone alone, exactly as its own
transaction would have been. The owner then adds the answer and commits, or rolls back.

Context variables follow the request into the thread pool (``run_in_threadpool`` copies
the context), so use cases need no change.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from sqlalchemy import Engine
from sqlmodel import Session

from selfservice.db.engine import SQLITE_BEGIN_OPTION, is_sqlite, sqlite_write_lock

_CURRENT: ContextVar["SharedTransaction | None"] = ContextVar(
    "selfservice_shared_transaction", default=None
)


class SharedTransaction:
    """``on_begin(session)`` runs first in the transaction, before any work (it may raise
    to refuse the request; the transaction is then rolled back and not shared again)."""

    def __init__(self, engine: Engine, on_begin: Callable[[Session], None]) -> None:
        self.engine = engine
        self._on_begin = on_begin
        self._session: Session | None = None
        self._lock: threading.Lock | None = None
        self._done = False

    @property
    def started(self) -> bool:
        """Whether something was written (the transaction is open and waits for its owner)."""
        return self._session is not None

    def takes(self, engine: Engine, *, write: bool) -> bool:
        """Whether a ``transaction(engine, write=write)`` runs in this one: writes from
        the first on; reads once something was written, so they see it."""
        return engine is self.engine and not self._done and (write or self._session is not None)

    @contextmanager
    def block(self) -> Iterator[Session]:
        session = self._session or self._begin()
        with session.begin_nested():
            yield session

    def _begin(self) -> Session:
        lock = sqlite_write_lock(self.engine)
        if lock is not None:
            lock.acquire()
        self._lock = lock
        session = Session(self.engine, expire_on_commit=False)
        self._session = session
        try:
            if is_sqlite(self.engine):
                session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            self._on_begin(session)
        except BaseException:
            self.rollback()
            raise
        return session

    def commit(self, last: Callable[[Session], None]) -> None:
        """Run ``last`` (store the answer) and commit; roll back if either fails."""
        session = self._session
        if session is None or self._done:
            return
        try:
            last(session)
            session.commit()
        except BaseException:
            self.rollback()
            raise
        self._finish()

    def rollback(self) -> None:
        """Undo everything (also safe when nothing was started or it is already over)."""
        if self._session is not None and not self._done:
            try:
                self._session.rollback()
            finally:
                self._finish()
        self._done = True

    def _finish(self) -> None:
        self._done = True
        session, self._session = self._session, None
        lock, self._lock = self._lock, None
        try:
            if session is not None:
                session.close()
        finally:
            if lock is not None:
                lock.release()


def current() -> SharedTransaction | None:
    return _CURRENT.get()


def activate(shared: SharedTransaction) -> Token["SharedTransaction | None"]:
    return _CURRENT.set(shared)


def deactivate(token: Token["SharedTransaction | None"]) -> None:
    _CURRENT.reset(token)
