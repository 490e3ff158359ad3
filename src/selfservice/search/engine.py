"""The search index: whoosh BM25F over articles and request forms, with a safe lifecycle.

Layout of ``index_dir``::

    index_dir/CURRENT            name of the live generation (replaced atomically)
    index_dir/gen-<id>/          one complete whoosh index + META.json

* **Rebuild** writes a whole new generation next to the live one and then swaps
  ``CURRENT`` with ``os.replace``: readers (in this process or another one, such as the
  web server while ``selfservice index`` runs) keep answering from the old generation
  until they notice the new pointer, and never see a half-written index.
* **Sync** updates the live generation in place with whoosh's atomic commits, rewriting
  only the documents whose content hash changed.
* **Readers** keep one whoosh Searcher per thread (a shared Searcher is not thread-safe)
  and replace it when the pointer or the index generation changes. ``Searcher.refresh()``
  is never called (it is broken in whoosh-reloaded 2.7.5).

Ranking: every query word is looked up as its morphological key in the ``title``,
``head`` (symptoms, summary, tags) and ``body`` (text, steps and checks, form field
labels and help) fields, as its coarse 5-letter prefix in ``pre`` (a second, fuzzier
lexical signal over the whole document that joins derivations such as
"подключение"/"подключить"), and through thesaurus concepts in ``con``; typos in short
queries add corrections. BM25 per field with the boosts below, summed (``ranking.py``
accumulates it over whoosh's postings). For languages a sentence model covers
(``semantic.py``), the score is mixed with the cosine similarity of the query's and the
document's vectors (``vectors.py`` keeps them per generation, next to the whoosh files).
Each hit gets a confidence (``confidence.py``).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring
from whoosh.fields import ID, STORED, Schema
from whoosh.searching import Searcher

from selfservice.content.model import Content
from selfservice.search import vectors as vector_store
from selfservice.search.analysis import (
    EDGE_MAX,
    EDGE_MIN,
    PART_SEPARATOR,
    ConceptAnalyzer,
    EdgeAnalyzer,
    FastText,
    KeyAnalyzer,
    PrefixAnalyzer,
    fold,
    query_concepts,
    query_keys,
    query_word_key,
    split_words,
    word_prefix,
)
from selfservice.search.confidence import NORM_SCALE, THRESHOLD, Features, confidence, coverage
from selfservice.search.documents import ARTICLE, FORM, SearchDoc, docs_from_content, unique
from selfservice.search.ranking import Leaf, NormCache, Ranker
from selfservice.search.semantic import LANGS as SEMANTIC_LANGS
from selfservice.search.semantic import Encoder, shared_encoder
from selfservice.search.snippets import Highlighter

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "Hit",
    "Progress",
    "SearchIndex",
    "Suggestion",
    "SyncReport",
]

#: Bump when the analysis changes (stop words, morphology, thesaurus): older indexes are
#: then rebuilt on open. Schema changes are noticed on their own (see ``_fingerprint``).
ANALYSIS_VERSION = 1

#: Query-time weight of each field holding morphological keys (BM25F per field, summed).
#: ``head`` holds symptoms, summary and tags; ``body`` the text, the steps (articles) or
#: the field labels and help (forms).
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "head": 1.6, "body": 1.0}
#: Weight of the coarse prefix signal (``analysis.PREFIX_LEN``) over the whole document.
PREFIX_BOOSTS: dict[str, float] = {"pre": 1.0}
#: Weight of thesaurus concepts (``thesaurus.py``).
CONCEPT_WEIGHT = 0.3
#: Weight of a typo correction relative to a word typed correctly.
TYPO_WEIGHT = 0.8
#: Queries with at most this many content words get typo correction.
TYPO_MAX_WORDS = 4
#: Share of the meaning signal (``semantic.py``) in the ranking score: the BM25F score
#: divided by the query's best and the cosine similarity min-max scaled over the
#: searched documents are mixed ``(1 - w) : w``. A document the model has no vector for
#: (a language it does not cover) keeps its scaled BM25F score.
SEMANTIC_WEIGHT = 0.7
#: A document that matches no query word is a candidate only when its cosine similarity
#: passes the query's similarity to unrelated passages (``Encoder.unrelated``) by this.
MIN_SIMILARITY_GAIN = 0.02
#: A hit that matched no query word is confident only this far above that floor: the
#: lexical confidence features know nothing of it.
CONFIDENT_SIMILARITY_GAIN = 0.06
#: BM25 parameters.
BM25_K1 = 1.2
BM25_B = 0.75

#: A hit whose confidence reaches this is "confident enough to suggest" (one global value
#: for every corpus; see ``confidence.py``).
CONFIDENCE_THRESHOLD = THRESHOLD

#: Characters of the text kept (stored) for snippets.
EXCERPT_CHARS = 2000

_POINTER = "CURRENT"
_META = "META.json"
_KEY_FIELDS = tuple(FIELD_BOOSTS)

Progress = Callable[[int, int], None]


def make_schema() -> Schema:
    key = KeyAnalyzer()
    pre = PrefixAnalyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        ref=ID(stored=True),
        lang=ID(stored=True),
        audience=ID(stored=True),
        kind=ID(stored=True),
        service=ID(stored=True),
        path=STORED(),
        hash=STORED(),
        summary=STORED(),
        symptoms=STORED(),
        title=FastText(key, stored=True),
        head=FastText(key),
        body=FastText(key),
        excerpt=STORED(),
        pre=FastText(pre),
        con=FastText(ConceptAnalyzer()),
        ac=FastText(EdgeAnalyzer()),
    )


#: Rebuilds of at least this many documents use two worker processes.
PARALLEL_MIN_DOCS = 3000


def _writer_options(n_docs: int) -> dict[str, Any]:
    """Whoosh writer options for a full build of ``n_docs`` documents.

    Big builds use whoosh's multiprocessing writer (two processes, one segment each),
    which roughly halves the wall time on two cores. It forks, so it is only used from a
    single-threaded process (the ``selfservice index`` command, a fresh server start);
    anything else builds in-process.
    """
    cpus = os.cpu_count() or 1
    if (
        n_docs >= PARALLEL_MIN_DOCS
        and cpus >= 2
        and hasattr(os, "fork")
        and threading.active_count() == 1
    ):
        return {"procs": 2, "limitmb": 128, "multisegment": True}
    return {"limitmb": 256}


def _fingerprint() -> str:
    """Identifies the schema and analysis an index was built with."""
    schema = make_schema()
    parts = [f"analysis={ANALYSIS_VERSION}"]
    for name in sorted(schema.names()):
        fieldobj = schema[name]
        analyzer = getattr(fieldobj, "analyzer", None)
        parts.append(f"{name}:{type(fieldobj).__name__}:{type(analyzer).__name__}")
    return hashlib.sha1(";".join(parts).encode()).hexdigest()[:16]


def _index_fields(doc: SearchDoc, digest: str) -> dict[str, str]:
    head = "\n".join(t for t in (doc.symptoms, doc.summary, doc.tags) if t)
    rest = "\n".join(t for t in (doc.body, doc.details) if t)
    # joined with PART_SEPARATOR so that the analysis of each part is reused
    everything = PART_SEPARATOR.join((doc.title, head, rest))
    return {
        "key": doc.key,
        "type": doc.type,
        "ref": doc.ref,
        "lang": doc.lang,
        "audience": doc.audience,
        "kind": doc.kind,
        "service": doc.service,
        "path": doc.path,
        "hash": digest,
        "summary": doc.summary,
        "symptoms": doc.symptoms,
        "title": doc.title,
        "head": head,
        "body": rest,
        "excerpt": rest[:EXCERPT_CHARS],
        "pre": everything,
        "con": everything,
        "ac": PART_SEPARATOR.join((doc.title, doc.symptoms)),
    }


@dataclass(frozen=True)
class Hit:
    """One search result.

    ``score`` is the ranking score: BM25F, mixed with the meaning similarity for the
    languages that have vectors (comparable within one query only). ``confidence``
    is in [0, 1] and comparable across queries and corpora; ``confident`` is
    ``confidence >= CONFIDENCE_THRESHOLD``: suggest it, or say "nothing relevant".
    ``snippet`` is HTML: escaped text with the matched words in ``<mark>``.
    """

    type: str
    id: str
    title: str
    snippet: str
    score: float
    confidence: float
    confident: bool
    lang: str
    kind: str
    service: str
    path: str
    url: str
    summary: str = ""


@dataclass(frozen=True)
class Suggestion:
    """An as-you-type completion: a document whose title or symptoms start like the input."""

    type: str
    id: str
    title: str
    lang: str
    path: str
    url: str
    score: float


@dataclass(frozen=True)
class SyncReport:
    """Document keys added, updated (content changed) and removed by :meth:`SearchIndex.sync`."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        """Documents written to the index (unchanged ones are never rewritten)."""
        return len(self.added) + len(self.updated)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class _Local:
    """Per-thread reader state."""

    version: int = -1
    searcher: Searcher | None = None
    checked: float = 0.0
    ranker: Ranker | None = None
    filters: dict[tuple[Any, ...], set[int]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    vectors: _Aligned | None = None
    rows: dict[tuple[Any, ...], Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Aligned:
    """A generation's vectors in whoosh document-number order (rows of unit vectors;
    ``docnums[i]`` is the document of row ``i``)."""

    stat: tuple[int, int] | None
    docnums: Any
    matrix: Any
    row_of: Any  # docnum -> row, -1 when the document has no vector


@dataclass(frozen=True)
class _Meaning:
    """A query's similarities: ``scaled[i]`` (min-max over the searched documents) and
    ``raw[i]`` (cosine) of document ``docnums[i]``; ``pos_of[docnum]`` is ``i`` or -1;
    ``floor`` the similarity a document must reach to be near by meaning alone."""

    docnums: Any
    scaled: Any
    raw: Any
    pos_of: Any
    floor: float


@dataclass(frozen=True)
class _Term:
    """A query term; typo corrections share the ``group`` of the word they correct."""

    norm: str
    key: str
    weight: float
    group: int


def _as_docs(source: Content | Iterable[SearchDoc]) -> dict[str, SearchDoc]:
    if isinstance(source, Content):
        return unique(docs_from_content(source))
    return unique(source)


class SearchIndex:
    """Search over one index directory; see the module docs for the lifecycle.

    Create with :meth:`open_or_build`. Thread-safe for searching; writes (sync, rebuild)
    should come from one place at a time (a second concurrent writer gets whoosh's
    ``LockError``).
    """

    #: Readers look for a new generation at most this often (seconds); this process's own
    #: writes are seen at once.
    recheck_interval = 0.2

    def __init__(self, root: Path, *, semantic: bool = True) -> None:
        """``semantic=False`` ranks by words only (no model is loaded)."""
        self.root = Path(root)
        self.semantic = semantic
        self._encoder: Encoder | None = None
        self._lock = threading.RLock()
        self._local = threading.local()
        self._ix: Any = None
        self._gen: str | None = None
        self._pointer_stat: tuple[int, int, int] | None = None
        self._version = 0
        self._vocab: tuple[int, frozenset[str]] | None = None
        self._aligned: tuple[int, str, _Aligned] | None = None
        self._norms: NormCache = {}

    # ---- lifecycle ---------------------------------------------------------------------

    @classmethod
    def open_or_build(
        cls,
        index_dir: Path,
        content: Content | Iterable[SearchDoc],
        progress: Progress | None = None,
        *,
        semantic: bool = True,
    ) -> SearchIndex:
        """Open the index in ``index_dir`` and bring it up to date with ``content``.

        A missing, unreadable or outdated (older schema) index is rebuilt from scratch;
        an existing one is synced (only changed documents are rewritten).
        """
        self = cls(index_dir, semantic=semantic)
        if self._open_current():
            self.sync(content)
        else:
            self.rebuild(content, progress=progress)
        return self

    @classmethod
    def open(cls, index_dir: Path, *, semantic: bool = True) -> SearchIndex:
        """Open an existing index read-only; raises FileNotFoundError when there is none."""
        self = cls(index_dir, semantic=semantic)
        if not self._open_current():
            raise FileNotFoundError(f"no search index in {index_dir}")
        return self

    def _read_pointer(self) -> str | None:
        try:
            name = (self.root / _POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _stat_pointer(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.root / _POINTER)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open_current(self) -> bool:
        """Open the generation CURRENT names; False if there is no usable one."""
        with self._lock:
            stat = self._stat_pointer()
            name = self._read_pointer()
            if name is None:
                return False
            gen_dir = self.root / name
            try:
                meta = json.loads((gen_dir / _META).read_text(encoding="utf-8"))
                if meta.get("fingerprint") != _fingerprint():
                    return False
                ix = whoosh_index.open_dir(str(gen_dir))
            except Exception:  # any unreadable index is simply rebuilt
                return False
            old = self._ix
            self._ix, self._gen, self._pointer_stat = ix, name, stat
            self._version += 1
            if old is not None:
                old.close()
            return True

    def rebuild(
        self,
        content: Content | Iterable[SearchDoc],
        progress: Progress | None = None,
        *,
        vectors: bool = True,
    ) -> int:
        """Build a fresh generation from ``content`` and swap it in atomically.

        ``progress(done, total)`` is called as documents are added and then as their
        vectors are computed (vectors of unchanged documents are reused from the live
        generation). With ``vectors=False`` the generation goes live with words only and
        :meth:`update_vectors` adds the meaning signal later. Returns the number of
        documents indexed.
        """
        docs = _as_docs(content)
        hashes = {k: d.content_hash() for k, d in docs.items()}
        with_vectors = vectors and self.semantic
        n_vec = sum(1 for d in docs.values() if d.lang in SEMANTIC_LANGS) if with_vectors else 0
        grand = len(docs) + n_vec
        previous = self._live_vectors() if with_vectors else None
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns():x}-{os.getpid()}"
        gen_dir = self.root / name
        gen_dir.mkdir()
        try:
            ix = whoosh_index.create_in(str(gen_dir), make_schema())
            writer = ix.writer(**_writer_options(len(docs)))
            total = len(docs)
            try:
                for n, doc in enumerate(docs.values(), 1):
                    writer.add_document(**_index_fields(doc, hashes[doc.key]))
                    if progress is not None and (n % 50 == 0 or n == total):
                        progress(n, grand)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            ix.close()
            if with_vectors:
                step = (lambda d, _t: progress(total + d, grand)) if progress else None
                vs = vector_store.update(self._get_encoder(), docs, hashes, previous, step)
                vector_store.save(gen_dir, vs)
            (gen_dir / _META).write_text(
                json.dumps({"fingerprint": _fingerprint(), "documents": total}),
                encoding="utf-8",
            )
            tmp = self.root / f"{_POINTER}.{name}.tmp"
            tmp.write_text(name + "\n", encoding="utf-8")
            os.replace(tmp, self.root / _POINTER)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
        if progress is not None and not docs:
            progress(0, 0)
        self._open_current()
        self._cleanup(keep={name})
        return len(docs)

    def _cleanup(self, keep: set[str]) -> None:
        """Remove generations older than the live one and the one before it.

        The previous generation stays so that a reader that opened it just before the
        swap finishes its work; on the next rebuild it goes.
        """
        gens = sorted(
            (p for p in self.root.glob("gen-*") if p.is_dir()),
            key=lambda p: p.stat().st_mtime_ns,
        )
        survivors = [g for g in gens if g.name not in keep][-1:]
        for g in gens:
            if g.name in keep or g in survivors:
                continue
            shutil.rmtree(g, ignore_errors=True)

    def sync(self, content: Content | Iterable[SearchDoc]) -> SyncReport:
        """Bring the live index in line with ``content``, rewriting only what changed."""
        docs = _as_docs(content)
        with self._lock:
            if self._ix is None and not self._open_current():
                self.rebuild(docs.values())
                return SyncReport(added=tuple(sorted(docs)))
            ix = self._ix
            stored: dict[str, str] = {}
            with ix.searcher() as s:
                for fields in s.all_stored_fields():
                    stored[fields["key"]] = fields.get("hash", "")
            hashes = {k: d.content_hash() for k, d in docs.items()}
            added = sorted(k for k in docs if k not in stored)
            updated = sorted(k for k in docs if k in stored and stored[k] != hashes[k])
            removed = sorted(k for k in stored if k not in docs)
            report = SyncReport(tuple(added), tuple(updated), tuple(removed))
            if report.changed:
                writer = ix.writer(timeout=30.0)
                try:
                    for k in removed:
                        writer.delete_by_term("key", k)
                    for k in added:
                        writer.add_document(**_index_fields(docs[k], hashes[k]))
                    for k in updated:
                        writer.update_document(**_index_fields(docs[k], hashes[k]))
                    writer.commit()
                except BaseException:
                    writer.cancel()
                    raise
                self._version += 1
        self._publish_vectors(docs, hashes)
        return report

    def update_vectors(
        self, content: Content | Iterable[SearchDoc], progress: Progress | None = None
    ) -> int:
        """Compute the vectors the live generation lacks for ``content`` and publish them.

        Rebuild and sync do this themselves; call it after ``rebuild(vectors=False)``.
        Returns the number of documents with a vector.
        """
        docs = _as_docs(content)
        return self._publish_vectors(docs, {k: d.content_hash() for k, d in docs.items()}, progress)

    def _publish_vectors(
        self,
        docs: dict[str, SearchDoc],
        hashes: dict[str, str],
        progress: Progress | None = None,
    ) -> int:
        if not self.semantic:
            return 0
        with self._lock:
            gen = self._gen
        if gen is None:
            raise FileNotFoundError(f"no search index in {self.root}")
        previous = vector_store.load(self.root / gen)
        vs = vector_store.update(self._get_encoder(), docs, hashes, previous, progress)
        if previous is None or vs.keys != previous.keys or vs.hashes != previous.hashes:
            vector_store.save(self.root / gen, vs)
        return len(vs.keys)

    def _get_encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = shared_encoder()
        return self._encoder

    def _live_vectors(self) -> vector_store.VectorSet | None:
        with self._lock:
            gen = self._gen if self._ix is not None else self._read_pointer()
        return vector_store.load(self.root / gen) if gen else None

    def close(self) -> None:
        with self._lock:
            local = getattr(self._local, "state", None)
            if local is not None and local.searcher is not None:
                local.searcher.close()
                local.searcher = None
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    @property
    def generation(self) -> str | None:
        """Name of the generation this process reads from."""
        return self._gen

    # ---- readers -----------------------------------------------------------------------

    def _state(self) -> _Local:
        state: _Local | None = getattr(self._local, "state", None)
        if state is None:
            state = _Local()
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
            if old is not None:
                old.close()
        assert state.searcher is not None
        return state

    def _vectors_stat(self) -> tuple[int, int] | None:
        gen = self._gen
        if gen is None:
            return None
        try:
            st = os.stat(self.root / gen / vector_store.FILE)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _vectors(self, state: _Local) -> _Aligned | None:
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
        reader = state.searcher.reader()
        row_of = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        if vs is not None and vs.keys:
            pos = {k: i for i, k in enumerate(vs.keys)}
            for docnum, fields in reader.iter_docs():
                i = pos.get(fields.get("key", ""))
                if i is not None:
                    row_of[docnum] = i
        matrix = vs.vectors if vs is not None else np.zeros((0, 0), dtype=np.float32)
        aligned = _Aligned(stat, np.flatnonzero(row_of >= 0), matrix, row_of)
        with self._lock:
            self._aligned = (state.version, gen, aligned)
        state.vectors = aligned
        return aligned

    def _similarities(
        self, state: _Local, aligned: _Aligned, query: str, allowed: set[int] | None, key: Any
    ) -> _Meaning | None:
        """Cosine similarity of every allowed document that has a vector to the query
        (encoded only when there is such a document)."""
        cached = state.rows.get(key)
        if cached is None:
            docnums = aligned.docnums
            if allowed is not None:
                # int64 even when empty: an empty float array cannot index (a filter
                # that leaves no document of the other language)
                docnums = np.array(
                    sorted(d for d in allowed if d < len(aligned.row_of)), dtype=np.int64
                )
                docnums = docnums[aligned.row_of[docnums] >= 0] if len(docnums) else docnums
            pos_of = np.full(len(aligned.row_of), -1, dtype=np.int64)
            pos_of[docnums] = np.arange(len(docnums))
            cached = (docnums, aligned.row_of[docnums] if len(docnums) else docnums, pos_of)
            if len(state.rows) > 64:
                state.rows.clear()
            state.rows[key] = cached
        docnums, rows, pos_of = cached
        if not len(docnums):
            return None
        encoder = self._get_encoder()
        vector = encoder.query(query)
        raw = aligned.matrix[rows] @ vector
        lo, hi = float(raw.min()), float(raw.max())
        scaled = (raw - lo) / (hi - lo) if hi > lo else np.zeros_like(raw)
        floor = encoder.unrelated(vector) + MIN_SIMILARITY_GAIN
        return _Meaning(docnums, scaled, raw, pos_of, floor)

    def warm_up(self) -> None:
        """Load the Russian dictionaries, the length tables, the sentence model and the
        vectors now (optional).

        Otherwise the first queries after start pay for them (a second or two); the
        server calls this at start-up so that a customer never does.
        """
        state = self._state()
        query_keys("прогрев словарей warm up")
        assert state.ranker is not None
        state.ranker.warm((*_KEY_FIELDS, *PREFIX_BOOSTS))
        aligned = self._vectors(state)
        if aligned is not None and len(aligned.docnums):
            self._get_encoder().query("warm up")

    def doc_count(self) -> int:
        return int(self._state().searcher.doc_count())  # type: ignore[union-attr]

    def _filter(
        self,
        state: _Local,
        lang: str | None,
        audience: str,
        kinds: Sequence[str] | None,
        services: Sequence[str] | None,
        types: Sequence[str] | None,
    ) -> set[int] | None:
        key = _filter_key(lang, audience, kinds, services, types)
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

    def _idf(self, state: _Local, key: str) -> float:
        val = state.idf.get(key)
        if val is None:
            s = state.searcher
            assert s is not None
            n = max(1, s.doc_count())
            df = max(s.doc_frequency(f, key) for f in _KEY_FIELDS)
            val = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            if len(state.idf) > 8192:  # per search thread; user words are unbounded
                state.idf.clear()
            state.idf[key] = val
        return val

    def _vocabulary(self, state: _Local) -> frozenset[str]:
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
        for f in _KEY_FIELDS:
            words.update(
                b.decode("utf-8") if isinstance(b, bytes) else str(b) for b in reader.lexicon(f)
            )
        vocab = frozenset(words)
        with self._lock:
            self._vocab = (state.version, vocab)
        return vocab

    def _typo_terms(self, state: _Local, terms: list[_Term]) -> list[_Term]:
        """Corrections for words the index has never seen ("pasword" → "password").

        Candidates are the index keys (lemmas/stems) one edit away - a letter deleted,
        inserted, replaced, or two neighbours swapped - from the unknown word as typed and
        as lemmatized (the lemmatizer may guess oddly for a misspelt word); the two with
        the highest document frequency are kept.
        """
        s = state.searcher
        assert s is not None
        out: list[_Term] = []
        known = {t.key for t in terms}
        vocab: frozenset[str] | None = None
        for t in terms:
            if len(t.key) < 4 or t.key.isdigit():
                continue
            if any(s.doc_frequency(f, t.key) for f in _KEY_FIELDS):
                continue
            if vocab is None:
                vocab = self._vocabulary(state)
            cands: set[str] = set()
            for source in {t.key, t.norm}:
                cands |= _edits1(source) & vocab
            ranked = sorted(
                cands, key=lambda w: (-max(s.doc_frequency(f, w) for f in _KEY_FIELDS), w)
            )
            for word in ranked[:2]:
                if word not in known:
                    known.add(word)
                    out.append(_Term(word, word, TYPO_WEIGHT, t.group))
        return out

    def _leaves(self, terms: list[_Term], concepts: list[str]) -> list[Leaf]:
        """The scored leaves of a query: each word in every key field, its coarse prefix,
        and the thesaurus concepts of the query."""
        out: list[Leaf] = []
        for t in terms:
            for f, boost in FIELD_BOOSTS.items():
                if boost > 0:
                    out.append(Leaf(f, t.key, boost * t.weight))
            p = word_prefix(t.key)
            for f, boost in PREFIX_BOOSTS.items():
                if boost > 0:
                    out.append(Leaf(f, p, boost * t.weight))
        if CONCEPT_WEIGHT > 0:
            out.extend(Leaf("con", c, CONCEPT_WEIGHT) for c in concepts)
        return out

    def search(
        self,
        query: str,
        *,
        lang: str | None = None,
        audience: str = "public",
        kinds: Sequence[str] | None = None,
        services: Sequence[str] | None = None,
        types: Sequence[str] | None = None,
        limit: int = 10,
        fallback: bool = True,
    ) -> list[Hit]:
        """Search articles and forms.

        :param query: what the user typed, in any language; question boilerplate ("how
            do I", "подскажите") is ignored, words are lemmatized/stemmed, ё = е, and
            unknown words in short queries are corrected against the index vocabulary.
        :param lang: the caller's language ("en" or "ru"): only documents in it are
            searched first. With ``fallback`` and no confident hit in that language, the
            confident hits of the other language come first (then the caller's language).
            ``None`` searches every language together.
        :param audience: "public" (customers: internal articles are never returned) or
            "internal" (engineers: everything).
        :param kinds: article kinds (``scripted-solution``, ``how-to``, ...) or form
            ticket types (``incident``, ``request``) to keep; None keeps all.
        :param services: service ids to keep; None keeps all.
        :param types: "article" and/or "form"; None keeps both.
        :param limit: the most hits to return.
        """
        if audience not in ("public", "internal"):
            raise ValueError(f"audience must be 'public' or 'internal', not {audience!r}")
        if types:
            bad = set(types) - {ARTICLE, FORM}
            if bad:
                raise ValueError(f"unknown document types: {sorted(bad)}")
        pairs = query_keys(query)
        if not pairs or limit <= 0:
            return []
        state = self._state()
        terms = [_Term(n, k, 1.0, i) for i, (n, k) in enumerate(pairs)]
        if len(terms) <= TYPO_MAX_WORDS:
            terms += self._typo_terms(state, terms)
        leaves = self._leaves(terms, query_concepts(pairs))
        assert state.ranker is not None
        scored = state.ranker.score(leaves)
        aligned = None
        if self.semantic:
            aligned = self._vectors(state)
        meaning = (aligned, query) if aligned is not None and len(aligned.docnums) else None
        args = (state, scored, leaves, terms, meaning)
        ranked = self._rank(*args, lang, audience, kinds, services, types, limit)
        if lang and fallback and not any(conf >= THRESHOLD for _d, _s, conf in ranked):
            other = "ru" if lang == "en" else "en"
            extra = self._rank(*args, other, audience, kinds, services, types, limit)
            confident = [r for r in extra if r[2] >= THRESHOLD]
            if confident:
                ranked = (confident + ranked)[:limit]
        return self._hits(state, ranked, terms)

    def _rank(
        self,
        state: _Local,
        scored: dict[int, list[Any]],
        leaves: list[Leaf],
        terms: list[_Term],
        meaning: tuple[_Aligned, str] | None,
        lang: str | None,
        audience: str,
        kinds: Sequence[str] | None,
        services: Sequence[str] | None,
        types: Sequence[str] | None,
        limit: int,
    ) -> list[tuple[int, float, float]]:
        """The best ``limit`` documents that pass the filters: (docnum, score, confidence)."""
        allowed = self._filter(state, lang, audience, kinds, services, types)
        if allowed is None:
            pool = [(d, e[0]) for d, e in scored.items()]
        elif len(allowed) < len(scored):
            pool = [(d, scored[d][0]) for d in allowed if d in scored]
        else:
            pool = [(d, e[0]) for d, e in scored.items() if d in allowed]
        lexical = dict(pool)
        sims = None
        if meaning is not None:
            key = _filter_key(lang, audience, kinds, services, types)
            sims = self._similarities(state, *meaning, allowed, key)
        if sims is not None:
            ranked = _fuse(pool, sims, limit + 2)
        else:
            # one extra candidate per type, for the margin of the last hits
            ranked = heapq.nlargest(limit + 2, pool, key=_by_score)
        if not ranked:
            return []
        forms = self._filter(state, None, "internal", None, None, [FORM]) or set()
        weighted = [(t.group, t.key, t.weight, self._idf(state, t.key)) for t in terms]
        total_idf = sum(w[3] for w in weighted if w[2] >= 1.0) or 1.0
        seen_type: set[bool] = set()
        out: list[tuple[int, float, float]] = []
        for i, (docnum, score) in enumerate(ranked[:limit]):
            is_form = docnum in forms
            margin = 0.0
            if is_form not in seen_type:
                seen_type.add(is_form)
                below = next((v for d, v in ranked[i + 1 :] if (d in forms) == is_form), 0.0)
                margin = (score - below) / score if score > 0 else 0.0
            mask = scored[docnum][1] if docnum in scored else 0
            matched = [(lf.field, lf.text) for j, lf in enumerate(leaves) if mask >> j & 1]
            conf = confidence(
                Features(
                    coverage=coverage(matched, weighted),
                    head_coverage=coverage(matched, weighted, head_only=True),
                    margin=margin,
                    norm_score=lexical.get(docnum, 0.0) / (total_idf * NORM_SCALE),
                )
            )
            if docnum not in scored:
                conf = min(conf, _meaning_confidence(sims, docnum))
            out.append((docnum, score, conf))
        return out

    def _hits(
        self, state: _Local, ranked: list[tuple[int, float, float]], terms: list[_Term]
    ) -> list[Hit]:
        """Hits with their stored fields and snippets."""
        s = state.searcher
        assert s is not None
        marker = Highlighter([t.norm for t in terms], [t.key for t in terms])
        hits: list[Hit] = []
        for docnum, score, conf in ranked:
            stored = s.stored_fields(docnum)
            texts = [stored.get(f, "") for f in ("summary", "symptoms", "excerpt")]
            hits.append(
                Hit(
                    type=stored["type"],
                    id=stored["ref"],
                    title=stored.get("title", ""),
                    snippet=marker.snippet(texts),
                    score=round(float(score), 4),
                    confidence=round(conf, 4),
                    confident=conf >= THRESHOLD,
                    lang=stored["lang"],
                    kind=stored.get("kind", ""),
                    service=stored.get("service", ""),
                    path=stored.get("path", ""),
                    url=_url(stored.get("lang", ""), stored.get("path", "")),
                    summary=stored.get("summary", ""),
                )
            )
        return hits

    def suggest(
        self,
        prefix: str,
        *,
        lang: str | None = None,
        audience: str = "public",
        types: Sequence[str] | None = None,
        limit: int = 8,
    ) -> list[Suggestion]:
        """As-you-type completions for the chat widget.

        The last word of ``prefix`` counts as unfinished ("сброс пар" → "Сброс пароля");
        the words before it must match (by lemma/stem) the title or symptoms. Results are
        in the caller's language; only when it has none, in the other one.
        """
        words = [w for w, _s, _e in split_words(prefix, query=True)]
        if not words:
            return []
        finished = not prefix[-1:].isalnum()
        last = None if finished else words[-1]
        full = words if finished else words[:-1]
        state = self._state()
        leaves: list[Leaf] = []
        groups: list[int] = []  # bit mask of each word's leaves
        for w in full:
            k = query_word_key(w)
            if k is None:
                continue
            start = len(leaves)
            leaves += [
                Leaf("title", k, 2.0),
                Leaf("head", k, 1.5),
                Leaf("pre", word_prefix(k), 0.5),
            ]
            groups.append(((1 << len(leaves)) - 1) ^ ((1 << start) - 1))
        partial = 0
        if last is not None and len(last) >= EDGE_MIN:
            leaves.append(Leaf("ac", fold(last)[:EDGE_MAX], 2.0))
            partial = 1 << (len(leaves) - 1)
            groups.append(partial)
        if not groups:
            return []
        assert state.ranker is not None and state.searcher is not None
        scored = state.ranker.score(leaves)
        # every word must match; if no document has them all, the unfinished word must
        strict = [d for d, e in scored.items() if all(e[1] & g for g in groups)]
        if not strict:
            strict = [d for d, e in scored.items() if e[1] & partial] if partial else list(scored)
        langs: list[str | None] = [lang, "ru" if lang == "en" else "en"] if lang else [None]
        out: list[Suggestion] = []
        for lng in langs:
            allowed = self._filter(state, lng, audience, None, None, types)
            pool = [d for d in strict if allowed is None or d in allowed]
            for d in heapq.nlargest(limit - len(out), pool, key=lambda d: (scored[d][0], -d)):
                stored = state.searcher.stored_fields(d)
                out.append(
                    Suggestion(
                        type=stored["type"],
                        id=stored["ref"],
                        title=stored.get("title", ""),
                        lang=stored["lang"],
                        path=stored.get("path", ""),
                        url=_url(stored["lang"], stored.get("path", "")),
                        score=round(float(scored[d][0]), 4),
                    )
                )
            if out:
                break
        return out


_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"


def _edits1(word: str) -> set[str]:
    """Every string one edit away from ``word`` (in its own alphabet, digits kept)."""
    alphabet = _CYRILLIC if any("а" <= ch <= "я" for ch in word) else _LATIN
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    out.update(a + c + b[1:] for a, b in splits if b for c in alphabet)
    out.update(a + c + b for a, b in splits for c in alphabet)
    out.discard(word)
    return out


def _filter_key(
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


def _fuse(pool: list[tuple[int, float]], m: _Meaning, top: int) -> list[tuple[int, float]]:
    """The ``top`` best documents by BM25F scaled by the query's best score, mixed with
    the scaled similarity; best first.

    The candidates are the documents that match a word plus the ``top`` most similar
    ones that are close enough (an answer may share no word with the question, but a
    document that is merely the least far from a question about something else is not
    a result).
    """
    w = SEMANTIC_WEIGHT
    if pool:
        docs = np.fromiter((d for d, _v in pool), dtype=np.int64, count=len(pool))
        lex = np.fromiter((v for _d, v in pool), dtype=np.float64, count=len(pool))
        best = float(lex.max())
        lex = lex / best if best > 0 else np.zeros_like(lex)
        pos = m.pos_of[docs]
        has = pos >= 0
        fused = lex.copy()
        fused[has] = (1 - w) * lex[has] + w * m.scaled[pos[has]]
    else:
        docs = np.zeros(0, dtype=np.int64)
        fused = np.zeros(0)
    near = np.flatnonzero(m.raw >= m.floor)
    if len(near) > top:
        near = near[np.argpartition(-m.scaled[near], top - 1)[:top]]
    extra = m.docnums[near]
    fresh = ~np.isin(extra, docs)
    docs = np.concatenate([docs, extra[fresh]])
    fused = np.concatenate([fused, w * m.scaled[near][fresh]])
    if len(docs) > top:
        keep = np.argpartition(-fused, top - 1)[:top]
        docs, fused = docs[keep], fused[keep]
    pairs = list(zip(docs.tolist(), fused.tolist(), strict=True))
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return pairs


def _meaning_confidence(m: _Meaning | None, docnum: int) -> float:
    """Confidence of a hit found by meaning alone: THRESHOLD exactly at
    :data:`CONFIDENT_SIMILARITY_GAIN` above the query's floor, less below it."""
    if m is None or docnum >= len(m.pos_of) or m.pos_of[docnum] < 0:
        return 0.0
    gain = float(m.raw[m.pos_of[docnum]]) - m.floor + MIN_SIMILARITY_GAIN
    return max(0.0, min(1.0, THRESHOLD * gain / CONFIDENT_SIMILARITY_GAIN))


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    """Sort key: higher score first, then the lower document number (stable ties)."""
    return item[1], -item[0]


def _url(lang: str, path: str) -> str:
    if not path:
        return ""
    return ("/ru/" if lang == "ru" else "/") + path
