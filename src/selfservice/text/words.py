"""Text analysis shared by search and the mail and alert channels: words, ё/е folding, stop
words, Russian and English morphology, thesaurus concepts. Pure Python (pymorphy3 and the
Porter2 stemmer function): no index here; ``search.analysis`` turns these forms into whoosh
index terms.

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
from typing import Any, Final

from whoosh.lang.porter2 import stem as _porter2_stem

from selfservice.text.stopwords import EN_QUERY_STOPS, EN_STOPS, RU_QUERY_STOPS, RU_STOPS

#: Length of the coarse prefix form (see module docs).
PREFIX_LEN = 5
#: Shortest and longest word starts indexed for as-you-type suggestions.
EDGE_MIN = 2
EDGE_MAX = 12

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_CYR = re.compile(r"[а-яё]")
_LAT = re.compile(r"[a-z]")
_PARTS = re.compile(r"['’\-]")
_MIXED = re.compile(r"[a-z][а-яё]|[а-яё][a-z]")

# Latin letters that look like Cyrillic ones and vice versa: "Oт" typed with a Latin O.
_LAT2CYR = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_CYR2LAT = str.maketrans("асеорхукмтнв", "aceopxykmthb")
_YO = str.maketrans("ёЁ", "еЕ")

def cyrillic_share(text: str) -> float:
    """Share of Cyrillic letters among all letters of ``text`` (0.0 when it has none)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    cyr = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    return cyr / len(letters)


def fold(text: str) -> str:
    """Lowercase and fold ё to е."""
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=4096)
def _repair_script(word: str) -> str:
    """Fix a word typed with look-alike letters of the other alphabet ("Oт" → "от")."""
    cyr = len(_CYR.findall(word))
    lat = len(_LAT.findall(word))
    if cyr and lat:
        return word.translate(_LAT2CYR) if cyr >= lat else word.translate(_CYR2LAT)
    return word


#: Document caches hold the knowledge base's vocabulary (an index build reads each word
#: many times; a Russian lemma costs ~0.2 ms). User text (queries, mail) has small caches:
#: every typo is a new word, and would grow a shared cache up to the documents' bound.
DOCUMENT_CACHE: Final = 200_000
QUERY_CACHE: Final = 8192


def _split_token_of(raw: str) -> tuple[str, ...]:
    """The normalized words of one folded token (see :func:`split_words`)."""
    if not _PARTS.search(raw):
        return (_repair_script(raw) if _MIXED.search(raw) else raw,)
    parts = [_repair_script(p) for p in _PARTS.split(raw) if p]
    if "-" in raw and len(parts) > 1:
        joined = "".join(parts)
        if not (_CYR.search(joined) and _LAT.search(joined)):
            parts.append(joined)
    return tuple(parts)


_split_token = lru_cache(maxsize=DOCUMENT_CACHE)(_split_token_of)


def split_words(text: str, *, query: bool = False) -> Iterator[tuple[str, int, int]]:
    """Yield ``(norm, start, end)`` for each word of ``text`` (``query``: user text).

    Hyphenated and apostrophe words yield their parts and, for hyphens within one
    alphabet, the joined word too ("e-mail" → "e", "mail", "email"); all of them share the
    span of the whole word.
    """
    split_token = _split_token_of if query else _split_token  # splitting costs microseconds
    folded = fold(text)
    if len(folded) != len(text):  # a rare character whose lowercase is longer
        for m in _WORD.finditer(text):
            for norm in split_token(fold(m.group())):
                yield norm, m.start(), m.end()
        return
    for m in _WORD.finditer(folded):
        start, end = m.span()
        for norm in split_token(m.group()):
            yield norm, start, end


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


_RU_FUNCTION_POS = frozenset({"NPRO", "PREP", "CONJ", "PRCL", "INTJ"})


def _ru_lemma(word: str) -> str | None:
    """The lemma of a Russian word, or None for a function word (pronoun, particle, ...)."""
    parses = _morph().parse(word)
    if not parses:
        return word
    best = parses[0]
    if best.tag.POS in _RU_FUNCTION_POS:
        return None
    return str(best.normal_form).translate(_YO)


def _key(norm: str) -> str | None:
    """The morphological key of a normalized word, or None for a stop word."""
    if norm in EN_STOPS or norm in RU_STOPS:
        return None
    if _CYR.search(norm):
        if len(norm) == 1:
            return None
        lemma = _ru_lemma(norm)
        if lemma is None or lemma in RU_STOPS:
            return None
        return lemma
    if norm.isdigit():
        return norm
    if len(norm) == 1:
        return None
    return str(_porter2_stem(norm))


_document_keys: dict[str, str | None] = {}
_UNKNOWN: Final = "\0"  # no word contains it
_query_key = lru_cache(maxsize=QUERY_CACHE)(_key)


def word_key(norm: str) -> str | None:
    """:func:`_key` of a word of a document, cached."""
    if (key := _document_keys.get(norm, _UNKNOWN)) == _UNKNOWN:
        if len(_document_keys) >= DOCUMENT_CACHE:
            _document_keys.clear()
        key = _document_keys[norm] = _key(norm)
    return key


def query_word_key(norm: str) -> str | None:
    """:func:`_key` of a word of user text: a knowledge base word is usually known."""
    key = _document_keys.get(norm, _UNKNOWN)
    return _query_key(norm) if key == _UNKNOWN else key


def word_prefix(key: str) -> str:
    """The coarse prefix form of a key (a slice: cheaper than any cache of it)."""
    return key[:PREFIX_LEN]


def is_stop(norm: str) -> bool:
    return word_key(norm) is None


def is_query_stop(norm: str, key: str) -> bool:
    """True for question boilerplate ("how can I", "подскажите") that is no topic."""
    return (
        norm in EN_QUERY_STOPS
        or norm in RU_QUERY_STOPS
        or key in RU_QUERY_STOPS
        or key in EN_QUERY_STOPS
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
    for norm, _s, _e in split_words(text, query=True):
        k = query_word_key(norm)
        if k is None or k in seen:
            continue
        seen.add(k)
        fallback.append((norm, k))
        if not is_query_stop(norm, k):
            pairs.append((norm, k))
    return pairs or fallback


#: Joins the parts of a text that several fields share; see :func:`analyze`.
PART_SEPARATOR = "\n\x1f\n"


@lru_cache(maxsize=64)
def analyze(text: str) -> tuple[tuple[str, str | None, int, int], ...]:
    """``(norm, key, start, end)`` for every word of ``text``; ``key`` is None for stop words.

    Cached for the last few texts: the index analyzes the same string for several fields.
    A text made of parts joined by :data:`PART_SEPARATOR` is analyzed part by part, so a
    field holding "title + symptoms + body" reuses the analysis of the fields that hold
    those parts on their own.
    """
    if PART_SEPARATOR in text:
        out: list[tuple[str, str | None, int, int]] = []
        offset = 0
        for part in text.split(PART_SEPARATOR):
            out.extend((n, k, s + offset, e + offset) for n, k, s, e in analyze(part))
            offset += len(part) + len(PART_SEPARATOR)
        return tuple(out)
    return tuple((norm, word_key(norm), s, e) for norm, s, e in split_words(text))


# --- concepts (thesaurus) ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _concept_table() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    from selfservice.text.thesaurus import GROUPS

    table: dict[tuple[str, ...], set[str]] = {}
    for gi, group in enumerate(GROUPS):
        for member in group:
            seq = tuple(keys(member))
            words = len(list(split_words(member)))
            # "sign in" keeps only "sign" once the stop word goes: too vague to map.
            if seq and not (len(seq) == 1 and words > 1):
                table.setdefault(seq, set()).add(f"c{gi}")
    longest = max((len(k) for k in table), default=1)
    return {k: tuple(sorted(v)) for k, v in table.items()}, longest


def concepts_of_keys(seq: list[str]) -> list[tuple[int, str]]:
    """``(index, concept)`` for thesaurus members found in a key sequence."""
    table, longest = _concept_table()
    out: list[tuple[int, str]] = []
    n = len(seq)
    for i in range(n):
        for length in range(1, longest + 1):
            if i + length > n:
                break
            hit = table.get(tuple(seq[i : i + length]))
            if hit:
                out.extend((i, c) for c in hit)
    return out


def query_concepts(pairs: list[tuple[str, str]]) -> list[str]:
    """Concepts named by a cleaned query (see :func:`query_keys`)."""
    return sorted({c for _i, c in concepts_of_keys([k for _n, k in pairs])})
