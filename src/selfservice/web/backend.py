"""The database behind the API: the ``store`` that ``create_app`` receives.

:class:`Backend` bundles what the ticket and conversation endpoints need (engine,
support configuration, free-text classifier). :class:`DatabaseDirectory` is the
:class:`~selfservice.web.identity.Directory` over the organisations and contacts tables,
with a short cache: a secret rotation or a contact's removal takes effect within
``ttl`` seconds (after a rotation the previous secret stays valid for days anyway).
The same cache answers the per-organisation CORS / frame-ancestors origins.
:class:`SearchLogBuffer` batches the public search log.
"""

import atexit
import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar, cast

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from selfservice.channels.classify import TextClassifier
from selfservice.content.model import Content
from selfservice.domain.config import SupportConfig
from selfservice.services import admin, classifier_models, feedback, portal
from selfservice.web.errors import ApiError
from selfservice.web.hardening import OriginsFor
from selfservice.web.identity import OrgKeys
from selfservice.web.state import state_of

#: How long organisation keys, contacts and origins are cached (seconds).
DIRECTORY_TTL = 5.0
#: How often buffered public searches are written to the search log (seconds).
SEARCH_LOG_INTERVAL = 1.0

log = logging.getLogger("selfservice.web")

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """A tiny thread-safe cache whose entries expire after ``ttl`` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._items: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[K], V]) -> V:
        now = self._clock()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load(key)
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (now + self.ttl, value)
        return value


@dataclass
class DatabaseDirectory:
    """Organisations' token secrets and authorised contacts, read from the database."""

    engine: Engine
    clock: Callable[[], datetime]
    ttl: float = DIRECTORY_TTL
    _orgs: TtlCache[str, tuple[OrgKeys | None, tuple[str, ...]]] = field(init=False)
    _contacts: TtlCache[tuple[str, str], int | None] = field(init=False)

    def __post_init__(self) -> None:
        self._orgs = TtlCache(self.ttl)
        self._contacts = TtlCache(self.ttl)

    def _load_org(self, org_id: str) -> tuple[OrgKeys | None, tuple[str, ...]]:
        org = portal.organisation(self.engine, org_id=org_id)
        if org is None or not org.active:
            return None, ()
        secrets = admin.valid_secrets(org, now=self.clock())
        keys = OrgKeys(
            org.id,
            current_secret=secrets[0],
            previous_secret=secrets[1] if len(secrets) > 1 else None,
            previous_valid_until=org.previous_secret_valid_until if len(secrets) > 1 else None,
        )
        return keys, tuple(org.portal_origins or ())

    def _load_contact(self, key: tuple[str, str]) -> int | None:
        contact = portal.authorised_contact(self.engine, org_id=key[0], email=key[1])
        return contact.id if contact is not None else None

    def org_keys(self, org_id: str) -> OrgKeys | None:
        return self._orgs.get(org_id, self._load_org)[0]

    def is_contact(self, org_id: str, email: str) -> bool:
        return self.contact_id(org_id, email) is not None

    def contact_id(self, org_id: str, email: str) -> int | None:
        return self._contacts.get((org_id, email.strip().lower()), self._load_contact)

    def origins(self, org_id: str) -> tuple[str, ...]:
        return self._orgs.get(org_id, self._load_org)[1]

    def origins_for(self) -> OriginsFor:
        """The async ``origins_for`` the CORS and CSP middleware take."""

        async def origins_for(org_id: str) -> Collection[str]:
            if len(org_id) > 64:
                return ()
            return await run_in_threadpool(self.origins, org_id)

        return origins_for


class SearchLogBuffer:
    """Public searches, written to the search log in batches by a background thread.

    A search answers in a few milliseconds; a write transaction per search would double
    that and serialise the searches of all workers on SQLite's write lock. The buffer is
    flushed every ``interval`` seconds (and when the process exits), so at most that much
    of the log is lost in a crash; ``interval=0`` writes every search at once (tests).
    """

    #: Entries kept between two flushes at most (a flush a second writes far fewer).
    max_pending = 50_000

    def __init__(self, engine: Engine, interval: float = SEARCH_LOG_INTERVAL) -> None:
        self.engine = engine
        self.interval = interval
        self._pending: list[feedback.SearchEntry] = []
        self.dropped = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, entry: feedback.SearchEntry) -> None:
        if self.interval <= 0:
            self._write([entry])
            return
        with self._lock:
            if len(self._pending) >= self.max_pending:
                # The database is not keeping up (or is down): the log loses entries
                # rather than the process its memory.
                self.dropped += 1
                return
            self._pending.append(entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="search-log", daemon=True)
                self._thread.start()
                atexit.register(self.close)

    def flush(self) -> None:
        with self._lock:
            entries, self._pending = self._pending, []
            dropped, self.dropped = self.dropped, 0
        if dropped:
            log.warning("search log: %d entries dropped, the database was not keeping up", dropped)
        self._write(entries)

    def _write(self, entries: list[feedback.SearchEntry]) -> None:
        """Write the batch in one transaction; when that fails, entry by entry, so one
        entry the database refuses costs only itself. Metrics never take the API down:
        what cannot be written is logged and dropped."""
        try:
            feedback.log_searches(self.engine, entries=entries)
            return
        except Exception:
            if len(entries) == 1:
                log.exception("could not write a search log entry")
                return
        lost = 0
        for entry in entries:
            try:
                feedback.log_searches(self.engine, entries=[entry])
            except Exception:
                if not lost:
                    log.exception("could not write a search log entry")
                lost += 1
        if lost:
            log.error("dropped %d of %d search log entries", lost, len(entries))

    def close(self) -> None:
        self._stop.set()
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()


@dataclass
class Backend:
    engine: Engine
    config: SupportConfig
    classifier: TextClassifier
    directory: DatabaseDirectory
    #: Seconds between writes of the buffered public search log (0: write each at once).
    search_log_interval: float = SEARCH_LOG_INTERVAL
    search_log: SearchLogBuffer = field(init=False)

    def __post_init__(self) -> None:
        self.search_log = SearchLogBuffer(self.engine, self.search_log_interval)


def make_backend(
    engine: Engine,
    *,
    content: Content,
    config: SupportConfig,
    clock: Callable[[], datetime],
    ttl: float = DIRECTORY_TTL,
    search_log_interval: float = SEARCH_LOG_INTERVAL,
) -> Backend:
    return Backend(
        engine=engine,
        config=config,
        classifier=classifier_models.live_classifier(engine, content),
        directory=DatabaseDirectory(engine, clock, ttl),
        search_log_interval=search_log_interval,
    )


def backend_of(conn: HTTPConnection) -> Backend:
    """The database backend, or 503 when the app runs without one (search-only)."""
    store = state_of(conn)["store"]
    if store is None:
        raise ApiError(503, "service_unavailable")
    return cast(Backend, store)
