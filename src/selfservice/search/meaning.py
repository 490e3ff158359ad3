"""The meaning signal: document vectors aligned to whoosh document numbers, a query's
cosine similarities, their fusion with the BM25F score, and the confidence of a hit
found by meaning alone.

For languages a sentence model covers (``text/encoder.py``), the score is mixed with the
cosine similarity of the query's and the document's vectors (``vectors.py`` keeps them
per generation, next to the whoosh files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from selfservice.search import vectors as vector_store
from selfservice.search.confidence import THRESHOLD
from selfservice.text.encoder import Encoder

#: Share of the meaning signal (``text/encoder.py``) in the ranking score: the BM25F score
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


@dataclass(frozen=True)
class Aligned:
    """A generation's vectors in whoosh document-number order (rows of unit vectors;
    ``docnums[i]`` is the document of row ``i``)."""

    stat: tuple[int, int] | None
    docnums: Any
    matrix: Any
    row_of: Any  # docnum -> row, -1 when the document has no vector


@dataclass(frozen=True)
class Meaning:
    """A query's similarities: ``scaled[i]`` (min-max over the searched documents) and
    ``raw[i]`` (cosine) of document ``docnums[i]``; ``pos_of[docnum]`` is ``i`` or -1;
    ``floor`` the similarity a document must reach to be near by meaning alone."""

    docnums: Any
    scaled: Any
    raw: Any
    pos_of: Any
    floor: float


def align(reader: Any, vs: vector_store.VectorSet | None, stat: tuple[int, int] | None) -> Aligned:
    """The vectors ``vs`` in the document-number order of whoosh ``reader``."""
    row_of = np.full(reader.doc_count_all(), -1, dtype=np.int64)
    if vs is not None and vs.keys:
        pos = {k: i for i, k in enumerate(vs.keys)}
        for docnum, fields in reader.iter_docs():
            i = pos.get(fields.get("key", ""))
            if i is not None:
                row_of[docnum] = i
    matrix = vs.vectors if vs is not None else np.zeros((0, 0), dtype=np.float32)
    return Aligned(stat, np.flatnonzero(row_of >= 0), matrix, row_of)


def similarities(
    cache: dict[tuple[Any, ...], Any],
    aligned: Aligned,
    query: str,
    allowed: set[int] | None,
    key: Any,
    get_encoder: Callable[[], Encoder],
) -> Meaning | None:
    """Cosine similarity of every allowed document that has a vector to the query
    (encoded only when there is such a document); ``cache`` holds the documents' rows
    per filter ``key``."""
    cached = cache.get(key)
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
        if len(cache) > 64:
            cache.clear()
        cache[key] = cached
    docnums, rows, pos_of = cached
    if not len(docnums):
        return None
    encoder = get_encoder()
    vector = encoder.query(query)
    raw = aligned.matrix[rows] @ vector
    lo, hi = float(raw.min()), float(raw.max())
    scaled = (raw - lo) / (hi - lo) if hi > lo else np.zeros_like(raw)
    floor = encoder.unrelated(vector) + MIN_SIMILARITY_GAIN
    return Meaning(docnums, scaled, raw, pos_of, floor)


def fuse(pool: list[tuple[int, float]], m: Meaning, top: int) -> list[tuple[int, float]]:
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


def meaning_confidence(m: Meaning | None, docnum: int) -> float:
    """Confidence of a hit found by meaning alone: THRESHOLD exactly at
    :data:`CONFIDENT_SIMILARITY_GAIN` above the query's floor, less below it."""
    if m is None or docnum >= len(m.pos_of) or m.pos_of[docnum] < 0:
        return 0.0
    gain = float(m.raw[m.pos_of[docnum]]) - m.floor + MIN_SIMILARITY_GAIN
    return max(0.0, min(1.0, THRESHOLD * gain / CONFIDENT_SIMILARITY_GAIN))
