"""The confidence of each ranked hit: its features and the logistic model over them.

The engine ranks; this turns a ranked list into ``(docnum, score, confidence)`` with
the features of ``confidence.py`` plus the meaning feature (how far the hit's
similarity stands above the query's floor of unrelated passages, ``semantic.py``).
``bench/fit_confidence.py`` records the features through :func:`recording` to refit
the weights.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from selfservice.search.confidence import (
    NORM_SCALE,
    THRESHOLD,
    Features,
    confidence,
    coverage,
)

__all__ = ["MIN_SIMILARITY_GAIN", "recording", "score_hits"]

#: A document that matches no query word is a candidate only when its cosine similarity
#: passes the query's similarity to unrelated passages (``Encoder.unrelated``) by this.
MIN_SIMILARITY_GAIN = 0.02
#: A hit that matched no query word is confident only this far above that floor: the
#: lexical confidence features know nothing of it.
CONFIDENT_SIMILARITY_GAIN = 0.06

_recorder = threading.local()


@contextmanager
def recording() -> Iterator[list[list[Features]]]:
    """Collect, per ranked list of this thread, the features of its hits (fitting only)."""
    out: list[list[Features]] = []
    _recorder.lists = out
    try:
        yield out
    finally:
        _recorder.lists = None


def _gain(m: Any, docnum: int) -> float | None:
    """The hit's similarity above the query's floor, or None when it has no vector."""
    if m is None or docnum >= len(m.pos_of) or m.pos_of[docnum] < 0:
        return None
    return float(m.raw[m.pos_of[docnum]]) - float(m.floor)


def meaning_only_confidence(gain: float | None) -> float:
    """Cap for a hit found by meaning alone: THRESHOLD exactly at
    :data:`CONFIDENT_SIMILARITY_GAIN` above the query's floor, less below it."""
    if gain is None:
        return 0.0
    gain += MIN_SIMILARITY_GAIN
    return max(0.0, min(1.0, THRESHOLD * gain / CONFIDENT_SIMILARITY_GAIN))


def score_hits(
    ranked: Sequence[tuple[int, float]],
    limit: int,
    *,
    forms: set[int],
    scored: dict[int, list[Any]],
    leaves: Sequence[Any],
    weighted: list[tuple[int, str, float, float]],
    lexical: dict[int, float],
    meaning: Any,
) -> list[tuple[int, float, float]]:
    """``(docnum, score, confidence)`` of the first ``limit`` of ``ranked`` (best first;
    ``ranked`` holds a few more, for the margin of the last hits)."""
    total_idf = sum(w[3] for w in weighted if w[2] >= 1.0) or 1.0
    seen_type: set[bool] = set()
    out: list[tuple[int, float, float]] = []
    record: list[Features] | None = None
    lists = getattr(_recorder, "lists", None)
    if lists is not None:
        record = []
        lists.append(record)
    for i, (docnum, score) in enumerate(ranked[:limit]):
        is_form = docnum in forms
        margin = 0.0
        if is_form not in seen_type:
            seen_type.add(is_form)
            below = next((v for d, v in ranked[i + 1 :] if (d in forms) == is_form), 0.0)
            margin = (score - below) / score if score > 0 else 0.0
        mask = scored[docnum][1] if docnum in scored else 0
        matched = [(lf.field, lf.text) for j, lf in enumerate(leaves) if mask >> j & 1]
        gain = _gain(meaning, docnum)
        features = Features(
            coverage=coverage(matched, weighted),
            head_coverage=coverage(matched, weighted, head_only=True),
            margin=margin,
            norm_score=lexical.get(docnum, 0.0) / (total_idf * NORM_SCALE),
            meaning=gain,
        )
        if record is not None:
            record.append(features)
        conf = confidence(features)
        if docnum not in scored:
            conf = min(conf, meaning_only_confidence(gain))
        out.append((docnum, score, conf))
    return out
