"""Refit the confidence model (``search/confidence.py``) by the procedure its docs describe.

Every development set (``eval_sets.py``) is split in two halves by document (a stable
hash of the id). For each half, its documents are removed from the corpus, which makes
their queries unanswerable; every query is searched (as ``selfservice eval`` does) and
the features of its top hit are recorded with the label "the top hit is right" (1) or
not (0: a wrong document, or a question with no answer left). A logistic regression
(numpy gradient descent, L2, classes balanced and every set weighing the same) is
fitted on one half and checked on the other (AUC), then refitted on both. The bias is
then set on the whole sets (nothing removed), as ``selfservice eval`` runs them: the
lowest bar at which, on every set, confident top hits are right at least
:data:`TARGET_PRECISION` of the time and :data:`TARGET_REJECTED` of the out-of-scope
questions get no confident hit. Prints the weights to paste into
``confidence.WEIGHTS``::

    python bench/fit_confidence.py ../shared/eval --cache /tmp/vectors.npz
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from eval_sets import all_sets
from retrieval_dev import load_cache, save_cache

from selfservice.search.calibration import recording
from selfservice.search.confidence import vector
from selfservice.search.documents import docs_from_jsonl
from selfservice.search.engine import SearchIndex
from selfservice.search.evaluation import load_queries

#: a little above the 0.90 asked for, so that new questions keep it
TARGET_PRECISION = 0.91
TARGET_REJECTED = 0.90
L2 = 1e-3


def half(doc_id: str) -> int:
    return hashlib.sha1(doc_id.encode()).digest()[0] & 1


def samples(
    corpus: Path, queries: Path, removed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-hit features, labels and "no answer in the corpus" with the documents of half
    ``removed`` taken out (-1: none)."""
    docs = [d for d in docs_from_jsonl(corpus) if half(d.ref) != removed]
    kept = {d.ref for d in docs}
    xs: list[tuple[float, ...]] = []
    ys: list[float] = []
    oos: list[bool] = []
    with tempfile.TemporaryDirectory() as tmp:
        index = SearchIndex.open_or_build(Path(tmp), docs)
        try:
            for q in load_queries(queries):
                gold = set(q.gold) & kept
                with recording() as lists:
                    hits = index.search(q.query, lang=q.lang, limit=10, fallback=False)
                if not hits or not lists or not lists[0]:
                    continue
                f = lists[0][0]
                if f.meaning is None:
                    continue
                xs.append(vector(f))
                ys.append(1.0 if hits[0].id in gold else 0.0)
                oos.append(not gold)
        finally:
            index.close()
    return np.array(xs), np.array(ys), np.array(oos)


def balanced(y: np.ndarray) -> np.ndarray:
    pos = max(1.0, float(y.sum()))
    neg = max(1.0, float(len(y) - y.sum()))
    return np.where(y > 0, 0.5 / pos, 0.5 / neg)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, steps: int = 20000) -> np.ndarray:
    """Weighted logistic regression by gradient descent (weights ``w`` sum to 1)."""
    beta = np.zeros(x.shape[1])
    lr = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (p - y)) + L2 * np.r_[0.0, beta[1:]]
        beta -= lr * grad
    return beta


def auc(score: np.ndarray, y: np.ndarray) -> float:
    pos, neg = score[y > 0], score[y <= 0]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def bar(beta: np.ndarray, sets: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> float:
    """The lowest z at which every set meets both targets."""
    for cut in np.arange(-4.0, 8.0, 0.05):
        fine = True
        for x, y, oos in sets:
            z = x @ beta
            sure = (z >= cut) & ~oos
            if sure.any() and y[sure].mean() < TARGET_PRECISION:
                fine = False
            if oos.any() and (z[oos] < cut).mean() < TARGET_REJECTED:
                fine = False
        if fine:
            return float(cut)
    raise SystemExit("no bar meets the targets")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    load_cache(args.cache)
    data: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {0: [], 1: []}
    whole: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (corpus, queries) in all_sets(args.eval_dir, Path(tmp)).items():
            for removed in (0, 1):
                x, y, _oos = samples(corpus, queries, removed)
                data[removed].append((x, y, balanced(y) / 4))
                print(f"{name} half {removed}: {len(y)} top hits, {int(y.sum())} right")
            whole.append(samples(corpus, queries, -1))
    save_cache(args.cache)

    def stack(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))

    for train, test in ((0, 1), (1, 0)):
        x, y, w = stack(data[train])
        beta = fit(x, y, w / w.sum())
        for xt, yt, _w in data[test]:
            print(f"fit on half {train}, held-out AUC {auc(xt @ beta, yt):.3f}")
    x, y, w = stack(data[0] + data[1])
    beta = fit(x, y, w / w.sum())
    beta[0] -= bar(beta, whole)
    print("WEIGHTS =", tuple(round(float(b), 2) for b in beta))


if __name__ == "__main__":
    main()
