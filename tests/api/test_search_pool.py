"""Searches of the web process run on a few dedicated, warm threads."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from selfservice.search import Hit, SearchIndex
from selfservice.web.search_pool import (
    THREAD_PREFIX,
    PinnedSearchIndex,
    search_in_pool,
    suggest_in_pool,
)


class Recording(SearchIndex):
    """Notes the thread each search runs on."""

    seen_threads: set[str]

    def search(self, query: str, **options: Any) -> list[Hit]:
        self.seen_threads.add(threading.current_thread().name)
        return super().search(query, **options)


class PinnedRecording(PinnedSearchIndex, Recording):
    pass


def test_pinned_searches_answer_like_the_index_on_dedicated_threads(
    fixture_kb: Path, search_index: SearchIndex
) -> None:
    pinned = PinnedRecording.open(fixture_kb.parent / "index")
    pinned.seen_threads = set()
    try:
        with ThreadPoolExecutor(8) as callers:
            answers = list(callers.map(lambda q: pinned.search(q, lang="ru"), ["пароль"] * 16))
        suggested = pinned.suggest("паро", lang="ru")
    finally:
        pinned.close()
    expected = [h.id for h in search_index.search("пароль", lang="ru")]
    assert expected and all([h.id for h in hits] == expected for hits in answers)
    assert 1 <= len(pinned.seen_threads) <= PinnedSearchIndex.threads
    assert all(name.startswith(THREAD_PREFIX) for name in pinned.seen_threads)
    assert [s.id for s in suggested] == [s.id for s in search_index.suggest("паро", lang="ru")]


def test_the_event_loop_hands_searches_to_the_pinned_threads(
    fixture_kb: Path, search_index: SearchIndex
) -> None:
    pinned = PinnedSearchIndex.open(fixture_kb.parent / "index")

    async def both(index: SearchIndex) -> tuple[list[str], list[str]]:
        hits = await search_in_pool(index, "пароль", lang="ru")
        suggestions = await suggest_in_pool(index, "паро", lang="ru")
        return [h.id for h in hits], [s.id for s in suggestions]

    try:
        assert asyncio.run(both(pinned)) == asyncio.run(both(search_index))
    finally:
        pinned.close()
