"""Unique queries must not grow the server's memory: every per-word cache is bounded."""

from datetime import UTC, datetime
from pathlib import Path

from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.services.feedback import SearchEntry
from selfservice.text import words as analysis
from selfservice.text.words import QUERY_CACHE, keys, query_keys
from selfservice.web.backend import SearchLogBuffer


def test_unique_query_words_stay_out_of_the_document_caches() -> None:
    title = "Сбросить пароль виртуальной машины"
    assert keys(title) == ["сбросить", "пароль", "виртуальный", "машина"]
    known = len(analysis._document_keys)
    for i in range(QUERY_CACHE + 1000):
        # a typo-like word never seen before, in each language
        assert query_keys(f"парол{i}ь reset pasword{i}")
    assert len(analysis._document_keys) == known
    assert analysis._query_key.cache_info().currsize <= QUERY_CACHE
    # a knowledge base word typed in a query is still answered from the documents' cache
    assert query_keys("пароль") == [("пароль", "пароль")]


def test_the_search_log_buffer_drops_entries_instead_of_growing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    migrate.upgrade_engine(engine)
    buffer = SearchLogBuffer(engine, interval=3600)
    buffer.max_pending = 100
    entry = SearchEntry(datetime.now(UTC), "vpn", "en", True, 1, None)
    for _ in range(250):
        buffer.add(entry)
    assert len(buffer._pending) == 100
    assert buffer.dropped == 150
    buffer.close()
    assert buffer._pending == []
    engine.dispose()
