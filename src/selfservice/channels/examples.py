"""Labelled tickets for the classifier: reading JSON lines, scoring, cross-validation folds.

A labelled example is ``{"text": "...", "type": "incident" | "request"}`` with an optional
``"service"``; other keys (``id``, ``lang``...) are ignored. Bad lines are reported as
``FILE:LINE: reason``, all of them at once.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfservice.domain.enums import TicketType

__all__ = [
    "Example", "ExamplesError", "parse_examples", "read_examples", "score", "stratified_folds",
]

TYPES = tuple(t.value for t in TicketType)


@dataclass(frozen=True)
class Example:
    text: str
    type: TicketType
    service: str | None = None


class ExamplesError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _example(item: Any) -> Example | str:
    if not isinstance(item, dict):
        return 'expected a JSON object with "text" and "type"'
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        return '"text" is missing, empty or not a string'
    kind = item.get("type")
    if kind not in TYPES:
        return f'"type" must be one of {", ".join(TYPES)}'
    service = item.get("service")
    if service is not None and (not isinstance(service, str) or not service):
        return '"service" must be a non-empty string or null'
    return Example(text, TicketType(kind), service)


def parse_examples(lines: Iterable[str], name: str) -> list[Example]:
    """Examples from JSON lines; blank lines are skipped. Raises :class:`ExamplesError`."""
    out: list[Example] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            parsed: Example | str = _example(json.loads(line))
        except json.JSONDecodeError as exc:
            parsed = f"invalid JSON: {exc.msg} (column {exc.colno})"
        if isinstance(parsed, str):
            errors.append(f"{name}:{number}: {parsed}")
        else:
            out.append(parsed)
    if errors:
        raise ExamplesError(errors)
    return out


def read_examples(path: Path) -> list[Example]:
    try:
        with path.open(encoding="utf-8") as source:
            return parse_examples(source, str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ExamplesError([f"{path}: cannot read: {exc}"]) from None


def score(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = TYPES
          ) -> dict[str, Any]:
    """Macro-F1, per-class precision/recall/F1 and the confusion matrix
    (``confusion[gold][predicted]``)."""
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = confusion[label][label]
        fp = sum(confusion[g][label] for g in labels if g != label)
        fn = sum(confusion[label][p] for p in labels if p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4)}
    macro = sum(c["f1"] for c in per_class.values()) / len(labels)
    return {"macro_f1": round(macro, 4), "per_class": per_class, "confusion": confusion}


def stratified_folds(labels: Sequence[str], k: int, seed: int = 13) -> list[list[int]]:
    """``k`` disjoint lists of indices, each with about the same share of every label."""
    folds: list[list[int]] = [[] for _ in range(k)]
    rng = random.Random(seed)
    start = 0
    for label in sorted(set(labels)):
        members = [i for i, lab in enumerate(labels) if lab == label]
        rng.shuffle(members)
        for j, index in enumerate(members):
            folds[(start + j) % k].append(index)
        start += len(members)
    return [sorted(f) for f in folds]
