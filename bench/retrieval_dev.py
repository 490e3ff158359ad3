"""Every development set through ``selfservice eval``'s engine, in one process, as a table.

Engine constants can be overridden to compare variants side by side (the sentence
vectors are cached per process, so a variant costs seconds, not minutes)::

    python bench/retrieval_dev.py ../shared/eval
    python bench/retrieval_dev.py ../shared/eval --set fusion.MODE=rrf \
        --set engine.SEMANTIC_WEIGHT=0.5 --cache /tmp/vectors.npz
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from eval_sets import all_sets

from selfservice.search.evaluation import evaluate
from selfservice.search.semantic import shared_encoder

COLUMNS = (
    "recall@1", "recall@5", "mrr@10", "out_of_scope_rejected", "confident_top1",
    "confident_precision",
)


def load_cache(path: Path | None) -> None:
    """Vectors computed by an earlier run (the model is the slow part of a run)."""
    if path is None or not path.exists():
        return
    enc = shared_encoder()
    with np.load(path, allow_pickle=False) as data:
        for kind, store in (("d", enc._cache), ("q", enc._queries)):
            keys, vecs = data[f"{kind}_keys"], data[f"{kind}_vecs"]
            for k, v in zip(keys.tolist(), vecs, strict=True):
                store[k if kind == "q" else bytes.fromhex(k)] = v


def save_cache(path: Path | None) -> None:
    if path is None:
        return
    enc = shared_encoder()
    d, q = list(enc._cache.items()), list(enc._queries.items())
    np.savez(
        path,
        d_keys=np.array([k.hex() for k, _v in d], dtype=str),
        d_vecs=np.array([v for _k, v in d], dtype=np.float32).reshape(-1, 384),
        q_keys=np.array([k for k, _v in q], dtype=str),
        q_vecs=np.array([v for _k, v in q], dtype=np.float32).reshape(-1, 384),
    )


def apply(settings: list[str]) -> list[tuple[Any, str, Any]]:
    """Set ``module.ATTR=value`` items; returns what to restore."""
    undo: list[tuple[Any, str, Any]] = []
    for item in settings:
        name, _, value = item.partition("=")
        module, _, attr = name.rpartition(".")
        mod = importlib.import_module(f"selfservice.search.{module}")
        old = getattr(mod, attr)
        undo.append((mod, attr, old))
        setattr(mod, attr, type(old)(json.loads(value)) if not isinstance(old, str) else value)
    return undo


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'set':22} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'OOS':>6} {'conf@1':>6} {'prec':>6}"]
    for name, report in results.items():
        rows = [("", report["overall"])]
        if name == "vkcloud-faq":
            rows = [(f" {lang}", report["by_lang"][lang]) for lang in ("en", "ru")]
        for suffix, m in rows:
            cells = " ".join(
                f"{m[c]:>6.3f}" if m[c] is not None else f"{'-':>6}" for c in COLUMNS
            )
            lines.append(f"{name + suffix:22} {cells}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--set", action="append", default=[], help="module.ATTR=value")
    ap.add_argument("--only", action="append", default=None)
    ap.add_argument("--cache", type=Path, default=None, help="vector cache file (.npz)")
    ap.add_argument(
        "--variant", action="append", default=None,
        help="settings of one variant, separated by semicolons; each variant gets its own table",
    )  # fmt: skip
    args = ap.parse_args()
    apply(args.set)
    load_cache(args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        sets = all_sets(args.eval_dir, Path(tmp))
        for variant in args.variant or [""]:
            undo = apply([v for v in variant.split(";") if v])
            results = {
                name: evaluate(corpus, queries)
                for name, (corpus, queries) in sets.items()
                if args.only is None or name in args.only
            }
            for mod, attr, old in undo:
                setattr(mod, attr, old)
            save_cache(args.cache)
            print(f"## {variant or 'as committed'}")
            print(table(results), flush=True)


if __name__ == "__main__":
    main()
