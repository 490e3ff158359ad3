"""Searches of the web process run on a few dedicated, warm threads."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from selfservice.search import Hit, SearchDoc, SearchIndex
from selfservice.web.search_pool import (
    THREAD_PREFIX,
    BusyLog,
    PinnedSearchIndex,
    encoding_slots,
    search_in_pool,
    suggest_in_pool,
)

DOWNLOAD = SearchDoc(
    key="article:download-video", type="article", ref="download-video", lang="en",
    audience="public", kind="faq", service="", title="How do I download a YouTube video?",
    body="Use a downloader add-on or the Download button of a Premium account.",
)
PRINTER = SearchDoc(
    key="article:printer-offline", type="article", ref="printer-offline", lang="en",
    audience="public", kind="faq", service="", title="The printer shows as offline",
    body="Check the cable or Wi-Fi, restart the print spooler and set the printer as default.",
)
#: shares no word (nor stem) with the answer: only the meaning finds it
PARAPHRASE = "save films from the streaming site for a flight"


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
        hits, _meaning = await search_in_pool(index, "пароль", lang="ru")
        suggestions = await suggest_in_pool(index, "паро", lang="ru")
        return [h.id for h in hits], [s.id for s in suggestions]

    try:
        assert asyncio.run(both(pinned)) == asyncio.run(both(search_index))
    finally:
        pinned.close()


def _busy_search(pinned: PinnedSearchIndex, query: str) -> tuple[list[str], bool]:
    """``query`` searched while both search threads are held by other work."""
    release = threading.Event()
    held = [pinned._pool().submit(release.wait, 10) for _ in range(PinnedSearchIndex.threads)]
    with ThreadPoolExecutor(1) as caller:
        answer = caller.submit(pinned.search_ranked, query, lang="en")
        for _ in range(1000):  # until the search is queued behind them
            if pinned._pool()._work_queue.qsize():
                break
            threading.Event().wait(0.005)
        threading.Event().wait(pinned.meaning_max_wait_s * 2)
        release.set()
        hits, by_meaning = answer.result(timeout=30)
    assert all(h.result() for h in held)
    return [h.id for h in hits], by_meaning


def test_a_search_that_waited_for_busy_threads_is_ranked_by_words_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    SearchIndex.open_or_build(tmp_path / "index", [DOWNLOAD, PRINTER]).close()
    pinned = PinnedSearchIndex.open(tmp_path / "index")
    pinned.meaning_max_wait_s = 0.05
    try:
        hits, by_meaning = pinned.search_ranked(PARAPHRASE, lang="en")
        assert by_meaning and [h.id for h in hits][:1] == ["download-video"]

        pinned._busy = BusyLog(every=0.0)  # say it at once
        ids, by_meaning = _busy_search(pinned, PARAPHRASE)
        assert not by_meaning and "download-video" not in ids
        assert "1 of 1 searches" in caplog.text and "ranked by words only" in caplog.text
        ids, by_meaning = _busy_search(pinned, "printer offline")
        assert not by_meaning and ids[:1] == ["printer-offline"]  # words still answer

        hits, by_meaning = pinned.search_ranked(PARAPHRASE, lang="en")  # not busy: meaning again
        assert by_meaning and [h.id for h in hits][:1] == ["download-video"]
    finally:
        pinned.close()


def test_an_index_without_the_meaning_signal_says_so(tmp_path: Path) -> None:
    SearchIndex.open_or_build(tmp_path / "index", [DOWNLOAD, PRINTER], semantic=False).close()
    pinned = PinnedSearchIndex.open(tmp_path / "index", semantic=False)
    try:
        hits, by_meaning = pinned.search_ranked("printer offline", lang="en")
        assert [h.id for h in hits][:1] == ["printer-offline"] and not by_meaning
        assert asyncio.run(search_in_pool(pinned, "printer offline"))[1] is False
    finally:
        pinned.close()


def test_a_search_that_would_encode_beyond_the_process_share_of_cores_is_ranked_by_words(
    tmp_path: Path,
) -> None:
    """Encodings beyond the cores slow each other and the searches queued behind them."""
    SearchIndex.open_or_build(tmp_path / "index", [DOWNLOAD, PRINTER]).close()
    pinned = PinnedSearchIndex.open(tmp_path / "index")
    known = f"{PARAPHRASE} on holiday"
    try:
        hits, by_meaning = pinned.search_ranked(known, lang="en")  # its vector is kept
        assert by_meaning and [h.id for h in hits][:1] == ["download-video"]
        pinned._take_encoding_slot()  # another query is being encoded
        hits, by_meaning = pinned.search_ranked(f"{PARAPHRASE} next week", lang="en")
        assert not by_meaning and "download-video" not in [h.id for h in hits]
        hits, by_meaning = pinned.search_ranked(known, lang="en")  # nothing to encode
        assert by_meaning and [h.id for h in hits][:1] == ["download-video"]
        pinned.encoding_slots = 2  # a process with two cores to itself
        hits, by_meaning = pinned.search_ranked(f"{PARAPHRASE} next month", lang="en")
        assert by_meaning and [h.id for h in hits][:1] == ["download-video"]
        assert pinned._encoding == 1  # the search gave its slot back
    finally:
        pinned.close()


def test_a_server_encodes_each_query_on_one_core(tmp_path: Path) -> None:
    from selfservice.text import encoder as encoder_module

    SearchIndex.open_or_build(tmp_path / "index", [DOWNLOAD, PRINTER]).close()
    pinned = PinnedSearchIndex.open(tmp_path / "index")
    try:
        pinned.encoding_slots = 2
        # the engine's path, on this thread, so that its OpenMP setting can be read
        hits = SearchIndex.search(pinned, f"{PARAPHRASE} {time.time_ns()}", lang="en")
        assert [h.id for h in hits][:1] == ["download-video"]
        assert encoder_module._omp and encoder_module._omp.omp_get_max_threads() == 1
    finally:
        pinned.close()


def test_each_worker_process_encodes_with_its_share_of_the_cores() -> None:
    assert encoding_slots(2, cores=2) == 1
    assert encoding_slots(1, cores=2) == 2
    assert encoding_slots(4, cores=2) == 1  # never none
    assert encoding_slots(2, cores=8) == 4
