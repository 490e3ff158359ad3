"""The part of the classifier learnt from the desk's own labelled tickets.

Type: TF-IDF words + character n-grams, class-balanced logistic regression
(:mod:`selfservice.channels.linear`). Service: the same, over the examples that name a
service, when they name at least two. The model is refitted from its examples (a few
seconds for thousands of tickets), so what is stored is the examples, plain JSON: nothing
executable is ever loaded from the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from selfservice.channels.examples import Example
from selfservice.channels.linear import LogisticRegression, Rows, Vectorizer, char_grams
from selfservice.channels.text_features import pair_features, tokens, without_disclaimer
from selfservice.domain.enums import TicketType

__all__ = ["LearnedModel", "word_features"]


def word_features(text: str) -> list[str]:
    """Word keys, adjacent pairs and negated words (``¬работать``)."""
    keys = tokens(text)
    return pair_features(keys) + [t for t in keys if t.startswith("¬")]


def _vectorizer() -> Vectorizer:
    return Vectorizer([(word_features, 1.0), (char_grams, 1.0)])


class LearnedModel:
    """Fitted at construction; ``version`` is the stored model's number (0: not stored).

    It learns from the examples without their e-mail disclaimers and is asked about
    texts the classifier has already cut the same way."""

    def __init__(self, examples: Sequence[Example], version: int = 0) -> None:
        self.version = version
        self.size = len(examples)
        counts = Counter(e.type for e in examples)
        #: Examples of the rarer type: how much the type model can be trusted.
        self.type_support = min(counts.get(t, 0) for t in TicketType)
        self._type: tuple[Vectorizer, LogisticRegression] | None = None
        if self.type_support:
            vec = _vectorizer()
            x = vec.fit_transform([without_disclaimer(e.text) for e in examples])
            self._type = vec, LogisticRegression().fit(x, [e.type.value for e in examples])
        labelled = [e for e in examples if e.service]
        self.services = Counter(e.service for e in labelled)
        self._service: tuple[Vectorizer, LogisticRegression] | None = None
        if len(self.services) >= 2:
            vec = _vectorizer()
            x = vec.fit_transform([without_disclaimer(e.text) for e in labelled])
            self._service = vec, LogisticRegression().fit(x, [str(e.service) for e in labelled])

    def incident_probabilities(self, texts: Sequence[str]) -> list[float] | None:
        if self._type is None:
            return None
        vec, model = self._type
        p = model.probabilities(vec.transform(texts))
        return [float(v) for v in p[:, model.classes.index(TicketType.INCIDENT.value)]]

    def service_probabilities(self, texts: Sequence[str]) -> list[dict[str, float]] | None:
        if self._service is None:
            return None
        vec, model = self._service
        x: Rows = vec.transform(texts)
        p = model.probabilities(x)
        empty = np.diff(x.indptr) == 0
        return [
            {} if empty[i] else dict(zip(model.classes, map(float, row), strict=True))
            for i, row in enumerate(p)
        ]
