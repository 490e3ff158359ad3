"""Whoosh analyzers: the forms of ``selfservice.text.words`` as index terms.

The whoosh schema is pickled into the index with references to the analyzer classes below,
so **this module's dotted path (``selfservice.search.analysis``) and the class names must
never change**; renaming them makes existing indexes unreadable (they are rebuilt then).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.fields import TEXT
from whoosh.system import pack_uint

from selfservice.text.words import EDGE_MAX, EDGE_MIN, PREFIX_LEN, analyze, concepts_of_keys

__all__ = [
    "ConceptAnalyzer",
    "EdgeAnalyzer",
    "FastText",
    "KeyAnalyzer",
    "PrefixAnalyzer",
]


# --- whoosh analyzers -------------------------------------------------------------------


class _BaseAnalyzer(Analyzer):  # type: ignore[misc]
    """Shared machinery: one reusable Token, positions and character offsets."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def _terms(self, text: str) -> Iterator[tuple[str, int, int]]:  # pragma: no cover
        raise NotImplementedError

    def term_list(self, text: str) -> list[str]:
        """The index terms of ``text``, in order (what the whoosh call yields as tokens)."""
        return [form for form, _s, _e in self._terms(text)]

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
        pos = start_pos
        last = -1
        for form, start, end in self._terms(value if tokenize else value):
            if start != last:
                pos += 1
                last = start
            t.text = form
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = form
            if positions:
                t.pos = pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class KeyAnalyzer(_BaseAnalyzer):
    """Index terms are morphological keys (lemma for Russian, stem for English)."""

    def _terms(self, text: str) -> Iterator[tuple[str, int, int]]:
        for _norm, key, s, e in analyze(text):
            if key is not None:
                yield key, s, e


class PrefixAnalyzer(_BaseAnalyzer):
    """Index terms are coarse prefixes of the keys (short keys stay whole)."""

    def _terms(self, text: str) -> Iterator[tuple[str, int, int]]:
        for _norm, key, s, e in analyze(text):
            if key is not None:
                yield key[:PREFIX_LEN], s, e


class ConceptAnalyzer(_BaseAnalyzer):
    """Index terms are thesaurus concepts ("c12") of the words and phrases in the text."""

    def _terms(self, text: str) -> Iterator[tuple[str, int, int]]:
        toks = [(key, s, e) for _norm, key, s, e in analyze(text) if key is not None]
        for i, concept in concepts_of_keys([k for k, _s, _e in toks]):
            yield concept, toks[i][1], toks[i][2]


class EdgeAnalyzer(_BaseAnalyzer):
    """Index terms are word starts of EDGE_MIN..EDGE_MAX characters (as-you-type matching).

    Stop words are kept: a title that starts with "How" still completes "ho".
    """

    def _terms(self, text: str) -> Iterator[tuple[str, int, int]]:
        for norm, _key, s, e in analyze(text):
            for n in range(EDGE_MIN, min(len(norm), EDGE_MAX) + 1):
                yield norm[:n], s, e


class FastText(TEXT):  # type: ignore[misc]
    """A whoosh TEXT field (frequencies, no positions) that indexes without Token objects.

    Whoosh's generic path pushes every word through a chain of Token objects; with the
    analyzers above the terms are already known, so this counts them directly. Only for
    ``phrase=False`` fields with one of this module's analyzers.
    """

    def __init__(self, analyzer: _BaseAnalyzer, stored: bool = False) -> None:
        super().__init__(analyzer=analyzer, stored=stored, phrase=False)

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        for term, freq in Counter(self.analyzer.term_list(value)).items():
            yield term.encode("utf-8"), freq, freq * boost, pack_uint(freq)
