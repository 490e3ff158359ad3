"""Searches on a few dedicated threads per process.

Whoosh search is CPU-bound Python: threads give no parallelism under the GIL, and each
thread that searches keeps its own reader state (searcher, filter and idf caches). Run
from Starlette's thread pool, a burst spreads searches over dozens of threads, each
warming its own caches while fighting the others for the GIL, and the tail latency
explodes. :class:`PinnedSearchIndex` sends every search of the process to ``threads``
dedicated threads whose caches stay warm; the callers (the thread pool, conversation
turns) wait for the answer. Two, so one slow query does not hold up every other search.
Scale with worker processes. (bench/api_bench.py, 2 workers, 200 searches/s: p99
44-48 ms pinned against 124-180 ms from the shared thread pool.)
"""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.concurrency import run_in_threadpool

from selfservice.search import Hit, SearchIndex, Suggestion

THREAD_PREFIX = "search"


class PinnedSearchIndex(SearchIndex):
    """A :class:`SearchIndex` whose ``search`` and ``suggest`` run on dedicated threads."""

    threads = 2

    def _pool(self) -> ThreadPoolExecutor:
        pool: ThreadPoolExecutor | None = getattr(self, "_pinned_pool", None)
        if pool is None:
            with self._lock:
                pool = getattr(self, "_pinned_pool", None)
                if pool is None:
                    pool = ThreadPoolExecutor(self.threads, thread_name_prefix=THREAD_PREFIX)
                    self._pinned_pool = pool
        return pool

    def search(self, query: str, **options: Any) -> list[Hit]:
        if threading.current_thread().name.startswith(THREAD_PREFIX):
            return super().search(query, **options)
        return self._pool().submit(super().search, query, **options).result()

    def suggest(self, prefix: str, **options: Any) -> list[Suggestion]:
        if threading.current_thread().name.startswith(THREAD_PREFIX):
            return super().suggest(prefix, **options)
        return self._pool().submit(super().suggest, prefix, **options).result()

    def close(self) -> None:
        pool: ThreadPoolExecutor | None = getattr(self, "_pinned_pool", None)
        if pool is not None:
            pool.shutdown(wait=True)
        super().close()


async def search_in_pool(index: SearchIndex, query: str, **options: Any) -> list[Hit]:
    """``index.search`` off the event loop: straight on a pinned thread when there is one
    (one thread hop instead of two), else in Starlette's thread pool."""
    if isinstance(index, PinnedSearchIndex):
        future = index._pool().submit(SearchIndex.search, index, query, **options)
        return await asyncio.wrap_future(future)
    return await run_in_threadpool(index.search, query, **options)


async def suggest_in_pool(index: SearchIndex, prefix: str, **options: Any) -> list[Suggestion]:
    """``index.suggest`` off the event loop, like :func:`search_in_pool`."""
    if isinstance(index, PinnedSearchIndex):
        future = index._pool().submit(SearchIndex.suggest, index, prefix, **options)
        return await asyncio.wrap_future(future)
    return await run_in_threadpool(index.suggest, prefix, **options)
