"""Confidence: is a hit good enough to suggest, or is there nothing relevant?

Raw BM25 scores are only comparable within one query, so a hit's confidence combines
features that mean the same on any corpus:

* ``coverage``: the IDF-weighted share of the query's words the document contains, each
  credited by where it matched (question-like head > body > coarse prefix only);
* ``head_coverage``: the same, counting only matches in the title, symptoms, summary
  and tags;
* ``margin``: how far the hit stands out from the next hit of the same type,
  ``(score - next) / score`` (0 for hits below the first of their type): an answer
  that exists usually stands out, while an unanswerable question gets a flat list of
  partial matches;
* ``norm_score``: the BM25F score divided by the query's total IDF times
  :data:`NORM_SCALE`, a rough "how much of the possible score" figure.

They are combined by a logistic model, ``confidence = sigmoid(w · features)``, with ONE
set of weights (:data:`WEIGHTS`) for every corpus, and a hit is *confident* when
confidence >= :data:`THRESHOLD`.

How the weights were chosen (the procedure, so it can be repeated): every development set
of ``shared/eval`` was split in two halves by document; each half's documents were removed
from the corpus, which makes their queries unanswerable. The model was fitted (balanced
logistic regression) to tell "the top hit is right" from "the question has no answer",
fitted on one half and checked on the other (AUC 0.80 - 0.84 on held-out halves, 0.88 on
the out-of-scope questions of ``nlu-intents-en``), then refitted on both halves. The
threshold 0.5 is the model's own decision point; it rejects about 70 % (stackfaq) and 85 %
(vkcloud) of unanswerable questions while 90 % of the confident top hits are right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import exp

from selfservice.text.words import word_prefix

__all__ = ["THRESHOLD", "Features", "confidence", "coverage"]

#: Hits at or above this confidence are "confident enough to suggest".
THRESHOLD = 0.5

#: Logistic weights: bias, coverage, head coverage, margin, normalized score, and the
#: coverage × margin interaction.
WEIGHTS = (-1.56, 1.24, 0.44, 1.74, 0.79, 1.23)

#: Scale of the score normalization (see the module docs).
NORM_SCALE = 8.8

#: Credit for a query word by where it matched: the question-like head, the rest of the
#: text, or only by its coarse prefix.
CREDIT_HEAD = 1.0
CREDIT_BODY = 0.8
CREDIT_PREFIX = 0.5

HEAD_FIELDS = frozenset({"title", "head"})


@dataclass(frozen=True)
class Features:
    coverage: float
    head_coverage: float
    margin: float
    norm_score: float


def coverage(
    matched: Iterable[tuple[str, str]],
    terms: Iterable[tuple[int, str, float, float]],
    *,
    head_only: bool = False,
) -> float:
    """IDF-weighted share of the query that the matched ``(field, term)`` pairs cover.

    ``terms`` are ``(group, key, weight, idf)``: every typed word is a group, together
    with its typo corrections; a correction counts ``weight`` (< 1) of a right word. A
    group weighs its typed word's IDF or, when the index never saw that word, its best
    correction's; a word nobody knows and nothing corrects counts against the hit.
    """
    head: set[str] = set()
    body: set[str] = set()
    pre: set[str] = set()
    for fname, text in matched:
        if fname in HEAD_FIELDS:
            head.add(text)
        elif head_only:
            continue
        elif fname == "body":
            body.add(text)
        elif fname == "pre":
            pre.add(text)
    got: dict[int, float] = {}
    size: dict[int, float] = {}
    for group, key, weight, idf in terms:
        size[group] = min(size.get(group, idf), idf)
        if key in head:
            credit = CREDIT_HEAD
        elif key in body:
            credit = CREDIT_BODY
        elif word_prefix(key) in pre:
            credit = CREDIT_PREFIX
        else:
            continue
        got[group] = max(got.get(group, 0.0), credit * weight)
    total = sum(size.values())
    if total <= 0:
        return 0.0
    return max(0.0, min(1.0, sum(got.get(g, 0.0) * w for g, w in size.items()) / total))


def confidence(f: Features) -> float:
    """The logistic model over :class:`Features`, in (0, 1)."""
    b, w_cov, w_head, w_margin, w_norm, w_cross = WEIGHTS
    z = (
        b
        + w_cov * f.coverage
        + w_head * f.head_coverage
        + w_margin * f.margin
        + w_norm * f.norm_score
        + w_cross * f.coverage * f.margin
    )
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + exp(-z))
