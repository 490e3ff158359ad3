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

* ``meaning``: the hit's cosine similarity above the query's floor of unrelated
  passages (``semantic.py``), when the hit has a vector.

They are combined by a logistic model, ``confidence = sigmoid(w · features)``, with ONE
set of weights for every corpus (:data:`WEIGHTS`; :data:`WORDS_WEIGHTS` for hits
without a vector), and a hit is *confident* when confidence >= :data:`THRESHOLD`.

How the weights were chosen (``bench/fit_confidence.py`` repeats it): every development
set of ``shared/eval`` (stackfaq-en, rutube-ru, vkcloud-faq answers-only, nlu-intents-en)
was split in two halves by document; each half's documents were removed from the corpus,
which makes their queries unanswerable. A balanced logistic regression was fitted to tell
"the top hit is right" from "it is not" (a wrong document, or no answer left), fitted on
one half and checked on the other (held-out AUC 0.76 - 0.95), then refitted on both. The
bias was then set on the whole sets: the lowest bar at which, on every set, at least 91 %
of the confident top hits are right and at least 90 % of the out-of-scope questions get
no confident hit. The meaning feature carries the largest weight after the margin: a
Russian question and an English article share no word, only meaning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import exp

from selfservice.search.analysis import word_prefix

__all__ = ["THRESHOLD", "Features", "confidence", "coverage", "vector"]

#: Hits at or above this confidence are "confident enough to suggest".
THRESHOLD = 0.5

#: Logistic weights without meaning: bias, coverage, head coverage, margin, normalized
#: score, and the coverage × margin interaction.
WORDS_WEIGHTS = (-1.56, 1.24, 0.44, 1.74, 0.79, 1.23)
#: With meaning: the same, then the similarity gain × :data:`MEANING_SCALE`.
WEIGHTS = (-3.84, 1.51, 0.21, 4.38, -0.57, 2.33, 1.69)
#: The similarity gain is a few hundredths: scaled to the range of the other features.
MEANING_SCALE = 10.0

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
    #: cosine similarity above the query's floor of unrelated passages; None when the
    #: hit has no vector (meaning off, or a language the model lacks)
    meaning: float | None = None


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


def vector(f: Features) -> tuple[float, ...]:
    """The model's inputs: 1 (bias), the features, coverage × margin, and with meaning
    the scaled similarity gain."""
    base = (1.0, f.coverage, f.head_coverage, f.margin, f.norm_score, f.coverage * f.margin)
    if f.meaning is None:
        return base
    return (*base, max(-1.0, min(2.0, f.meaning * MEANING_SCALE)))


def confidence(f: Features) -> float:
    """The logistic model over :class:`Features`, in (0, 1)."""
    weights = WORDS_WEIGHTS if f.meaning is None else WEIGHTS
    z = sum(w * x for w, x in zip(weights, vector(f), strict=True))
    if z < -30:
        return 0.0
    return 1.0 / (1.0 + exp(-z))
