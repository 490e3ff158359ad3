"""Retrieval quality on a labelled query set (``selfservice eval``).

Input is the JSONL format of ``shared/eval/README.md``: a corpus (``id``, ``lang``,
``title``, ``body``, optional ``service``) and queries (``id``, ``lang``, ``query``,
``gold`` = list of corpus ids that answer it; empty = nothing does). The corpus goes into
a temporary index built by exactly the engine the product uses (same analyzers, boosts
and confidence threshold), and each query is searched as a public caller in its language
(without the fallback to the other language: the metrics are per language, and a corpus
with translated twins would otherwise count the twin of the gold document as a miss).

Metrics, overall and per language:

* ``recall@1``, ``recall@5``: share of answerable queries with a gold id in the top 1 / 5;
* ``mrr@10``: mean reciprocal rank of the first gold id in the top 10 (0 if absent);
* ``out_of_scope_rejected``: share of unanswerable queries (empty gold) whose results
  hold no confident hit.

Extra keys: ``answerable``/``out_of_scope`` counts, ``confident_top1`` (share of
answerable queries whose top hit is confident) and ``confident_precision`` (share of
confident top hits that are right).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfservice.search.documents import (
    ARTICLE,
    SearchDoc,
    docs_from_jsonl,
    jsonl_lines,
    plain,
)
from selfservice.search.engine import SearchIndex

__all__ = ["EvalQuery", "answers_corpus", "evaluate", "load_queries", "summarize"]

LIMIT = 10


@dataclass(frozen=True)
class EvalQuery:
    id: str
    lang: str
    query: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class QueryOutcome:
    query: EvalQuery
    ranked: tuple[str, ...]
    confident: tuple[bool, ...]

    @property
    def rank(self) -> int | None:
        """1-based rank of the first gold id in the results, or None."""
        for i, doc_id in enumerate(self.ranked):
            if doc_id in self.query.gold:
                return i + 1
        return None


def load_queries(path: Path) -> list[EvalQuery]:
    out: list[EvalQuery] = []
    for n, line in jsonl_lines(path):
        try:
            rec = json.loads(line)
            gold = rec.get("gold") or []
            if not isinstance(gold, list):
                raise TypeError("gold must be a list")
            out.append(
                EvalQuery(
                    id=str(rec.get("id", n)),
                    lang=str(rec["lang"]),
                    query=str(rec["query"]),
                    gold=tuple(str(g) for g in gold),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{n}: not a query record ({exc})") from None
    return out


def answers_corpus(path: Path) -> tuple[list[SearchDoc], list[EvalQuery]]:
    """A corpus and queries from one file of questions that carry their own ``answer``
    (and ``out_of_scope``), like ``nlu-intents-en``: every in-scope question's answer
    becomes a document (title-less, as in an answers-only FAQ) and is that question's
    gold; an out-of-scope question's answer is left out, so nothing answers it."""
    docs: list[SearchDoc] = []
    queries: list[EvalQuery] = []
    for n, line in jsonl_lines(path):
        try:
            rec = json.loads(line)
            qid, lang = str(rec.get("id", n)), str(rec["lang"])
            answer = str(rec["answer"])
            oos = bool(rec.get("out_of_scope"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{path}:{n}: not a question with an answer ({exc}); "
                "give --corpus for queries with gold ids"
            ) from None
        if not oos:
            docs.append(
                SearchDoc(
                    key=f"{ARTICLE}:answer-{qid}", type=ARTICLE, ref=f"answer-{qid}",
                    lang=lang, audience="public", kind="faq", service="",
                    title="", body=plain(answer),
                )
            )
        gold = () if oos else (f"answer-{qid}",)
        queries.append(EvalQuery(qid, lang, str(rec["query"]), gold))
    return docs, queries


def _metrics(outcomes: list[QueryOutcome]) -> dict[str, Any]:
    answerable = [o for o in outcomes if o.query.gold]
    oos = [o for o in outcomes if not o.query.gold]
    out: dict[str, Any] = {
        "recall@1": None,
        "recall@5": None,
        "mrr@10": None,
        "out_of_scope_rejected": None,
        "answerable": len(answerable),
        "out_of_scope": len(oos),
        "confident_top1": None,
        "confident_precision": None,
    }
    if answerable:
        n = len(answerable)
        ranks = [o.rank for o in answerable]
        out["recall@1"] = round(sum(1 for r in ranks if r == 1) / n, 4)
        out["recall@5"] = round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4)
        out["mrr@10"] = round(sum(1.0 / r for r in ranks if r is not None and r <= 10) / n, 4)
        confident = [o for o in answerable if o.confident[:1] == (True,)]
        out["confident_top1"] = round(len(confident) / n, 4)
        if confident:
            right = sum(1 for o in confident if o.rank == 1)
            out["confident_precision"] = round(right / len(confident), 4)
    if oos:
        rejected = sum(1 for o in oos if not any(o.confident))
        out["out_of_scope_rejected"] = round(rejected / len(oos), 4)
    return out


def summarize(outcomes: list[QueryOutcome]) -> dict[str, Any]:
    """The report: overall, per language, and the number of queries."""
    langs = sorted({o.query.lang for o in outcomes} | {"en", "ru"})
    return {
        "overall": _metrics(outcomes),
        "by_lang": {
            lang: _metrics([o for o in outcomes if o.query.lang == lang]) for lang in langs
        },
        "queries": len(outcomes),
    }


def evaluate(
    corpus: Path | None,
    queries: Path,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    details: bool = False,
    semantic: bool = True,
) -> dict[str, Any]:
    """Index ``corpus`` in a temporary directory, run ``queries``, return the report.

    Without ``corpus``, the queries carry their answers (:func:`answers_corpus`).

    ``progress(stage, done, total)`` reports the "index" and "search" stages. With
    ``details`` the report also lists every query with its rank and top hit;
    ``semantic=False`` ranks by words only.
    """
    if corpus is None:
        docs, qs = answers_corpus(queries)
    else:
        qs = load_queries(queries)
        docs = list(docs_from_jsonl(corpus))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="selfservice-eval-") as tmp:
        index = SearchIndex.open_or_build(
            Path(tmp),
            docs,
            progress=(lambda d, t: progress("index", d, t)) if progress else None,
            semantic=semantic,
        )
        t1 = time.perf_counter()
        outcomes: list[QueryOutcome] = []
        try:
            for n, q in enumerate(qs, 1):
                hits = index.search(
                    q.query, lang=q.lang, audience="public", limit=LIMIT, fallback=False
                )
                outcomes.append(
                    QueryOutcome(
                        q, tuple(h.id for h in hits), tuple(h.confident for h in hits)
                    )
                )
                if progress is not None and (n % 25 == 0 or n == len(qs)):
                    progress("search", n, len(qs))
        finally:
            index.close()
        t2 = time.perf_counter()
    report = summarize(outcomes)
    source = str(corpus) if corpus is not None else f"answers in {queries}"
    report["corpus"] = {"path": source, "documents": len(docs)}
    report["meaning"] = semantic
    report["timing_s"] = {"index": round(t1 - t0, 3), "search": round(t2 - t1, 3)}
    if details:
        report["details"] = [
            {
                "id": o.query.id,
                "lang": o.query.lang,
                "rank": o.rank,
                "top": o.ranked[0] if o.ranked else None,
                "confident": bool(o.confident[:1] == (True,)),
            }
            for o in outcomes
        ]
    return report
