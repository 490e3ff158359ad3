"""Hits: the best documents of a query with their confidence, snippets and stored fields.

Ranking is BM25 per field with the boosts of ``schema.py``, summed (``ranking.py``
accumulates it over whoosh's postings), mixed with the meaning signal (``meaning.py``)
where there are vectors. Each hit gets a confidence (``confidence.py``).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from selfservice.search.confidence import NORM_SCALE, THRESHOLD, Features, confidence, coverage
from selfservice.search.documents import FORM
from selfservice.search.meaning import (
    Aligned,
    Meaning,
    fuse,
    meaning_confidence,
    similarities,
)
from selfservice.search.planning import Term
from selfservice.search.ranking import Leaf
from selfservice.search.readers import Readers, ReaderState, filter_key
from selfservice.search.snippets import Highlighter
from selfservice.text.words import word_prefix

#: A hit whose confidence reaches this is "confident enough to suggest" (one global value
#: for every corpus; see ``confidence.py``).
CONFIDENCE_THRESHOLD = THRESHOLD
#: A hit the words put first is confident only when it is also the document of its type
#: that comes nearest by meaning: when the two signals disagree, the customer is better
#: served by a list than by one answer (confident top hits right: rutube-ru 0.78 → 0.85,
#: nlu-intents-en 0.85 → 0.90, at 14 of 106 confident answers fewer on rutube-ru).
NOT_NEAREST_CAP = THRESHOLD - 0.01


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


def rank(
    index: Readers,
    state: ReaderState,
    scored: dict[int, list[Any]],
    leaves: list[Leaf],
    terms: list[Term],
    meaning: tuple[Aligned, str, int] | None,
    lang: str | None,
    audience: str,
    kinds: Sequence[str] | None,
    services: Sequence[str] | None,
    types: Sequence[str] | None,
    limit: int,
) -> list[tuple[int, float, float]]:
    """The best ``limit`` documents that pass the filters: (docnum, score, confidence)."""
    allowed = index._filter(state, lang, audience, kinds, services, types)
    if allowed is None:
        pool = [(d, e[0]) for d, e in scored.items()]
    elif len(allowed) < len(scored):
        pool = [(d, scored[d][0]) for d in allowed if d in scored]
    else:
        pool = [(d, e[0]) for d, e in scored.items() if d in allowed]
    lexical = dict(pool)
    sims = None
    if meaning is not None:
        key = filter_key(lang, audience, kinds, services, types)
        sims = similarities(state.rows, *meaning, allowed, key, index._get_encoder)
    if sims is not None:
        ranked = fuse(pool, sims, limit + 2)
    else:
        # one extra candidate per type, for the margin of the last hits
        ranked = heapq.nlargest(limit + 2, pool, key=_by_score)
    if not ranked:
        return []
    forms = index._filter(state, None, "internal", None, None, [FORM]) or set()
    weighted = [(t.group, t.key, t.weight, index._idf(state, t.key)) for t in terms]
    total_idf = sum(w[3] for w in weighted if w[2] >= 1.0) or 1.0
    nearest = nearest_by_type(sims, forms) if sims is not None else None
    # What the customer typed, as the leaves show it: words, their prefixes, concepts.
    typed = {k for t in terms if t.weight >= 1.0 for k in (t.key, word_prefix(t.key))}
    typed |= {lf.text for lf in leaves if lf.field == "con"}
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
        if docnum not in scored or (
            sims is not None and not any(text in typed for _field, text in matched)
        ):
            # Found by meaning alone, or by words only through corrections of what was
            # typed ("bread" read as "read"): only the meaning can make it confident.
            conf = min(conf, meaning_confidence(sims, docnum))
        elif nearest is not None and sims is not None and sims.pos_of[docnum] >= 0:
            if float(sims.gain[sims.pos_of[docnum]]) < nearest[1 if is_form else 0]:
                conf = min(conf, NOT_NEAREST_CAP)
        out.append((docnum, score, conf))
    return out


def nearest_by_type(m: Meaning, forms: set[int]) -> tuple[float, float]:
    """The highest nearness of an article and of a form among the searched documents
    (-inf where there is none); forms are few, so they are picked out one by one."""
    form_pos = [int(m.pos_of[d]) for d in forms if d < len(m.pos_of) and m.pos_of[d] >= 0]
    best_form = float(m.gain[form_pos].max()) if form_pos else float("-inf")
    articles = m.gain.copy()
    articles[form_pos] = -np.inf
    best_article = float(articles.max()) if len(articles) else float("-inf")
    return best_article, best_form


#: Snippets a reader state keeps, by document and query words.
SNIPPET_CACHE = 1024


def build_hits(
    state: ReaderState, ranked: list[tuple[int, float, float]], terms: list[Term]
) -> list[Hit]:
    """Hits with their stored fields and snippets."""
    norms, keys = tuple(t.norm for t in terms), tuple(t.key for t in terms)
    marker: Highlighter | None = None
    hits: list[Hit] = []
    for docnum, score, conf in ranked:
        stored = state.stored_fields(docnum)
        # popular questions come back word for word, and so do their snippets
        cache_key = (docnum, norms, keys)
        snippet = state.snippets.get(cache_key)
        if snippet is None:
            marker = marker or Highlighter(norms, keys)
            texts = [stored.get(f, "") for f in ("summary", "symptoms", "excerpt")]
            if len(state.snippets) >= SNIPPET_CACHE:
                state.snippets.clear()
            snippet = state.snippets[cache_key] = marker.snippet(texts)
        hits.append(
            Hit(
                type=stored["type"],
                id=stored["ref"],
                title=stored.get("title", ""),
                snippet=snippet,
                score=round(float(score), 4),
                confidence=round(conf, 4),
                confident=conf >= THRESHOLD,
                lang=stored["lang"],
                kind=stored.get("kind", ""),
                service=stored.get("service", ""),
                path=stored.get("path", ""),
                url=url(stored.get("lang", ""), stored.get("path", "")),
                summary=stored.get("summary", ""),
            )
        )
    return hits


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    """Sort key: higher score first, then the lower document number (stable ties)."""
    return item[1], -item[0]


def url(lang: str, path: str) -> str:
    if not path:
        return ""
    return ("/ru/" if lang == "ru" else "/") + path
