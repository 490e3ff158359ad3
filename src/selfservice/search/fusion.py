"""Meaning per document from its passages, and its fusion with the BM25F score.

**Per document.** A document has up to four passage vectors (``passages.py``); its
similarity to a query is the mean of its lead passage's and its best passage's
(:data:`LEAD_SHARE`): the best passage finds the one paragraph that answers, the lead
keeps what the document as a whole is about. On the development sets the best passage
alone (share 0) lost 2 points of R@1 on stackfaq-en and let short noisy passages pass
the meaning floor; the lead alone (1) lost on rutube-ru; 0.5 was best or level on all.

**Across languages** (:func:`across_languages`): a Russian question may be answered
only by an English article and the reverse; the meaning model puts both languages in
one space, so the other language's confident hits are offered, but never above a hit
in the caller's language of similar confidence.

**Fusion.** Measured side by side on the development sets (``bench/retrieval_dev.py``,
the table in README "Measuring quality"): *score fusion* - the BM25F score divided by
the query's best, mixed ``(1 - w) : w`` with the similarity min-max scaled over the
searched documents - against *reciprocal rank fusion* (``1/(k + rank)`` summed over both
lists, k = 60). Score fusion keeps how far apart the candidates are (a document far
ahead by words stays ahead); RRF throws that away and lost on every set but one
(stackfaq-en R@1 0.860 vs 0.885, rutube-ru R@5 0.776 vs 0.804, vkcloud ru R@5 0.708 vs
0.739; vkcloud en level), so the engine uses score fusion (:data:`MODE` switches for the
comparison). Meaning weights 0.7-0.9 moved every figure by about a point either way;
0.7 stays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from selfservice.search.confidence import THRESHOLD
from selfservice.search.semantic import Encoder
from selfservice.search.vectors import VectorSet

__all__ = [
    "CROSS_LANGUAGE_LEAD",
    "LEAD_SHARE",
    "MODE",
    "across_languages",
    "align",
    "document_similarities",
    "fuse",
]

#: Share of the lead passage in a document's similarity (the rest is its best passage).
LEAD_SHARE = 0.5
#: "score" (used) or "rrf" (for the comparison in bench/retrieval_dev.py).
MODE = "score"
RRF_K = 60.0
#: A hit in the other language goes above the caller's own only when it is confident and
#: this much more confident than the caller's best: a customer reads their own language
#: first, and a translated twin of a near-miss is no better an answer.
CROSS_LANGUAGE_LEAD = 0.15

Ints = npt.NDArray[np.int64]


def align(vs: VectorSet | None, reader: Any) -> tuple[Ints, Any, Ints, Ints, Any]:
    """``(docnums, matrix, row_of, starts, symmetric)`` of a generation's vectors for
    ``reader``: the documents that have vectors (ascending), the passage rows, each
    document's group of rows (-1: none), each group's first row, and which rows are
    encoded on the question side."""
    row_of = np.full(reader.doc_count_all(), -1, dtype=np.int64)
    if vs is None or not vs.keys:
        empty = np.zeros(0, dtype=np.int64)
        matrix = np.zeros((0, 0), np.float32)
        return np.flatnonzero(row_of >= 0), matrix, row_of, empty, np.zeros(0, dtype=bool)
    starts: list[int] = []
    group: dict[str, int] = {}
    previous = None
    for i, k in enumerate(vs.keys):
        if k != previous:
            group[k] = len(starts)
            starts.append(i)
            previous = k
    for docnum, fields in reader.iter_docs():
        g = group.get(fields.get("key", ""))
        if g is not None:
            row_of[docnum] = g
    return (
        np.flatnonzero(row_of >= 0),
        vs.vectors,
        row_of,
        np.asarray(starts, dtype=np.int64),
        vs.question_rows(),
    )


def document_similarities(
    matrix: Any, starts: Ints, symmetric: Any, vector: Any, encoder: Encoder
) -> tuple[Any, float]:
    """Each group's (document's) similarity to the query ``vector``, and the query's
    floor (its similarity to unrelated passages, ``Encoder.unrelated``).

    A question-side row is compared with the question-side floor: it is shifted by the
    difference of the two floors, so that every row is measured against the same one.
    """
    floor = encoder.unrelated(vector)
    if not len(starts):
        return np.zeros(0, dtype=np.float32), floor
    rows = matrix @ vector
    if symmetric.any():
        shift = encoder.unrelated(vector, as_query=True) - floor
        rows = rows - symmetric * np.float32(shift)
    return _aggregate(rows, starts), floor


def _aggregate(rows: Any, starts: Ints) -> Any:
    """A document's similarity from its rows: the best, blended with the lead."""
    best = np.maximum.reduceat(rows, starts)
    if LEAD_SHARE <= 0:
        return best
    return LEAD_SHARE * rows[starts] + (1 - LEAD_SHARE) * best


def fuse(
    pool: list[tuple[int, float]], m: Any, top: int, weight: float
) -> list[tuple[int, float]]:
    """The ``top`` best documents by words and meaning, best first.

    ``pool`` holds the documents that match a query word with their BM25F scores; ``m``
    the query's similarities (``engine._Meaning``). The candidates are the pool plus the
    ``top`` most similar documents that pass the query's floor (an answer may share no
    word with the question, but a document that is merely the least far from a question
    about something else is not a result).
    """
    if pool:
        docs = np.fromiter((d for d, _v in pool), dtype=np.int64, count=len(pool))
        lex = np.fromiter((v for _d, v in pool), dtype=np.float64, count=len(pool))
    else:
        docs = np.zeros(0, dtype=np.int64)
        lex = np.zeros(0)
    near = np.flatnonzero(m.raw >= m.floor)
    if len(near) > top:
        near = near[np.argpartition(-m.scaled[near], top - 1)[:top]]
    extra = m.docnums[near]
    fresh = ~np.isin(extra, docs)
    all_docs = np.concatenate([docs, extra[fresh]])
    pos = m.pos_of[all_docs] if len(all_docs) else np.zeros(0, dtype=np.int64)
    has = pos >= 0
    sim = np.zeros(len(all_docs))
    sim[has] = m.scaled[pos[has]]
    lex_all = np.concatenate([lex, np.zeros(int(fresh.sum()))])
    if MODE == "rrf":
        fused = _rrf(lex_all, len(lex), sim, has)
    else:
        best = float(lex.max()) if len(lex) else 0.0
        scaled_lex = lex_all / best if best > 0 else np.zeros_like(lex_all)
        # a document without a vector (a language the model lacks) keeps its words' score
        fused = np.where(has, (1 - weight) * scaled_lex + weight * sim, scaled_lex)
    if len(all_docs) > top:
        keep = np.argpartition(-fused, top - 1)[:top]
        all_docs, fused = all_docs[keep], fused[keep]
    pairs = list(zip(all_docs.tolist(), fused.tolist(), strict=True))
    pairs.sort(key=lambda p: (-p[1], p[0]))
    return pairs


def _rrf(lex: Any, n_lex: int, sim: Any, has: Any) -> Any:
    """Reciprocal rank fusion of the word ranking (the pool) and the meaning ranking."""
    out = np.zeros(len(lex))
    order = np.argsort(-lex[:n_lex], kind="stable")
    out[order] += 1.0 / (RRF_K + 1 + np.arange(len(order)))
    idx = np.flatnonzero(has)
    order = idx[np.argsort(-sim[idx], kind="stable")]
    out[order] += 1.0 / (RRF_K + 1 + np.arange(len(order)))
    # scaled to the best possible, so that the margin feature of confidence stays in range
    return out * (RRF_K + 1) / 2


def across_languages(
    own: list[tuple[int, float, float]], other: list[tuple[int, float, float]], limit: int
) -> list[tuple[int, float, float]]:
    """The caller's-language hits ``own`` with the confident ``other``-language hits
    (``(docnum, score, confidence)``, best first) that clearly beat them in front; the
    other-language hits that do not are left out."""
    best = max((c for _d, _s, c in own), default=0.0)
    bar = max(THRESHOLD, best + CROSS_LANGUAGE_LEAD) if own else THRESHOLD
    ahead = [r for r in other if r[2] >= bar]
    return (ahead + own)[:limit]
