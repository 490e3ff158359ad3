"""How well the classifier decides incident vs request: cold start or cross-validated.

``folds == 0``: the knowledge-base classifier on every example, nothing learnt from them
(what a new installation gets). ``folds >= 2``: stratified k-fold cross-validation; each
fold is classified by the knowledge base plus a model learnt from the other folds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from selfservice.channels.classify import Classification, TextClassifier
from selfservice.channels.examples import Example, score, stratified_folds
from selfservice.channels.learned import LearnedModel

__all__ = ["evaluate"]


def evaluate(base: TextClassifier, examples: Sequence[Example], folds: int) -> dict[str, Any]:
    """The report: macro-F1, per-class precision/recall/F1, confusion, service accuracy."""
    if folds == 1 or folds < 0:
        raise ValueError("folds must be 0 (cold start) or at least 2")
    predicted: list[Classification | None] = [None] * len(examples)
    if folds == 0:
        predicted = list(base.classify_many([e.text for e in examples]))
    else:
        labels = [e.type.value for e in examples]
        if min(labels.count(t) for t in set(labels)) < folds or len(set(labels)) < 2:
            raise ValueError(f"{folds} folds need at least {folds} examples of each type")
        for held in stratified_folds(labels, folds):
            out = set(held)
            learned = LearnedModel([e for i, e in enumerate(examples) if i not in out])
            results = base.with_learned(learned).classify_many([examples[i].text for i in held])
            for i, result in zip(held, results, strict=True):
                predicted[i] = result
    done = [p for p in predicted if p is not None]
    report = score([e.type.value for e in examples], [p.type.value for p in done])
    report["folds"] = folds
    report["examples"] = len(examples)
    with_service = [(e, p) for e, p in zip(examples, done, strict=True) if e.service]
    if with_service:
        right = sum(1 for e, p in with_service if p.service == e.service)
        report["service_accuracy"] = round(right / len(with_service), 4)
    return report
