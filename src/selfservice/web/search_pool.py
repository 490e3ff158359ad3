"""Searches on a few dedicated threads per process; words only when they are all busy.

Whoosh search is CPU-bound Python: threads give no parallelism under the GIL, and each
thread that searches keeps its own reader state (searcher, filter and idf caches). Run
from Starlette's thread pool, a burst spreads searches over dozens of threads, each
warming its own caches while fighting the others for the GIL, and the tail latency
explodes. :class:`PinnedSearchIndex` sends every search of the process to ``threads``
dedicated threads whose caches stay warm; the callers (the thread pool, conversation
turns) wait for the answer. Two, so one slow query does not hold up every other search.
Scale with worker processes. (bench/api_bench.py, 2 workers, 200 searches/s: p99
44-48 ms pinned against 124-180 ms from the shared thread pool.)

The meaning model costs a query about 1.5 ms of one core per token (13 ms for three
words, 35 ms for a sentence), ten times the rest of a search. When searches arrive
faster than the cores encode them, they queue, and every one behind waits for all the
encodings ahead: at 200 searches/s on two cores the wait grew to seconds. So a search
that waited longer than ``meaning_max_wait_s`` for a thread is ranked by words only: it
answers in a few milliseconds, the queue drains, and the searches after it get the
meaning again. Likewise a search whose query must be encoded while the process already
encodes as many queries as it has cores (its share of the machine's cores): more
encodings at once only make each slower, and the searches queued behind them too
(bench/api_bench.py, 2 workers on 2 cores, 200 searches/s, back to back: p50 51-60 ms
when both threads of each process could encode, 20-31 ms with one encoding each). The
answer says which it got (``meaning`` in ``/api/v1/search``), and the log says how often
it happens (:class:`BusyLog`), so an operator knows to add cores or workers.
"""

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from selfservice.search import Hit, SearchIndex, Suggestion

THREAD_PREFIX = "search"
#: How many worker processes ``selfservice serve`` started (it sets this for them).
WORKERS_ENV = "SELFSERVICE_SERVE_WORKERS"
#: The default of SELFSERVICE_SEARCH_MEANING_MAX_WAIT_MS, in seconds.
MEANING_MAX_WAIT_S = 0.02

log = logging.getLogger(__name__)


class BusyLog:
    """Counts searches ranked by words only because the threads were busy, and says so
    in the log at most once per ``every`` seconds."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self.lock = threading.Lock()
        self.since = time.monotonic()
        self.searches = 0
        self.by_words = 0

    def note(self, by_words: bool, max_wait_s: float) -> None:
        with self.lock:
            self.searches += 1
            self.by_words += by_words
            now = time.monotonic()
            if now - self.since < self.every:
                return
            searches, by_words_count, seconds = self.searches, self.by_words, now - self.since
            self.since, self.searches, self.by_words = now, 0, 0
        if by_words_count:
            log.warning(
                "search: %d of %d searches in the last %.0f s waited over %.0f ms for a "
                "search thread or for the meaning model and were ranked by words only; "
                "the server needs more cores or worker processes (--workers)",
                by_words_count, searches, seconds, max_wait_s * 1000,
            )


class PinnedSearchIndex(SearchIndex):
    """A :class:`SearchIndex` whose ``search`` and ``suggest`` run on dedicated threads."""

    threads = 2
    #: A search that waited longer than this for a thread is ranked by words only.
    meaning_max_wait_s = MEANING_MAX_WAIT_S
    #: Queries of this process encoded at the same time (the encoder uses one core for
    #: each): a search that would be one more is ranked by words only. The server sets
    #: it to its share of the cores (:func:`encoding_slots`). A server's query never gets
    #: two cores, though a lone search in a benchmark answers sooner with them
    #: (``search/query_cores.py``): searches that arrive apart found the second core
    #: asleep (the encoder alone, a query 0.2 s after the last: 15.9-18.3 ms on two
    #: threads against 14.6-16.1 on one), and those that arrive together need a core
    #: each (``bench/api_bench.py --workers 1 --fresh --search-rate 50``, two cores for
    #: whoever came first: 68-80 % ranked by meaning instead of 100 %, p50 no better).
    encoding_slots = 1

    def __init__(self, root: Path, *, semantic: bool = True) -> None:
        super().__init__(root, semantic=semantic)
        self.limit_query_cores(1)  # see encoding_slots

    def _pool(self) -> ThreadPoolExecutor:
        pool: ThreadPoolExecutor | None = getattr(self, "_pinned_pool", None)
        if pool is None:
            with self._lock:
                pool = getattr(self, "_pinned_pool", None)
                if pool is None:
                    pool = ThreadPoolExecutor(self.threads, thread_name_prefix=THREAD_PREFIX)
                    self._encoding_lock = threading.Lock()
                    self._encoding = 0  # queries being encoded
                    self._busy = BusyLog()
                    self._pinned_pool = pool
        return pool

    def _ranked(self, submitted: float, query: str, options: dict[str, Any]) -> tuple[
        list[Hit], bool
    ]:
        """Runs on a search thread: the hits, and whether the meaning ranked them."""
        late = time.monotonic() - submitted > self.meaning_max_wait_s
        ready = self.meaning_state() == "ready"
        slot = False
        if ready and not late and not self._get_encoder().knows_query(query):
            slot = self._take_encoding_slot()
            late = not slot
        try:
            if ready:
                self._busy.note(late, self.meaning_max_wait_s)
            hits = super().search(query, meaning=not late, **options)
        finally:
            if slot:
                with self._encoding_lock:
                    self._encoding -= 1
        return hits, ready and not late

    def _take_encoding_slot(self) -> bool:
        with self._encoding_lock:
            if self._encoding >= self.encoding_slots:
                return False
            self._encoding += 1
            return True

    def _submit(self, query: str, options: dict[str, Any]) -> "Future[tuple[list[Hit], bool]]":
        return self._pool().submit(self._ranked, time.monotonic(), query, options)

    def search_ranked(self, query: str, **options: Any) -> tuple[list[Hit], bool]:
        """:meth:`search`, and whether the meaning signal ranked the hits."""
        if threading.current_thread().name.startswith(THREAD_PREFIX):
            return super().search(query, **options), self.meaning_state() == "ready"
        return self._submit(query, options).result()

    def search(self, query: str, **options: Any) -> list[Hit]:
        return self.search_ranked(query, **options)[0]

    def suggest(self, prefix: str, **options: Any) -> list[Suggestion]:
        if threading.current_thread().name.startswith(THREAD_PREFIX):
            return super().suggest(prefix, **options)
        return self._pool().submit(super().suggest, prefix, **options).result()

    def close(self) -> None:
        pool: ThreadPoolExecutor | None = getattr(self, "_pinned_pool", None)
        if pool is not None:
            pool.shutdown(wait=True)
        super().close()


def encoding_slots(workers: int, cores: int | None = None) -> int:
    """A worker process's share of the machine's cores for encoding queries (at least
    one): two workers on two cores encode one query each at a time."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1)
    return max(1, cores // max(1, workers))


async def search_in_pool(
    index: SearchIndex, query: str, **options: Any
) -> tuple[list[Hit], bool]:
    """``index.search`` off the event loop, and whether the meaning signal ranked the
    hits: straight on a pinned thread when there is one (one thread hop instead of two),
    else in Starlette's thread pool."""
    if isinstance(index, PinnedSearchIndex):
        return await asyncio.wrap_future(index._submit(query, options))
    hits = await run_in_threadpool(index.search, query, **options)
    return hits, index.meaning_state() == "ready"


async def suggest_in_pool(index: SearchIndex, prefix: str, **options: Any) -> list[Suggestion]:
    """``index.suggest`` off the event loop, like :func:`search_in_pool`."""
    if isinstance(index, PinnedSearchIndex):
        future = index._pool().submit(SearchIndex.suggest, index, prefix, **options)
        return await asyncio.wrap_future(future)
    return await run_in_threadpool(index.suggest, prefix, **options)
