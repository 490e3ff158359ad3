"""Free text -> ticket type (incident | request) and service, with a confidence.

The same classifier serves free-text tickets from the portal or widget and e-mail. It is
small and explainable; it starts from the knowledge base (adding a form or an article
improves it without any training step) and then learns from the desk's own tickets:

* **Service**: a multinomial Naive Bayes model over word keys (Russian lemmas, English
  stems from :mod:`selfservice.text.words`) and pairs of adjacent keys, so catalog
  keyword phrases ("vpn account", "disk full") count as phrases. The labelled examples
  are the catalog forms (title, description, field and option labels, keywords), the
  public articles (title, symptoms, tags) and the services of ``kb/services.yml``.
* **Type, cold start**: cue phrases in English and Russian ("not working", "cannot",
  "не работает", "недоступен" against "please add", "we need a new", "прошу", "нужно
  создать"), plus the meaning model's closeness to generic incident and request tickets
  (:mod:`selfservice.channels.type_seeds`); with no evidence either way, a request.
* **Learnt** (:mod:`selfservice.channels.learned`): once engineers have classified
  tickets, ``selfservice classify train`` fits a model on them that takes over the type
  and the service as its examples grow.

A negation marks the next word ("не работает" -> ``¬работать``), so "works" and "does not
work" are different features.

The confidence of each decision is a probability-like number in [0, 1]; the overall
:attr:`Classification.confidence` is the lower of the two. With no usable words at all
the service is ``None`` and the confidence 0.
"""

import copy
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from selfservice.channels.learned import LearnedModel
from selfservice.channels.text_features import (
    INCIDENT,
    REQUEST,
    cues,
    features,
    tokens,
    without_disclaimer,
)
from selfservice.channels.type_seeds import INCIDENT_SEEDS, REQUEST_SEEDS
from selfservice.content.model import Article, Content, RequestForm
from selfservice.domain.enums import ArticleKind, TicketType
from selfservice.text.words import fold

__all__ = ["Classification", "TextClassifier", "features", "tokens"]

# --- Naive Bayes ---------------------------------------------------------------------------------


@dataclass
class _NaiveBayes:
    """Multinomial Naive Bayes with weighted counts and Laplace smoothing."""

    alpha: float = 0.5
    counts: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    _vocab: frozenset[str] | None = None

    def add(self, label: str, words: Iterable[str], weight: float = 1.0) -> None:
        bucket = self.counts[label]
        for word in words:
            bucket[word] = bucket.get(word, 0.0) + weight
        self._vocab = None

    def vocabulary(self) -> frozenset[str]:
        if self._vocab is None:
            self._vocab = frozenset(w for bucket in self.counts.values() for w in bucket)
        return self._vocab

    def log_scores(self, words: list[str]) -> dict[str, float]:
        vocab = self.vocabulary()
        known = [w for w in words if w in vocab]
        size = len(vocab)
        scores: dict[str, float] = {}
        for label, bucket in self.counts.items():
            total = sum(bucket.values())
            denom = math.log(total + self.alpha * size)
            scores[label] = sum(math.log(bucket.get(w, 0.0) + self.alpha) - denom for w in known)
        return scores

    def top_words(self, label: str, words: list[str], n: int = 5) -> list[str]:
        """Words of the text that speak most for ``label`` against the other labels."""
        vocab = self.vocabulary()
        size = len(vocab)
        totals = {lab: sum(b.values()) + self.alpha * size for lab, b in self.counts.items()}

        def lift(word: str) -> float:
            own = (self.counts[label].get(word, 0.0) + self.alpha) / totals[label]
            others = [
                (b.get(word, 0.0) + self.alpha) / totals[lab]
                for lab, b in self.counts.items()
                if lab != label
            ]
            return math.log(own / (sum(others) / max(1, len(others))))

        ranked = sorted({w for w in words if w in vocab}, key=lift, reverse=True)
        return [w for w in ranked if lift(w) > 0][:n]


def _softmax(scores: dict[str, float], temperature: float) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp((v - top) / temperature) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


# --- the classifier ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    type: TicketType
    service: str | None
    confidence: float
    """The lower of :attr:`type_confidence` and :attr:`service_confidence`."""
    type_confidence: float
    service_confidence: float
    reasons: tuple[str, ...] = ()
    """Human-readable evidence: cue phrases found and the words that chose the service."""


_ARTICLE_TYPE = {
    ArticleKind.SCRIPTED_SOLUTION: TicketType.INCIDENT,
    ArticleKind.KNOWN_ERROR: TicketType.INCIDENT,
    ArticleKind.HOW_TO: TicketType.REQUEST,
    ArticleKind.FAQ: TicketType.REQUEST,
}


def _form_texts(form: RequestForm) -> Iterator[tuple[str, float]]:
    """(text, weight) pairs describing a form."""
    for text in (form.title.en, form.title.ru):
        yield text, 2.0
    for text in (form.description.en, form.description.ru):
        yield text, 1.0
    for keyword in form.keywords:
        yield keyword, 3.0
    for f in form.fields:
        yield f"{f.label.en} {f.label.ru}", 0.3
        for option in f.options:
            yield f"{option.label.en} {option.label.ru}", 0.3


def _article_texts(article: Article) -> Iterator[tuple[str, float]]:
    yield article.title, 2.0
    for symptom in article.symptoms:
        yield symptom, 2.0
    for tag in article.tags:
        yield tag, 1.0


class _Seeds:
    """Cosine closeness of texts to the incident and request seeds (meaning model)."""

    TOP = 5

    def __init__(self) -> None:
        from selfservice.text.encoder import shared_encoder

        self.encoder = shared_encoder()
        self.incident = self.encoder.documents(list(INCIDENT_SEEDS))
        self.request = self.encoder.documents(list(REQUEST_SEEDS))

    def margins(self, texts: Sequence[str]) -> list[float]:
        """Per text: mean of the top similarities to incidents minus that to requests."""
        vectors = self.encoder.documents(list(texts))

        def top(seeds: Any) -> Any:
            return np.sort(vectors @ seeds.T, axis=1)[:, -self.TOP :].mean(axis=1)

        return [float(v) for v in top(self.incident) - top(self.request)]


def _meaning_on() -> bool:
    """``SELFSERVICE_SEARCH_MEANING``: with the meaning model off for search, the
    classifier does not load it either (an installation without the model file)."""
    from selfservice.text.encoder import meaning_enabled

    return meaning_enabled()


class TextClassifier:
    """Build once from the loaded knowledge base, then call :meth:`classify` per text.

    The **cold start** (nothing learnt from the desk) decides the type from the cue
    phrases plus the meaning model's closeness to generic incident and request tickets
    (:mod:`selfservice.channels.type_seeds`), and the service from the knowledge base.
    A :class:`LearnedModel` (the desk's own classified tickets) takes over as it grows:
    its vote weighs ``n / (n + PRIOR_EXAMPLES)`` with ``n`` the examples of the rarer type.
    """

    #: Weight of the meaning-model margin against the cue phrases.
    SEED_WEIGHT = 20.0
    #: Softmax temperature of the service model (higher = less overconfident).
    SERVICE_TEMPERATURE = 4.0
    #: Requests are the commoner kind at every desk: with no evidence, or as much for an
    #: incident as for a request, a text is a request (an incident with probability 0.44).
    REQUEST_PRIOR = 0.25
    #: How many labelled examples the cold start is worth.
    PRIOR_EXAMPLES = 25.0

    def __init__(self, services: Iterable[str], *, semantic: bool | None = None) -> None:
        self.services = tuple(services)
        self._service = _NaiveBayes(alpha=0.3)
        self._semantic = _meaning_on() if semantic is None else semantic
        self._seeds: _Seeds | None = None
        self.learned: LearnedModel | None = None
        self._follow: Callable[[], LearnedModel | None] | None = None

    @classmethod
    def from_content(
        cls, content: Content, *, learned: LearnedModel | None = None,
        semantic: bool | None = None,
    ) -> "TextClassifier":
        """``semantic=False`` leaves out the meaning model (cue phrases only); ``None``
        follows ``SELFSERVICE_SEARCH_MEANING``, like search."""
        model = cls(content.services, semantic=semantic)
        model.learned = learned
        for service in content.services.values():
            texts = [service.name.en, service.name.ru]
            if service.description is not None:
                texts += [service.description.en, service.description.ru]
            for text in texts:
                model._service.add(service.id, features(text), 2.0)
        for form in content.forms.values():
            for text, weight in _form_texts(form):
                model._service.add(form.service, features(text), weight)
        for article in content.public_articles():
            for text, weight in _article_texts(article):
                model._service.add(article.service, features(text), weight)
        return model

    def with_learned(self, learned: LearnedModel | None) -> "TextClassifier":
        """The same knowledge base with another learned model (shares the cold start)."""
        other = copy.copy(self)
        other.learned = learned
        return other

    def following(self, source: Callable[[], LearnedModel | None]) -> "TextClassifier":
        """Asks ``source`` for the current learned model before each classification (a
        cheap call: it checks the stored version now and then)."""
        self._follow = source
        self.learned = source()
        return self

    def _margins(self, texts: Sequence[str]) -> list[float]:
        if not self._semantic:
            return [0.0] * len(texts)
        if self._seeds is None:
            self._seeds = _Seeds()
        return self._seeds.margins(texts)

    def classify(self, text: str) -> Classification:
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """:meth:`classify` of each text, computed together (faster for many)."""
        if self._follow is not None:
            self.learned = self._follow()
        learned = self.learned
        texts = [without_disclaimer(t) for t in texts]
        types = learned.incident_probabilities(texts) if learned is not None else None
        services = learned.service_probabilities(texts) if learned is not None else None
        trust = 0.0
        if learned is not None and types is not None:
            trust = learned.type_support / (learned.type_support + self.PRIOR_EXAMPLES)
        # a well-fed learned model outvotes the meaning model: skip its cost
        margins = self._margins(texts) if trust < 0.85 else [0.0] * len(texts)
        out = []
        for i, text in enumerate(texts):
            p_cold, reasons = self._cold_type(text, margins[i])
            p_incident = p_cold if types is None else trust * types[i] + (1 - trust) * p_cold
            if types is not None:
                reasons.append(f"learnt from {learned.size if learned else 0} tickets:"
                               f" incident {types[i]:.2f}")
            kind = TicketType.INCIDENT if p_incident >= 0.5 else TicketType.REQUEST
            type_conf = max(p_incident, 1.0 - p_incident)
            out.append(self._with_service(text, kind, type_conf, reasons,
                                          services[i] if services is not None else None))
        return out

    def _cold_type(self, text: str, margin: float) -> tuple[float, list[str]]:
        """Probability of an incident from cue phrases and the meaning model; reasons."""
        folded = fold(text)
        inc, inc_found = cues(folded, INCIDENT)
        req, req_found = cues(folded, REQUEST)
        score = inc - req + self.SEED_WEIGHT * margin - self.REQUEST_PRIOR
        reasons = [f"incident cue: {c}" for c in inc_found] + [
            f"request cue: {c}" for c in req_found
        ]
        if margin:
            reasons.append(f"closer to {'incidents' if margin > 0 else 'requests'} by meaning")
        return 1.0 / (1.0 + math.exp(-score)), reasons

    def _with_service(
        self, text: str, kind: TicketType, type_conf: float, reasons: list[str],
        learned: dict[str, float] | None,
    ) -> Classification:
        words = features(text)
        scores = self._service.log_scores(words)
        vocab_hits = [w for w in words if w in self._service.vocabulary()]
        if (not vocab_hits or not scores) and not learned:
            return Classification(kind, None, 0.0, round(type_conf, 3), 0.0, tuple(reasons))
        probs = _softmax(scores, self.SERVICE_TEMPERATURE) if vocab_hits and scores else {}
        if learned:
            trust = self._service_trust()
            probs = {s: trust * learned.get(s, 0.0) + (1 - trust) * probs.get(s, 0.0)
                     for s in set(probs) | set(learned)}
        service = max(probs, key=lambda s: probs[s])
        service_conf = probs[service]
        top = self._service.top_words(service, words) if service in self._service.counts else []
        if top:
            reasons.append(f"service words: {', '.join(top)}")
        return Classification(
            type=kind,
            service=service,
            confidence=round(min(type_conf, service_conf), 3),
            type_confidence=round(type_conf, 3),
            service_confidence=round(service_conf, 3),
            reasons=tuple(reasons),
        )

    def _service_trust(self) -> float:
        if self.learned is None or not self.learned.services:
            return 0.0
        n = min(self.learned.services.values())
        return n / (n + self.PRIOR_EXAMPLES)
