"""TF-IDF features and a class-balanced logistic regression, in plain numpy.

The learned classifier needs nothing more than this, so the project does not carry
scikit-learn and SciPy (about 165 MB) for it. Texts become sparse rows (CSR arrays):

* **words**: the morphological keys of :func:`selfservice.channels.classify.tokens`
  (Russian lemmas, English stems, negated words as ``¬key``) and adjacent pairs;
* **characters**: 2- to 5-grams inside each lower-cased word padded with spaces, which
  survive typos, inflections and telegraphic text ("vpn connect fail").

Each block is sublinear-TF times smoothed IDF, L2-normalised, then scaled by its weight.
The model is a multinomial logistic regression with L2 penalty; each class is weighted
inversely to its frequency ("balanced"), so a rare class (incidents are ~10 % of a real
desk's tickets) is not drowned by the common one. Training is full-batch Adam on the
convex loss, deterministic for the same examples.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from selfservice.text.words import split_words

__all__ = ["Features", "LogisticRegression", "Rows", "Vectorizer"]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Rows:
    """Sparse matrix in CSR form."""

    indptr: Ints
    indices: Ints
    data: Floats
    width: int

    @property
    def count(self) -> int:
        return len(self.indptr) - 1

    @cached_property
    def rows(self) -> Ints:
        """The row of each stored value."""
        return np.repeat(np.arange(self.count), np.diff(self.indptr))

    @cached_property
    def by_column(self) -> tuple[Ints, Ints, npt.NDArray[np.bool_]]:
        """Stored values in column order: the permutation, each column's first position, and
        which columns are empty."""
        order = np.argsort(self.indices, kind="stable")
        counts = np.bincount(self.indices, minlength=self.width)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        return order, starts, counts == 0

    def take(self, rows: Sequence[int]) -> Rows:
        parts_i: list[Ints] = []
        parts_d: list[Floats] = []
        indptr = [0]
        for r in rows:
            a, b = self.indptr[r], self.indptr[r + 1]
            parts_i.append(self.indices[a:b])
            parts_d.append(self.data[a:b])
            indptr.append(indptr[-1] + int(b - a))
        empty_i: Ints = np.zeros(0, dtype=np.int64)
        empty_d: Floats = np.zeros(0)
        return Rows(
            np.asarray(indptr, dtype=np.int64),
            np.concatenate(parts_i) if parts_i else empty_i,
            np.concatenate(parts_d) if parts_d else empty_d,
            self.width,
        )


Features = Callable[[str], list[str]]


def char_grams(text: str) -> list[str]:
    """2- to 5-grams of characters inside each word, padded with spaces."""
    out: list[str] = []
    for norm, _s, _e in split_words(text, query=True):
        padded = f" {norm} "
        for n in (2, 3, 4, 5):
            out.extend(f"#{padded[i:i + n]}" for i in range(len(padded) - n + 1))
    return out


class Vectorizer:
    """TF-IDF over feature blocks, each normalised separately; fitted on training texts."""

    def __init__(self, blocks: Sequence[tuple[Features, float]], min_df: int = 1) -> None:
        self.blocks = tuple(blocks)
        self.min_df = min_df
        self.vocab: list[dict[str, int]] = []
        self.idf: list[Floats] = []
        self.offsets: list[int] = []
        self.width = 0

    def fit(self, texts: Sequence[str]) -> Vectorizer:
        return self._fit(self._terms(texts))

    def _terms(self, texts: Sequence[str]) -> list[list[list[str]]]:
        """Per text, per block: its terms."""
        return [[extract(text) for extract, _w in self.blocks] for text in texts]

    def _fit(self, terms: list[list[list[str]]]) -> Vectorizer:
        self.vocab, self.idf, self.offsets = [], [], []
        offset = 0
        n = len(terms)
        for block in range(len(self.blocks)):
            df: Counter[str] = Counter()
            for per_text in terms:
                df.update(set(per_text[block]))
            kept = sorted(t for t, c in df.items() if c >= self.min_df)
            self.vocab.append({t: i for i, t in enumerate(kept)})
            self.idf.append(np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in kept]))
            self.offsets.append(offset)
            offset += len(kept)
        self.width = offset
        return self

    def transform(self, texts: Sequence[str]) -> Rows:
        return self._transform(self._terms(texts))

    def _transform(self, terms: list[list[list[str]]]) -> Rows:
        indptr = [0]
        indices: list[Ints] = []
        data: list[Floats] = []
        total = 0
        for per_text in terms:
            for found, (_extract, weight), vocab, idf, offset in zip(
                per_text, self.blocks, self.vocab, self.idf, self.offsets, strict=True
            ):
                counts = Counter(t for t in found if t in vocab)
                if not counts:
                    continue
                idx = np.array([vocab[t] for t in counts], dtype=np.int64)
                val = (1.0 + np.log(np.array(list(counts.values()), dtype=np.float64))) * idf[idx]
                val *= weight / float(np.linalg.norm(val))
                indices.append(idx + offset)
                data.append(val)
                total += len(idx)
            indptr.append(total)
        return self._rows(indptr, indices, data)

    def _rows(self, indptr: list[int], indices: list[Ints], data: list[Floats]) -> Rows:
        return Rows(
            np.asarray(indptr, dtype=np.int64),
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
            np.concatenate(data) if data else np.zeros(0),
            self.width,
        )

    def fit_transform(self, texts: Sequence[str]) -> Rows:
        terms = self._terms(texts)
        return self._fit(terms)._transform(terms)


def _sums(values: Floats, starts: Ints, empty: npt.NDArray[np.bool_]) -> Floats:
    """Sums of consecutive runs of ``values`` beginning at ``starts`` (0 for empty runs)."""
    if not len(values):
        return np.zeros(len(starts))
    out = np.add.reduceat(values, np.minimum(starts, len(values) - 1))
    out[empty] = 0.0
    return out


def _dot(x: Rows, w: Floats) -> Floats:
    """``x @ w`` for CSR ``x`` and dense ``w`` (width × columns)."""
    starts, empty = x.indptr[:-1], np.diff(x.indptr) == 0
    return np.stack(
        [_sums(x.data * w[:, c][x.indices], starts, empty) for c in range(w.shape[1])], axis=1
    )


def _tdot(x: Rows, r: Floats) -> Floats:
    """``x.T @ r`` for CSR ``x`` and dense ``r`` (rows × columns)."""
    order, starts, empty = x.by_column
    rows, data = x.rows[order], x.data[order]
    return np.stack(
        [_sums(data * r[:, c][rows], starts, empty) for c in range(r.shape[1])], axis=1
    )


def _softmax(z: Floats) -> Floats:
    z = z - z.max(axis=1, keepdims=True)
    e: Floats = np.exp(z)
    out: Floats = e / e.sum(axis=1, keepdims=True)
    return out


def _link(z: Floats) -> Floats:
    """Softmax over columns, or the logistic function of a single column."""
    if z.shape[1] == 1:
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return _softmax(z)


class LogisticRegression:
    """Multinomial logistic regression, L2 penalty ``1/(2C)·|W|²`` on the mean loss."""

    def __init__(self, c: float = 10.0, balanced: bool = True, steps: int = 300) -> None:
        self.c = c
        self.balanced = balanced
        self.steps = steps
        self.classes: list[str] = []
        self.coef: Floats = np.zeros((0, 0))
        self.bias: Floats = np.zeros(0)

    def fit(
        self, x: Rows, labels: Sequence[str], weights: Sequence[float] | None = None
    ) -> LogisticRegression:
        self.classes = sorted(set(labels))
        k = len(self.classes)
        y = np.array([self.classes.index(label) for label in labels])
        # two classes need one column (the logit of the second); more need one each
        target = np.eye(k)[y] if k > 2 else (y == 1).astype(np.float64)[:, None]
        sw = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
        if self.balanced:
            per_class = np.bincount(y, weights=sw, minlength=k)
            sw = sw * (sw.sum() / (k * per_class[y]))
        sw = sw / sw.sum()
        w = np.zeros((x.width, target.shape[1]))
        b = np.zeros(target.shape[1])
        m_w, v_w = np.zeros_like(w), np.zeros_like(w)
        m_b, v_b = np.zeros_like(b), np.zeros_like(b)
        lam = 1.0 / (self.c * len(y))
        rate, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
        for step in range(1, self.steps + 1):
            r = (_link(_dot(x, w) + b) - target) * sw[:, None]
            g_w = _tdot(x, r) + lam * w
            g_b = r.sum(axis=0)
            m_w = beta1 * m_w + (1 - beta1) * g_w
            v_w = beta2 * v_w + (1 - beta2) * g_w**2
            m_b = beta1 * m_b + (1 - beta1) * g_b
            v_b = beta2 * v_b + (1 - beta2) * g_b**2
            scale = rate * math.sqrt(1 - beta2**step) / (1 - beta1**step)
            w -= scale * m_w / (np.sqrt(v_w) + eps)
            b -= scale * m_b / (np.sqrt(v_b) + eps)
        if k == 2:
            w = np.hstack([np.zeros_like(w), w])
            b = np.concatenate([np.zeros(1), b])
        self.coef, self.bias = w, b
        return self

    def probabilities(self, x: Rows) -> Floats:
        """One row per text, one column per class (in :attr:`classes` order)."""
        return _softmax(_dot(x, self.coef) + self.bias)
