"""The engine factory. No engine exists at import time: callers build one and pass it in.

SQLite gets WAL, ``synchronous=NORMAL``, a busy timeout and foreign keys on every
connection, and SQLAlchemy (not the sqlite3 module) emits ``BEGIN``: a transaction
opened with the ``sqlite_begin="IMMEDIATE"`` execution option takes the write lock at
once, so concurrent writers queue on ``busy_timeout`` instead of failing half-way with
"database is locked" when a read lock cannot be upgraded.
"""

import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine

#: How long a SQLite connection waits for the write lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 30_000

#: Execution option read by the ``begin`` hook: "DEFERRED" (default) or "IMMEDIATE".
SQLITE_BEGIN_OPTION = "sqlite_begin"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(url: str, *, echo: bool = False, **kwargs: Any) -> Engine:
    """Build an engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith(
            "file:"
        ):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        engine = create_engine(url, echo=echo, connect_args=connect_args, **kwargs)
        _install_sqlite_hooks(engine)
        _WRITE_LOCKS[engine] = threading.Lock()
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, **kwargs)


def sqlite_write_lock(engine: Engine) -> "threading.Lock | None":
    """The in-process lock serialising this SQLite engine's write transactions.

    SQLite admits one writer at a time anyway; threads that wait on this lock wake the
    moment it is free, where waiting in SQLite's busy handler means sleeping in steps
    (bench/ticket_bench.py, 4 threads, a busy 2-core machine, medians of 3 runs: ~450
    registrations/s without this lock, ~650/s with it). Other processes still queue on
    ``busy_timeout``. Do not nest write transactions in one thread: the lock is not
    re-entrant (and SQLite would refuse the inner BEGIN IMMEDIATE anyway).
    """
    return _WRITE_LOCKS.get(engine)


_WRITE_LOCKS: "weakref.WeakKeyDictionary[Engine, threading.Lock]" = weakref.WeakKeyDictionary()


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module; the "begin" hook below emits it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode not in {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"}:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")
