"""Text analysis for search: tokens, ё/е folding, stop words, Russian and English morphology.

Everything that turns text into index terms lives here, and both sides use it: the whoosh
analyzers (index time and query time) and the pure-Python helpers (snippets, confidence).

The whoosh schema is pickled into the index with references to the analyzer classes below,
so **this module's dotted path (``selfservice.search.analysis``) and the class names must
never change**; renaming them makes existing indexes unreadable (they are rebuilt then).

Term forms:

* ``norm``: lowercase, ё→е, Latin/Cyrillic look-alikes repaired in mixed-script words.
* ``key``: the morphological key of a word: the pymorphy3 lemma for Cyrillic words
  ("паролей" → "пароль"), the Porter2 (Snowball English) stem for Latin words
  ("resetting" → "reset"); digits stay as they are. Stop words have no key.
* ``prefix``: the first :data:`PREFIX_LEN` characters of the key, a coarser second form
  that joins derivations the lemmatizer keeps apart ("подключение"/"подключить",
  "configuration"/"configure").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter2 import stem as _porter2_stem

__all__ = [
    "PREFIX_LEN",
    "EdgeAnalyzer",
    "KeyAnalyzer",
    "PrefixAnalyzer",
    "WordAnalyzer",
    "fold",
    "is_stop",
    "query_keys",
    "split_words",
    "word_key",
    "word_prefix",
]

#: Length of the coarse prefix form (see module docs).
PREFIX_LEN = 5

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_CYR = re.compile(r"[а-яё]")
_LAT = re.compile(r"[a-z]")
_PARTS = re.compile(r"['’\-]")

# Latin letters that look like Cyrillic ones and vice versa: "Oт" typed with a Latin O.
_LAT2CYR = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_CYR2LAT = str.maketrans("асеорхукмтнв", "aceopxykmthb")
_YO = str.maketrans("ёЁ", "еЕ")

_EN_STOPS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn
    doing don down during each few for from further had hadn has hasn have haven having he
    her here hers herself him himself his how i if in into is isn it its itself just ll
    me might mightn more most must mustn my myself needn no nor not now of off on once only
    or other our ours ourselves out over own re s same shall shan she should shouldn so
    some such t than that the their theirs them themselves then there these they this
    those through to too under until up ve very was wasn we were weren what when where
    which while who whom why will with won would wouldn y you your yours yourself
    yourselves d m o
    also etc e g ie eg via per
    """.split()
)

# Words that carry no topic in a question ("how can I ...", "is it possible to ...").
# They are dropped from queries only: documents keep them, so an article titled
# "Can I use a thin client?" is still indexed with every word.
_EN_QUERY_STOPS = frozenset(
    """
    possible possibly way ways anyone anybody someone somebody know knows please thanks
    thank hi hello help want wants wanted like would need needs get gets got go going
    tell explain somehow anything something thing things really actually still just
    able there's what's it's i'm i'd i've is there any best good easy easily simple
    question questions ask asking wonder wondering kind sort ok okay one also
    """.split()
)

_RU_STOPS = frozenset(
    """
    а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот
    впрочем все всегда всего всех всю вы где да даже для до его ее ей ему если есть еще
    ж же за зачем здесь и из или им иногда их к как какая какой когда конечно кто куда ли
    между меня мне много может можно мой моя мы на над надо наконец нас него нее ней
    ним них но ну о об он она они опять от перед по под после потом потому почти при
    про раз разве с сам свою себе себя сейчас со совсем так такой там тебя тем теперь то
    тогда того тоже только том тот тут ты у уж уже хоть чего чем через что чтоб чтобы
    чуть эти этого этой этом этот эту я который весь свой этот также мочь это какой
    каков наш ваш сво либо либы всё ещё её
    """.split()
)

_RU_QUERY_STOPS = frozenset(
    """
    возможно возможность подсказать сказать пожалуйста помочь помогите хотеть нужно
    нужный надо должный делать сделать каким каким-то образ способ вопрос спасибо
    здравствовать добрый день привет почему зачем какой-то как-то нибудь либо
    скажите подскажите можно ли
    """.split()
)

_NEGATIONS = frozenset({"не", "нет", "not", "no", "cannot", "can't", "nt"})


def fold(text: str) -> str:
    """Lowercase and fold ё to е."""
    return text.lower().translate(_YO)


def _repair_script(word: str) -> str:
    """Fix a word typed with look-alike letters of the other alphabet ("Oт" → "от")."""
    cyr = len(_CYR.findall(word))
    lat = len(_LAT.findall(word))
    if cyr and lat:
        return word.translate(_LAT2CYR) if cyr >= lat else word.translate(_CYR2LAT)
    return word


def split_words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(norm, start, end)`` for each word of ``text``.

    Hyphenated and apostrophe words yield their parts and, for hyphens, the joined word
    too ("e-mail" → "e", "mail", "email"); all of them share the span of the whole word.
    """
    for m in _WORD.finditer(text):
        raw = _repair_script(fold(m.group()))
        start, end = m.start(), m.end()
        if not _PARTS.search(raw):
            yield raw, start, end
            continue
        for part in _PARTS.split(raw):
            if part:
                yield part, start, end
        if "-" in raw:
            joined = _PARTS.sub("", raw)
            yield joined, start, end


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def _ru_lemma(word: str) -> str:
    parses = _morph().parse(word)
    if not parses:
        return word
    return str(parses[0].normal_form).translate(_YO)


@lru_cache(maxsize=200_000)
def word_key(norm: str) -> str | None:
    """The morphological key of a normalized word, or None for a stop word."""
    if norm in _EN_STOPS or norm in _RU_STOPS:
        return None
    if _CYR.search(norm):
        if len(norm) == 1:
            return None
        lemma = _ru_lemma(norm)
        if lemma in _RU_STOPS:
            return None
        return lemma
    if norm.isdigit():
        return norm
    if len(norm) == 1:
        return None
    return str(_porter2_stem(norm))


@lru_cache(maxsize=200_000)
def word_prefix(key: str) -> str:
    """The coarse prefix form of a key."""
    return key[:PREFIX_LEN]


def is_stop(norm: str) -> bool:
    return word_key(norm) is None


def is_query_stop(norm: str, key: str) -> bool:
    """True for question boilerplate ("how can I", "подскажите") that is no topic."""
    return (
        norm in _EN_QUERY_STOPS
        or norm in _RU_QUERY_STOPS
        or key in _RU_QUERY_STOPS
        or key in _EN_QUERY_STOPS
    )


def keys(text: str) -> list[str]:
    """All keys of ``text`` in order (stop words dropped)."""
    out: list[str] = []
    for norm, _s, _e in split_words(text):
        k = word_key(norm)
        if k is not None:
            out.append(k)
    return out


def query_keys(text: str) -> list[tuple[str, str]]:
    """``(norm, key)`` pairs of a user query without stop words and question boilerplate.

    If the cleaning would drop every word (a query of only "how to"), the words that have
    a key are kept instead, so a query never silently becomes empty.
    """
    pairs: list[tuple[str, str]] = []
    fallback: list[tuple[str, str]] = []
    seen: set[str] = set()
    for norm, _s, _e in split_words(text):
        k = word_key(norm)
        if k is None or k in seen:
            continue
        seen.add(k)
        fallback.append((norm, k))
        if not is_query_stop(norm, k):
            pairs.append((norm, k))
    return pairs or fallback


# --- whoosh analyzers -------------------------------------------------------------------


class _BaseAnalyzer(Analyzer):  # type: ignore[misc]
    """Shared machinery: one reusable Token, positions and character offsets."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def _forms(self, norm: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            words: Any = [(fold(value), 0, len(value))]
        else:
            words = split_words(value)
        pos = start_pos
        last_end = -1
        for norm, start, end in words:
            forms = self._forms(norm)
            if not forms:
                continue
            if start != last_end:
                pos += 1
                last_end = end
            for form in forms:
                t.text = form
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = norm
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + start
                    t.endchar = start_char + end
                yield t


class KeyAnalyzer(_BaseAnalyzer):
    """Index terms are morphological keys (lemma for Russian, stem for English)."""

    def _forms(self, norm: str) -> list[str]:
        k = word_key(norm)
        return [] if k is None else [k]


class PrefixAnalyzer(_BaseAnalyzer):
    """Index terms are coarse prefixes of the keys."""

    def _forms(self, norm: str) -> list[str]:
        k = word_key(norm)
        return [] if k is None else [word_prefix(k)]


class WordAnalyzer(_BaseAnalyzer):
    """Index terms are normalized surface words (for typo-tolerant fuzzy matching)."""

    def _forms(self, norm: str) -> list[str]:
        return [] if word_key(norm) is None else [norm]


class EdgeAnalyzer(_BaseAnalyzer):
    """Index terms are word starts of 2..15 characters (as-you-type prefix matching).

    Stop words are kept: a title that starts with "How" still completes "ho".
    """

    def _forms(self, norm: str) -> list[str]:
        return [norm[:n] for n in range(1, min(len(norm), 15) + 1)]
