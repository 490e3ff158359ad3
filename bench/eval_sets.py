"""The development sets of ``shared/eval`` as ``selfservice eval`` reads them.

``nlu-intents-en`` has no corpus: each question carries its answer. This writes one
(every distinct answer of an in-scope question is a document; a question's gold is the
documents with its answer, and the 14 out-of-scope questions have none), so that it
runs through ``selfservice eval`` like the other sets::

    python bench/eval_sets.py nlu ../shared/eval /tmp/nlu   # writes corpus/queries.jsonl
    selfservice eval --corpus /tmp/nlu/corpus.jsonl --queries /tmp/nlu/queries.jsonl
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

#: name -> (corpus, queries), relative to shared/eval; nlu is written by :func:`nlu`.
SETS = {
    "stackfaq-en": ("stackfaq-en/corpus.jsonl", "stackfaq-en/queries.jsonl"),
    "rutube-ru": ("rutube-ru/corpus.jsonl", "rutube-ru/queries.jsonl"),
    "vkcloud-faq": ("vkcloud-faq/corpus-answers-only.jsonl", "vkcloud-faq/queries.jsonl"),
}


def nlu(eval_dir: Path, out: Path) -> tuple[Path, Path]:
    """Write the nlu-intents-en corpus and queries to ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [
        json.loads(line)
        for line in (eval_dir / "nlu-intents-en" / "queries.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    ids: dict[str, str] = {}
    for r in rows:
        if not r["out_of_scope"] and r["answer"] not in ids:
            ids[r["answer"]] = "a" + hashlib.sha1(r["answer"].encode()).hexdigest()[:10]
    corpus, queries = out / "corpus.jsonl", out / "queries.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for answer, doc_id in ids.items():
            rec = {"id": doc_id, "lang": "en", "title": "", "body": answer}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with queries.open("w", encoding="utf-8") as fh:
        for r in rows:
            gold = [] if r["out_of_scope"] else [ids[r["answer"]]]
            rec = {"id": r["id"], "lang": "en", "query": r["query"], "gold": gold}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return corpus, queries


def all_sets(eval_dir: Path, tmp: Path) -> dict[str, tuple[Path, Path]]:
    """Every development set as (corpus, queries) paths."""
    out = {name: (eval_dir / c, eval_dir / q) for name, (c, q) in SETS.items()}
    out["nlu-intents-en"] = nlu(eval_dir, tmp / "nlu-intents-en")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "nlu":
        sys.exit("usage: eval_sets.py nlu <shared/eval dir> <output dir>")
    for p in nlu(Path(sys.argv[2]), Path(sys.argv[3])):
        print(p)
