"""What the customers' own words add as symptoms: half of each article's real questions
are accepted as its symptoms, the other half is searched, before and after.

On ``rutube-ru`` (real Russian user questions against a support FAQ): the questions of
every article are sorted by id and split in two; the first half is written into the
article's ``symptoms`` (as ``selfservice kb phrasings accept`` would), and the second
half is searched against the corpus without them and with them, by the product's engine
(the same index, passages and confidence as ``selfservice eval``).

Usage::

    python bench/learned_phrasings.py [--data ../shared/eval/rutube-ru] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from selfservice.search.documents import SearchDoc, docs_from_jsonl
from selfservice.search.engine import SearchIndex
from selfservice.search.evaluation import EvalQuery, QueryOutcome, load_queries, summarize

HERE = Path(__file__).resolve().parent
METRICS = ("recall@1", "recall@5", "mrr@10", "confident_top1", "confident_precision")


def split(queries: list[EvalQuery]) -> tuple[dict[str, list[str]], list[EvalQuery]]:
    """Phrasings to learn per article, and the questions held out to search."""
    by_article: dict[str, list[EvalQuery]] = defaultdict(list)
    for q in queries:
        if q.gold:
            by_article[q.gold[0]].append(q)
    learn: dict[str, list[str]] = defaultdict(list)
    held_out: list[EvalQuery] = []
    for article, asked in by_article.items():
        asked.sort(key=lambda q: q.id)
        half = len(asked) // 2
        learn[article] = [q.query for q in asked[:half]]
        held_out += asked[half:]
    return learn, held_out


def run(docs: list[SearchDoc], queries: list[EvalQuery]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="selfservice-phrasings-") as tmp:
        index = SearchIndex.open_or_build(Path(tmp), docs)
        try:
            outcomes = []
            for q in queries:
                hits = index.search(q.query, lang=q.lang, limit=10, fallback=False)
                outcomes.append(QueryOutcome(q, tuple(h.id for h in hits),
                                             tuple(h.confident for h in hits)))
        finally:
            index.close()
    overall: dict[str, Any] = summarize(outcomes)["overall"]
    return {k: overall[k] for k in METRICS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared/eval/rutube-ru")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    docs = list(docs_from_jsonl(args.data / "corpus.jsonl"))
    learn, held_out = split(load_queries(args.data / "queries.jsonl"))
    taught = [
        replace(d, symptoms="; ".join(learn[d.ref])) if learn.get(d.ref) else d for d in docs
    ]
    result = {
        "learned_phrasings": sum(len(v) for v in learn.values()),
        "held_out_questions": len(held_out),
        "before": run(docs, held_out),
        "after": run(taught, held_out),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['learned_phrasings']} phrasings learned, "
          f"{result['held_out_questions']} held-out questions searched")
    for k in METRICS:
        print(f"{k:20} {result['before'][k]!s:>7} -> {result['after'][k]!s:>7}")


if __name__ == "__main__":
    main()
