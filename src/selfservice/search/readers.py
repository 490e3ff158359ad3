"""Per-thread readers of the live generation and their caches.

Each thread keeps one whoosh Searcher (a shared Searcher is not thread-safe) and
replaces it when the pointer or the index generation changes. ``Searcher.refresh()``
is never called (it is broken in whoosh-reloaded 2.7.5). Next to the searcher live the
thread's filter, idf and similarity-row caches; the vocabulary (for typos) and the
aligned vectors are shared by the threads reading the same index version.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import query as Q
from whoosh import scoring
from whoosh.searching import Searcher

from selfservice.search import vectors as vector_store
from selfservice.search.generations import Generations
from selfservice.search.meaning import Aligned, align
from selfservice.search.query_cores import QueryCores
from selfservice.search.ranking import NormCache, Ranker
from selfservice.search.schema import BM25_B, BM25_K1, KEY_FIELDS, PREFIX_BOOSTS
from selfservice.text.words import query_keys

#: Documents whose stored fields a reader state keeps decoded (popular answers recur).
STORED_CACHE = 512


@dataclass
class ReaderState:
    """Per-thread reader state."""

    version: int = -1
    searcher: Searcher | None = None
    checked: float = 0.0
    ranker: Ranker | None = None
    filters: dict[tuple[Any, ...], set[int]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    vectors: Aligned | None = None
    rows: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    pages: dict[str, set[str]] | None = None
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)
    snippets: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields, decoded once per reader (at most
        :data:`STORED_CACHE` kept): whoosh decompresses and unpickles them at every call,
        a sixth of a search's time in the index. Read-only: the dict is shared."""
        found = self.stored.get(docnum)
        if found is None:
            assert self.searcher is not None
            if len(self.stored) >= STORED_CACHE:
                self.stored.clear()
            found = self.stored[docnum] = self.searcher.stored_fields(docnum)
        return found


class Readers(Generations):
    """A :class:`Generations` that searches: per-thread reader state and its caches.

    Thread-safe for searching.
    """

    #: Readers look for a new generation at most this often (seconds); this process's own
    #: writes are seen at once.
    recheck_interval = 0.2

    def __init__(self, root: Path, *, semantic: bool = True) -> None:
        """``semantic=False`` ranks by words only (no model is loaded)."""
        super().__init__(root, semantic=semantic)
        self._local = threading.local()
        self._vocab: tuple[int, frozenset[str]] | None = None
        self._aligned: tuple[int, str, Aligned] | None = None
        self._norms: NormCache = {}
        self._query_cores = QueryCores()

    def close(self) -> None:
        with self._lock:
            local = getattr(self._local, "state", None)
            if local is not None and local.searcher is not None:
                local.searcher.close()
                local.searcher = None
            super().close()

    def _state(self) -> ReaderState:
        state: ReaderState | None = getattr(self._local, "state", None)
        if state is None:
            state = ReaderState()
            self._local.state = state
        now = time.monotonic()
        stale = state.searcher is None or state.version != self._version
        if not stale and now - state.checked >= self.recheck_interval:
            state.checked = now
            if self._stat_pointer() != self._pointer_stat:
                self._open_current()
                stale = True
            elif state.searcher is not None and not state.searcher.up_to_date():
                stale = True
            elif state.vectors is not None and state.vectors.stat != self._vectors_stat():
                state.vectors = None
                state.rows = {}
        if stale:
            with self._lock:
                if self._ix is None and not self._open_current():
                    raise FileNotFoundError(f"no search index in {self.root}")
                old = state.searcher
                state.searcher = self._ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
                if len(self._norms) > 256:
                    self._norms.clear()
                state.ranker = Ranker(state.searcher, BM25_K1, BM25_B, self._norms)
                state.version = self._version
                state.checked = now
                state.filters = {}
                state.idf = {}
                state.vectors = None
                state.rows = {}
                state.pages = None
                state.stored = {}
                state.snippets = {}
            if old is not None:
                old.close()
        assert state.searcher is not None
        return state

    def _vectors(self, state: ReaderState) -> Aligned | None:
        """The live generation's vectors aligned to this searcher's document numbers
        (shared by the threads reading the same index version)."""
        if not self.semantic:
            return None
        if state.vectors is not None:
            return state.vectors
        stat = self._vectors_stat()
        with self._lock:
            gen = self._gen or ""
            cached = self._aligned
            if cached is not None and cached[:2] == (state.version, gen):
                if cached[2].stat == stat:
                    state.vectors = cached[2]
                    return state.vectors
        vs = vector_store.load(self.root / gen) if stat is not None else None
        assert state.searcher is not None
        aligned = align(state.searcher.reader(), vs, stat)
        with self._lock:
            self._aligned = (state.version, gen, aligned)
        state.vectors = aligned
        return aligned

    def warm_up(self) -> None:
        """Load the Russian dictionaries, the length tables, the sentence model and the
        vectors now (optional).

        Otherwise the first queries after start pay for them (a second or two); the
        server calls this at start-up so that a customer never does.
        """
        state = self._state()
        query_keys("прогрев словарей warm up")
        assert state.ranker is not None
        state.ranker.warm((*KEY_FIELDS, *PREFIX_BOOSTS))
        aligned = self._vectors(state)
        if aligned is not None and len(aligned.docnums):
            self._get_encoder().query("warm up")

    def doc_count(self) -> int:
        return int(self._state().searcher.doc_count())  # type: ignore[union-attr]

    def _filter(
        self,
        state: ReaderState,
        lang: str | None,
        audience: str,
        kinds: Sequence[str] | None,
        services: Sequence[str] | None,
        types: Sequence[str] | None,
    ) -> set[int] | None:
        key = filter_key(lang, audience, kinds, services, types)
        cached = state.filters.get(key)
        if cached is not None:
            return cached
        parts: list[Any] = []
        if lang:
            parts.append(Q.Term("lang", lang))
        if audience != "internal":
            parts.append(Q.Term("audience", "public"))
        if kinds:
            parts.append(Q.Or([Q.Term("kind", k) for k in kinds]))
        if services:
            parts.append(Q.Or([Q.Term("service", s) for s in services]))
        if types:
            parts.append(Q.Or([Q.Term("type", t) for t in types]))
        if not parts:
            return None
        assert state.searcher is not None
        docs = set(state.searcher.docs_for_query(Q.And(parts)))
        if len(state.filters) > 64:
            state.filters.clear()
        state.filters[key] = docs
        return docs

    def _has_twin(self, state: ReaderState, docnum: int, lang: str) -> bool:
        """Whether the document has a version in ``lang``: an article's translation or
        a form's other language (they share the page they are published at)."""
        s = state.searcher
        assert s is not None
        if state.pages is None:
            pages: dict[str, set[str]] = {}
            for fields in s.all_stored_fields():
                if fields.get("path"):
                    pages.setdefault(fields.get("lang", ""), set()).add(fields["path"])
            state.pages = pages
        path = state.stored_fields(docnum).get("path")
        return bool(path) and path in state.pages.get(lang, set())

    def _idf(self, state: ReaderState, key: str) -> float:
        val = state.idf.get(key)
        if val is None:
            s = state.searcher
            assert s is not None
            n = max(1, s.doc_count())
            df = max(s.doc_frequency(f, key) for f in KEY_FIELDS)
            val = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            if len(state.idf) > 8192:  # per search thread; user words are unbounded
                state.idf.clear()
            state.idf[key] = val
        return val

    def _vocabulary(self, state: ReaderState) -> frozenset[str]:
        """Every key in the title, head and body fields of the searcher's index version.

        Built on the first typo, shared by all threads reading the same version.
        """
        with self._lock:
            cached = self._vocab
            if cached is not None and cached[0] == state.version:
                return cached[1]
        assert state.searcher is not None
        reader = state.searcher.reader()
        words: set[str] = set()
        for f in KEY_FIELDS:
            words.update(
                b.decode("utf-8") if isinstance(b, bytes) else str(b) for b in reader.lexicon(f)
            )
        vocab = frozenset(words)
        with self._lock:
            self._vocab = (state.version, vocab)
        return vocab


def filter_key(
    lang: str | None,
    audience: str,
    kinds: Sequence[str] | None,
    services: Sequence[str] | None,
    types: Sequence[str] | None,
) -> tuple[Any, ...]:
    return (
        lang,
        audience,
        tuple(sorted(kinds)) if kinds else None,
        tuple(sorted(services)) if services else None,
        tuple(sorted(types)) if types else None,
    )
