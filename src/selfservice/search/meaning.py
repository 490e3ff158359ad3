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
SEMANTIC_WEIGHT = 0.75
#: How near a document is, by meaning: this share of its overview passage plus the
#: rest of its nearest question-like line (title or symptom), each against unrelated
#: passages encoded the same way. Both kinds of evidence together rank better than the
#: nearest passage alone (rutube-ru R@5 0.729 → 0.785 by meaning alone), and a question
#: that is merely close to one line of many is not lifted by it.
CONTENT_SHARE = 0.45
#: A document that matches no query word is a candidate only when its cosine similarity
#: passes the query's similarity to unrelated passages (``Encoder.unrelated``) by this.
MIN_SIMILARITY_GAIN = 0.02
#: A hit that matched no query word is confident only this far above that floor: the
#: lexical confidence features know nothing of it.
CONFIDENT_SIMILARITY_GAIN = 0.06


@dataclass(frozen=True)
class Aligned:
    """A generation's passage vectors, grouped by language, then by document.

    ``matrix`` rows are unit vectors, a document's rows adjacent; ``row_part[r]`` is the
    part of row ``r`` (``vectors.OVERVIEW`` ...); ``docnums`` are the documents that
    have rows, in row order, ``starts[i]`` the first row of ``docnums[i]``.
    """

    stat: tuple[int, int] | None
    docnums: Any
    starts: Any
    matrix: Any
    row_part: Any
    has_rows: Any  # docnum -> True when the document has vectors


@dataclass(frozen=True)
class Meaning:
    """A query's nearness to the searched documents.

    ``gain[i]`` is how much nearer document ``docnums[i]`` comes than passages about
    unrelated things do (its overview passage and its nearest question-like
    line combined, each against unrelated passages encoded the same way);
    ``scaled[i]`` is ``gain`` min-max scaled over the searched documents;
    ``pos_of[docnum]`` is ``i`` or -1.
    """

    docnums: Any
    scaled: Any
    gain: Any
    pos_of: Any


def align(reader: Any, vs: vector_store.VectorSet | None, stat: tuple[int, int] | None) -> Aligned:
    """The vectors ``vs`` of the documents of whoosh ``reader``, one language after the
    other: a search in one language then multiplies one contiguous block of rows
    instead of all of them (a third to two thirds of the work on a two-language index)."""
    n = reader.doc_count_all()
    row_doc = np.full(len(vs.keys) if vs is not None else 0, -1, dtype=np.int64)
    row_lang = np.zeros(len(row_doc), dtype=np.int64)
    if vs is not None and vs.keys:
        spans = vs.by_key()
        languages: dict[str, int] = {}
        for docnum, fields in reader.iter_docs():
            span = spans.get(fields.get("key", ""))
            if span is not None:
                row_doc[span[1] : span[2]] = docnum
                lang = fields.get("lang", "")
                row_lang[span[1] : span[2]] = languages.setdefault(lang, len(languages))
    keep = np.flatnonzero(row_doc >= 0)
    order = keep[np.lexsort((row_doc[keep], row_lang[keep]))]
    docs_of_rows = row_doc[order]
    # a document's rows stay adjacent: its first row is where the document changes
    starts = np.flatnonzero(np.diff(docs_of_rows, prepend=-1) != 0)
    docnums = docs_of_rows[starts]
    has_rows = np.zeros(n, dtype=bool)
    has_rows[docnums] = True
    if vs is not None and len(order):
        matrix = np.ascontiguousarray(vs.vectors[order])
        parts = vs.parts[order]
    else:
        matrix = np.zeros((0, 0), dtype=np.float32)
        parts = np.zeros(0, dtype=np.int8)
    return Aligned(stat, docnums, starts.astype(np.int64), matrix, parts, has_rows)


def similarities(
    cache: dict[tuple[Any, ...], Any],
    aligned: Aligned,
    query: str,
    threads: int,
    allowed: set[int] | None,
    key: Any,
    get_encoder: Callable[[], Encoder],
) -> Meaning | None:
    """How near every allowed document that has vectors comes to the query (encoded
    only when there is such a document, on ``threads`` threads); ``cache`` holds the
    documents' rows per filter ``key``."""
    cached = cache.get(key)
    if cached is None:
        which = np.arange(len(aligned.docnums))
        if allowed is not None:
            wanted = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
            which = np.flatnonzero(np.isin(aligned.docnums, wanted))
        docnums = aligned.docnums[which]
        ends = np.append(aligned.starts[1:], len(aligned.row_part))
        lengths = ends[which] - aligned.starts[which]
        spans = zip(aligned.starts[which], ends[which], strict=True)
        rows = np.zeros(0, dtype=np.int64)
        group = rows
        if len(which):
            rows = np.concatenate([np.arange(a, b) for a, b in spans])
            group = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        pos_of = np.full(len(aligned.has_rows), -1, dtype=np.int64)
        pos_of[docnums] = np.arange(len(docnums))
        # the block of rows to multiply: one language's, when the filter keeps one
        lo, hi = (int(rows.min()), int(rows.max()) + 1) if len(rows) else (0, 0)
        cached = (docnums, rows - lo, group, pos_of, aligned.row_part[rows], lo, hi)
        if len(cache) > 64:
            cache.clear()
        cache[key] = cached
    docnums, rows, group, pos_of, parts, lo, hi = cached
    if not len(docnums):
        return None
    block, floors = _nearness(aligned, query, threads, lo, hi, get_encoder)
    sims = block[rows] - floors[parts]
    asked = parts == vector_store.QUESTION
    content = np.maximum.reduceat(np.where(asked, -np.inf, sims), group)
    question = np.maximum.reduceat(np.where(asked, sims, -np.inf), group)
    # a document without a question-like line (a bare FAQ answer) is its content
    question = np.where(np.isfinite(question), question, content)
    gain = CONTENT_SHARE * content + (1 - CONTENT_SHARE) * question
    lo_gain, hi_gain = float(gain.min()), float(gain.max())
    scaled = (
        (gain - lo_gain) / (hi_gain - lo_gain) if hi_gain > lo_gain else np.zeros_like(gain)
    )
    return Meaning(docnums, scaled, gain, pos_of)


def _nearness(aligned: Aligned, query: str, threads: int, lo: int, hi: int,
              get_encoder: Callable[[], Encoder]) -> tuple[Any, Any]:
    """The query's cosine with passage rows ``lo:hi`` (a view, not a copy: one language's
    block), and its floors per part. A fallback search in the other language asks again:
    the encoder's cache answers with the same vector."""
    encoder = get_encoder()
    vector = encoder.query(query, threads)
    return aligned.matrix[lo:hi] @ vector, encoder.unrelated_by_part(vector)


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
    near = np.flatnonzero(m.gain >= MIN_SIMILARITY_GAIN)
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
    gain = float(m.gain[m.pos_of[docnum]])
    return max(0.0, min(1.0, THRESHOLD * gain / CONFIDENT_SIMILARITY_GAIN))
