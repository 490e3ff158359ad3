"""Query planning: the terms of a query, typo corrections and the scored leaves.

Every query word is looked up as its morphological key in the ``title``, ``head`` and
``body`` fields, as its coarse 5-letter prefix in ``pre`` (a second, fuzzier lexical
signal over the whole document that joins derivations such as
"подключение"/"подключить"), and through thesaurus concepts in ``con``; typos in short
queries add corrections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from selfservice.search.ranking import Leaf
from selfservice.search.readers import ReaderState
from selfservice.search.schema import FIELD_BOOSTS, KEY_FIELDS, PREFIX_BOOSTS
from selfservice.text.words import word_prefix

#: Weight of thesaurus concepts (``text/thesaurus.py``).
CONCEPT_WEIGHT = 0.3
#: Weight of a typo correction relative to a word typed correctly.
TYPO_WEIGHT = 0.8
#: Queries with at most this many content words get typo correction.
TYPO_MAX_WORDS = 4


@dataclass(frozen=True)
class Term:
    """A query term; typo corrections share the ``group`` of the word they correct."""

    norm: str
    key: str
    weight: float
    group: int


def typo_terms(
    state: ReaderState, terms: list[Term], vocabulary: Callable[[], frozenset[str]]
) -> list[Term]:
    """Corrections for words the index has never seen ("pasword" → "password").

    Candidates are the index keys (lemmas/stems) one edit away - a letter deleted,
    inserted, replaced, or two neighbours swapped - from the unknown word as typed and
    as lemmatized (the lemmatizer may guess oddly for a misspelt word); the two with
    the highest document frequency are kept.
    """
    s = state.searcher
    assert s is not None
    out: list[Term] = []
    known = {t.key for t in terms}
    vocab: frozenset[str] | None = None
    for t in terms:
        if len(t.key) < 4 or t.key.isdigit():
            continue
        if any(s.doc_frequency(f, t.key) for f in KEY_FIELDS):
            continue
        if vocab is None:
            vocab = vocabulary()
        cands: set[str] = set()
        for source in {t.key, t.norm}:
            cands |= _edits1(source) & vocab
        ranked = sorted(
            cands, key=lambda w: (-max(s.doc_frequency(f, w) for f in KEY_FIELDS), w)
        )
        for word in ranked[:2]:
            if word not in known:
                known.add(word)
                out.append(Term(word, word, TYPO_WEIGHT, t.group))
    return out


def leaves(terms: list[Term], concepts: list[str]) -> list[Leaf]:
    """The scored leaves of a query: each word in every key field, its coarse prefix,
    and the thesaurus concepts of the query."""
    out: list[Leaf] = []
    for t in terms:
        for f, boost in FIELD_BOOSTS.items():
            if boost > 0:
                out.append(Leaf(f, t.key, boost * t.weight))
        p = word_prefix(t.key)
        for f, boost in PREFIX_BOOSTS.items():
            if boost > 0:
                out.append(Leaf(f, p, boost * t.weight))
    if CONCEPT_WEIGHT > 0:
        out.extend(Leaf("con", c, CONCEPT_WEIGHT) for c in concepts)
    return out


_LATIN = "abcdefghijklmnopqrstuvwxyz"
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюя"


def _edits1(word: str) -> set[str]:
    """Every string one edit away from ``word`` (in its own alphabet, digits kept)."""
    alphabet = _CYRILLIC if any("а" <= ch <= "я" for ch in word) else _LATIN
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    out.update(a + c + b[1:] for a, b in splits if b for c in alphabet)
    out.update(a + c + b for a, b in splits for c in alphabet)
    out.discard(word)
    return out
