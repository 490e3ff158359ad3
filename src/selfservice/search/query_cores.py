"""How many cores a search's query encoding may use.

A query is encoded on two threads when the process has the cores to itself (10k
benchmark index, searches back to back: p50 15.2 → 10.7-11.6 ms) and on one while other
searches of the process are encoding: more threads than cores only make every encoding
wait for its slowest thread. A server limits its searches to one core each
(``SearchIndex.limit_query_cores``; ``web/search_pool.py`` says why).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from selfservice.text.encoder import MAX_QUERY_THREADS


def process_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class QueryCores:
    """The cores of one process shared by the searches that encode at the same time."""

    def __init__(self, cores: int | None = None) -> None:
        self.cores = cores if cores is not None else process_cores()
        self._lock = threading.Lock()
        self._in_use = 0

    @contextmanager
    def reserve(self) -> Iterator[int]:
        """The threads one query may be encoded with: what the other searches leave
        free, at least one."""
        with self._lock:
            n = max(1, min(MAX_QUERY_THREADS, self.cores - self._in_use))
            self._in_use += n
        try:
            yield n
        finally:
            with self._lock:
                self._in_use -= n
