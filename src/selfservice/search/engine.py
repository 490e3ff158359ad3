"""The search index: whoosh BM25F over articles and request forms, with a safe lifecycle.

:class:`SearchIndex` is a façade over the modules that do the work:

* ``generations.py``: the index directory (``CURRENT`` pointer, ``gen-<id>/``
  generations), rebuilds swapped in atomically, in-place syncs, published vectors;
* ``readers.py``: one whoosh Searcher per thread and the readers' caches;
* ``schema.py``: the whoosh schema, the fields of a document, the field boosts;
* ``planning.py``: query terms, typo corrections and scored leaves;
* ``meaning.py``: vectors aligned to documents, similarities, their fusion with BM25F;
* ``hits.py``: ranking with confidence, snippets and :class:`Hit`;
* ``suggest.py``: as-you-type :class:`Suggestion`.

Ranking: every query word is looked up as its morphological key in the ``title``,
``head`` (symptoms, summary, tags) and ``body`` (text, steps and checks, form field
labels and help) fields, as its coarse 5-letter prefix in ``pre`` (a second, fuzzier
lexical signal over the whole document that joins derivations such as
"подключение"/"подключить"), and through thesaurus concepts in ``con``; typos in short
queries add corrections. BM25 per field with the boosts of ``schema.py``, summed (``ranking.py``
accumulates it over whoosh's postings). For languages a sentence model covers
(``text/encoder.py``), the score is mixed with the cosine similarity of the query's and the
document's vectors (``vectors.py`` keeps them per generation, next to the whoosh files).
Each hit gets a confidence (``confidence.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Self

from selfservice.content.model import Content
from selfservice.search import planning
from selfservice.search.confidence import THRESHOLD
from selfservice.search.documents import ARTICLE, FORM, SearchDoc
from selfservice.search.generations import Progress, SyncReport
from selfservice.search.hits import CONFIDENCE_THRESHOLD, Hit, build_hits, rank
from selfservice.search.meaning import (
    CONFIDENT_SIMILARITY_GAIN,
    MIN_SIMILARITY_GAIN,
    SEMANTIC_WEIGHT,
)
from selfservice.search.planning import CONCEPT_WEIGHT, TYPO_MAX_WORDS, TYPO_WEIGHT, Term
from selfservice.search.query_cores import QueryCores
from selfservice.search.readers import Readers
from selfservice.search.schema import (
    ANALYSIS_VERSION,
    BM25_B,
    BM25_K1,
    EXCERPT_CHARS,
    FIELD_BOOSTS,
    PARALLEL_MIN_DOCS,
    PREFIX_BOOSTS,
    make_schema,
)
from selfservice.search.suggest import Suggestion
from selfservice.search.suggest import suggest as _suggest
from selfservice.text.words import query_concepts, query_keys

__all__ = [
    "ANALYSIS_VERSION",
    "BM25_B",
    "BM25_K1",
    "CONCEPT_WEIGHT",
    "CONFIDENCE_THRESHOLD",
    "CONFIDENT_SIMILARITY_GAIN",
    "EXCERPT_CHARS",
    "FIELD_BOOSTS",
    "MIN_SIMILARITY_GAIN",
    "PARALLEL_MIN_DOCS",
    "PREFIX_BOOSTS",
    "SEMANTIC_WEIGHT",
    "THRESHOLD",
    "TYPO_MAX_WORDS",
    "TYPO_WEIGHT",
    "Hit",
    "Progress",
    "SearchDoc",
    "SearchIndex",
    "Suggestion",
    "SyncReport",
    "make_schema",
]


#: A hit in the other language goes above a hit in the caller's own only when it is
#: this much more confident: a customer reads their own language first.
LANGUAGE_MARGIN = 0.15

Ranked = list[tuple[int, float, float]]


def interleave(own: Ranked, other: Ranked) -> Ranked:
    """``own`` (the caller's language, in rank order) with the confident ``other``
    hits placed above every own hit below them that is not within
    :data:`LANGUAGE_MARGIN` of their confidence."""
    # the best confidence from each position down: an other-language hit goes above
    # position p only when nothing from p on comes close to it
    best_below = [0.0] * (len(own) + 1)
    for i in range(len(own) - 1, -1, -1):
        best_below[i] = max(own[i][2], best_below[i + 1])
    out: Ranked = []
    i = 0
    for hit in sorted(other, key=lambda r: -r[2]):
        while i < len(own) and best_below[i] + LANGUAGE_MARGIN > hit[2]:
            out.append(own[i])
            i += 1
        out.append(hit)
    return out + own[i:]


class SearchIndex(Readers):
    """Search over one index directory; see ``generations.py`` for the lifecycle.

    Create with :meth:`open_or_build`. Thread-safe for searching; writes (sync, rebuild)
    should come from one place at a time (a second concurrent writer gets whoosh's
    ``LockError``).
    """


    @classmethod
    def open_or_build(
        cls,
        index_dir: Path,
        content: Content | Iterable[SearchDoc],
        progress: Progress | None = None,
        *,
        semantic: bool = True,
        vectors_later: bool = False,
    ) -> Self:
        """Open the index in ``index_dir`` and bring it up to date with ``content``.

        A missing, unreadable or outdated (older schema) index is rebuilt from scratch;
        an existing one is synced (only changed documents are rewritten). With
        ``vectors_later`` a rebuild goes live with words only: call :meth:`update_vectors`
        (in the background) to add the meaning signal.
        """
        self = cls(index_dir, semantic=semantic)
        if self._open_current():
            self.sync(content)
        else:
            self.rebuild(content, progress=progress, vectors=not vectors_later)
        return self

    def limit_query_cores(self, cores: int) -> None:
        """Encode each query on at most ``cores`` cores (a process that serves searches
        beside others, like the server's workers, says 1; see ``search/query_cores.py``)."""
        self._query_cores = QueryCores(cores=cores)

    def meaning_state(self) -> str:
        """``off`` (words only by choice), ``building`` (the live generation answers by
        words while its vectors are computed) or ``ready``."""
        if not self.semantic:
            return "off"
        return "ready" if self._vectors_stat() is not None else "building"

    @classmethod
    def open(cls, index_dir: Path, *, semantic: bool = True) -> Self:
        """Open an existing index read-only; raises FileNotFoundError when there is none."""
        self = cls(index_dir, semantic=semantic)
        if not self._open_current():
            raise FileNotFoundError(f"no search index in {index_dir}")
        return self

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
        meaning: bool = True,
    ) -> list[Hit]:
        """Search articles and forms.

        :param query: what the user typed, in any language; question boilerplate ("how
            do I", "подскажите") is ignored, words are lemmatized/stemmed, ё = е, and
            unknown words in short queries are corrected against the index vocabulary.
        :param lang: the caller's language ("en" or "ru"): only documents in it are
            searched first. With ``fallback`` and no confident hit in that language, the
            confident hits of the other language come first (then the caller's language),
            except those that have a version in the caller's language.
            ``None`` searches every language together.
        :param audience: "public" (customers: internal articles are never returned) or
            "internal" (engineers: everything).
        :param kinds: article kinds (``scripted-solution``, ``how-to``, ...) or form
            ticket types (``incident``, ``request``) to keep; None keeps all.
        :param services: service ids to keep; None keeps all.
        :param types: "article" and/or "form"; None keeps both.
        :param limit: the most hits to return.
        :param meaning: False ranks this search by words only, without encoding the
            query (a busy server's choice, ``web/search_pool.py``).
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
        terms = [Term(n, k, 1.0, i) for i, (n, k) in enumerate(pairs)]
        if len(terms) <= TYPO_MAX_WORDS:
            terms += planning.typo_terms(state, terms, lambda: self._vocabulary(state))
        leaves = planning.leaves(terms, query_concepts(pairs))
        assert state.ranker is not None
        scored = state.ranker.score(leaves)
        aligned = None
        if self.semantic and meaning:
            aligned = self._vectors(state)
        if aligned is not None and not len(aligned.docnums):
            aligned = None
        with self._query_cores.reserve() if aligned is not None else nullcontext(1) as threads:
            near = (aligned, query, threads) if aligned is not None else None
            args = (state, scored, leaves, terms, near)
            ranked = rank(self, *args, lang, audience, kinds, services, types, limit)
            other = "ru" if lang == "en" else "en"
            extra: list[tuple[int, float, float]] = []
            if lang and fallback and not any(conf >= THRESHOLD for _d, _s, conf in ranked):
                extra = rank(self, *args, other, audience, kinds, services, types, limit)
        if extra and lang:
            # Only what the caller's language lacks: a document whose own version in
            # that language was just judged not confident is not confident by the
            # meaning of a translation either (the multilingual model pairs "bake
            # bread" with "бакет").
            confident = [
                r for r in extra if r[2] >= THRESHOLD and not self._has_twin(state, r[0], lang)
            ]
            if confident:
                ranked = interleave(ranked, confident)[:limit]
        return build_hits(state, ranked, terms)

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
        return _suggest(self, prefix, lang=lang, audience=audience, types=types, limit=limit)
