"""Free text -> ticket type (incident | request) and service, with a confidence.

The same classifier serves free-text tickets from the portal or widget and e-mail. It is
small and explainable, and learns only from the knowledge base, so adding a form or an
article improves it without any training step:

* **Service**: a multinomial Naive Bayes model over word keys (Russian lemmas, English
  stems from :mod:`selfservice.search.analysis`) and pairs of adjacent keys, so catalog
  keyword phrases ("vpn account", "disk full") count as phrases. The labelled examples
  are the catalog forms (title, description, field and option labels, keywords), the
  public articles (title, symptoms, tags) and the services of ``kb/services.yml``.
* **Type**: cue phrases in English and Russian ("not working", "cannot", "не работает",
  "недоступен" against "please add", "we need a new", "прошу", "нужно создать"), plus a
  second Naive Bayes model trained on the forms' types and the articles' kinds
  (troubleshooting articles count as incidents, how-tos and FAQs as requests).

A negation marks the next word ("не работает" -> ``¬работать``), so "works" and "does not
work" are different features.

The confidence of each decision is a probability-like number in [0, 1]; the overall
:attr:`Classification.confidence` is the lower of the two. With no usable words at all
the service is ``None`` and the confidence 0.
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from selfservice.content.model import Article, Content, RequestForm
from selfservice.domain.enums import ArticleKind, TicketType
from selfservice.search import analysis

__all__ = ["Classification", "TextClassifier", "features", "tokens"]

_NEGATIONS = frozenset({"не", "нет", "ни", "not", "no", "never", "cannot", "without", "без"})
_CONTRACTION = re.compile(r"(\w)n[’']t\b", re.IGNORECASE)
_CANNOT = re.compile(r"\bcannot\b", re.IGNORECASE)


def features(text: str) -> list[str]:
    """Service-model features: word keys without numbers, plus pairs of adjacent keys
    ("vpn account" -> ``vpn+account``) so that catalog keyword phrases weigh more."""
    keys = [k for k in tokens(text) if not k.startswith("¬") and not k.isdigit()]
    return keys + [f"{a}+{b}" for a, b in zip(keys, keys[1:], strict=False)]


def tokens(text: str) -> list[str]:
    """Word keys of ``text``, each negated word also as ``¬key``."""
    text = _CANNOT.sub("can not", _CONTRACTION.sub(r"\1 not", text))
    out: list[str] = []
    negate = False
    for norm, _start, _end in analysis.split_words(text, query=True):
        if norm in _NEGATIONS:
            negate = True
            continue
        key = analysis.query_word_key(norm)
        if key is None:
            continue
        out.append(key)
        if negate:
            out.append(f"¬{key}")
            negate = False
    return out


# --- cue phrases for the type ------------------------------------------------------------------

# (pattern, weight). Matched on lowercased text with ё folded to е; each pattern counts once.
_INCIDENT_CUES: tuple[tuple[str, float], ...] = (
    (r"\b(?:not|n't|never)\s+(?:work|respond|load|boot|start|open|connect|resolv|deliver"
     r"|receiv|accept|reachable|available|valid|secure|private|com(?:e|ing)\s+up)", 2.0),
    (r"\bstopped\s+\w+ing\b|\bstopped working\b", 2.0),
    (r"\b(?:cannot|can't|can not|could not|couldn't|unable to|fails? to|failed to)\b", 1.5),
    (r"\b(?:is|are|went|goes|been)\s+down\b|\boutage\b|\bunreachable\b|\binaccessible\b", 2.0),
    (r"\berrors?\b|\bfail(?:ed|ing|ure|s)?\b|\bcrash(?:ed|es|ing)?\b|\bpanic\b", 1.5),
    (r"\b(?:hangs?|hung|frozen|freez\w*|stuck|broken|slow|lag\w*)\b", 1.0),
    (r"\btime[sd]?\s*-?\s*out\b|\btimeouts?\b|\bpacket loss\b|\brefused\b|\bdenied\b", 1.5),
    (r"\bbounc\w+|\brejected\b|\bexpired\b|\bmismatch\b|\bread-only\b|\bservfail\b", 1.5),
    (r"\bno\s+(?:internet|connection|access|backups?|mail|e-mail|space)\b|\bnobody\b", 1.5),
    (r"\bmissed\b|\blocked\b|\bkeeps\s+\w+ing\b|\bdoes not\b|\bdon't\b|\bdoesn't\b", 1.0),
    (r"\b(?:5\d\d|40[34])\b|\bbad gateway\b|\bi/o\b|\bblue screen\b|\bis full\b", 1.0),
    (r"не\s+(?:работ|отвеча|пинг|загруж|открыва|подключ|подходит|приход|доход|проход"
     r"|поднима|выполн|созда|запуска|грузит|видит|доступ|резолв|получа)", 2.0),
    (r"\bперестал|\bперестало|\bперестали", 2.0),
    (r"\bне\s+(?:могу|можем|может|могут|удает|удается|получает)|\bневозможно\b", 1.5),
    (r"недоступ|\bошибк|\bсбой|\bавари|\bупал|\bпада[ею]т|\bзавис", 2.0),
    (r"\bтормоз|\bмедленн|\bпотер[ияь]\s+пакет|\bтаймаут|\bнет\s+(?:интернета|связи|доступа)", 1.5),
    (r"\bвозвращаю?тся\b|\bв спам\b|\bчерн\w+ спис|\bистек\b|\bпросрочен|\bнебезопасн", 1.5),
    (r"\bзаблокирован[аоы]?\b|\bзакончил\w* мест|\bкончил\w* мест|\bпропал|\bне доверя", 1.5),
    (r"\bпроблем|\bсиний экран|\bне\s+\w+ся\b|\bлицензировани\w* ошиб|\bошибк\w* лиценз", 1.0),
)  # fmt: skip
_REQUEST_CUES: tuple[tuple[str, float], ...] = (
    (r"\bplease\s+(?:add|create|open|increase|extend|issue|renew|restore|set\s*up|configure"
     r"|enable|change|install|grant|give|provide|send|delete|remove|disable|block|allocate"
     r"|order|upgrade|deploy|make|update|roll\s*back|whitelist|delegate|reboot|restart"
     r"|schedule|register|invite|activate|prepare|transfer|move)\b", 2.5),
    (r",\s*please[.!]?\s*$|\bplease[.!]?\s*$", 1.0),
    (r"\bwe\s+(?:need|want|require)\s+(?:a|an|to|more|new|\d+)\b|\bneed\s+(?:a|an)\s+new\b", 2.0),
    (r"\b(?:we|i)\s*(?:would|'d)\s+like\b|\b(?:could|can|would)\s+you\s+(?:please\s+)?(?:add"
     r"|create|open|increase|extend|issue|renew|restore|roll|set|change|send|give|provide"
     r"|enable|disable|install|delegate|whitelist)\b", 2.0),
    (r"\bconsultation\b|\badvice\b|\brecommend\w*\b|\bhow\s+(?:do|can|to|should)\b"
     r"|\bwhat\s+do\s+we\s+need\b|\bquote\b", 1.5),
    (r"\b(?:add|create|issue|renew|extend|increase|restore|delegate|whitelist|disable"
     r"|revoke)\b", 0.5),
    (r"\b(?:new|more|additional|extra)\s+(?:user|mailbox|vm|server|account|licen[cs]es?"
     r"|certificate|cores?|ram|memory|disk|storage|staff|employee)", 1.0),
    (r"\bпрошу\b|\bпросим\b", 2.5),
    (r"\b(?:нужно|нужен|нужна|нужны|необходимо|требуется|надо)\s+(?:добав|созда|увелич"
     r"|расшир|продл|выпуст|восстанов|настро|выда|откры|перенес|подключ|докуп|заблок"
     r"|удал|измен|предостав|установ|перезагруз|выслат|отправ)", 2.5),
    (r"\bхотим\b|\bхотели бы\b|\bхотелось бы\b|\bподскажите\b|\bконсультац|\bсовет", 2.0),
    (r"\b(?:добавьте|создайте|выдайте|откройте|увеличьте|расширьте|продлите|выпустите"
     r"|восстановите|настройте|предоставьте|перенесите|подключите|заблокируйте|удалите"
     r"|вышлите|пришлите|отправьте|измените|установите)\b", 2.5),
    (r"\b(?:добавить|создать|выдать|открыть|увеличить|расширить|продлить|выпустить"
     r"|настроить|предоставить|перенести|докупить|выслать|изменить|установить)\b", 0.5),
    (r"\bнов(?:ый|ого|ому|ая|ую|ые|ых)\s+(?:пользовател|сотрудник|ящик|сервер|виртуальн"
     r"|учетн|лиценз|сертификат)", 1.0),
    (r"\bплановы[ея]\b|\bуволил", 1.0),
)  # fmt: skip


def _compile(cues: tuple[tuple[str, float], ...]) -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(p, re.IGNORECASE | re.MULTILINE), w) for p, w in cues)


_INCIDENT = _compile(_INCIDENT_CUES)
_REQUEST = _compile(_REQUEST_CUES)


def _cues(text: str, cues: tuple[tuple[re.Pattern[str], float], ...]) -> tuple[float, list[str]]:
    score = 0.0
    found: list[str] = []
    for pattern, weight in cues:
        m = pattern.search(text)
        if m:
            score += weight
            found.append(m.group(0).strip(" ,."))
    return score, found


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


class TextClassifier:
    """Build once from the loaded knowledge base, then call :meth:`classify` per text."""

    #: Weight of the type Naive Bayes log-odds against the cue phrases.
    NB_TYPE_WEIGHT = 0.3
    #: Softmax temperature of the service model (higher = less overconfident).
    SERVICE_TEMPERATURE = 4.0

    def __init__(self, services: Iterable[str]) -> None:
        self.services = tuple(services)
        self._service = _NaiveBayes(alpha=0.3)
        self._type = _NaiveBayes(alpha=0.5)

    @classmethod
    def from_content(cls, content: Content) -> "TextClassifier":
        model = cls(content.services)
        for service in content.services.values():
            texts = [service.name.en, service.name.ru]
            if service.description is not None:
                texts += [service.description.en, service.description.ru]
            for text in texts:
                model._service.add(service.id, features(text), 2.0)
        for form in content.forms.values():
            for text, weight in _form_texts(form):
                model._service.add(form.service, features(text), weight)
                model._type.add(form.type.value, tokens(text), weight)
        for article in content.public_articles():
            for text, weight in _article_texts(article):
                model._service.add(article.service, features(text), weight)
                model._type.add(_ARTICLE_TYPE[article.kind].value, tokens(text), weight * 0.5)
        return model

    def _type_decision(self, text: str, words: list[str]) -> tuple[TicketType, float, list[str]]:
        folded = analysis.fold(text)
        inc, inc_found = _cues(folded, _INCIDENT)
        req, req_found = _cues(folded, _REQUEST)
        nb = self._type.log_scores(words)
        llr = nb.get("incident", 0.0) - nb.get("request", 0.0)
        llr = max(-3.0, min(3.0, llr))
        score = inc - req + self.NB_TYPE_WEIGHT * llr
        p_incident = 1.0 / (1.0 + math.exp(-score))
        kind = TicketType.INCIDENT if p_incident >= 0.5 else TicketType.REQUEST
        reasons = [f"incident cue: {c}" for c in inc_found] + [
            f"request cue: {c}" for c in req_found
        ]
        return kind, max(p_incident, 1.0 - p_incident), reasons

    def classify(self, text: str) -> Classification:
        kind, type_conf, reasons = self._type_decision(text, tokens(text))
        words = features(text)
        scores = self._service.log_scores(words)
        vocab_hits = [w for w in words if w in self._service.vocabulary()]
        if not vocab_hits or not scores:
            return Classification(kind, None, 0.0, round(type_conf, 3), 0.0, tuple(reasons))
        probs = _softmax(scores, self.SERVICE_TEMPERATURE)
        service = max(probs, key=lambda s: probs[s])
        service_conf = probs[service]
        top = self._service.top_words(service, words)
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
