"""Highlighted snippets: the best short passage of a hit's text, HTML-escaped, matches in <mark>.

Pure Python over the stored text (no whoosh highlighter, which re-analyzes the whole
field). A regular expression built from the starts of the query words finds candidate
words in one C-speed pass; each candidate is confirmed by its morphological key (so
"пароля" matches a query for "пароли", but "парохода" does not); the passage around the
densest group of confirmed matches wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from html import escape

from selfservice.text.words import (
    fold,
    query_word_key,
    split_words,
    word_key,
    word_prefix,
)

__all__ = ["Highlighter", "snippet"]

#: Characters in a snippet passage (about 25 words).
SPAN = 180
#: Characters of context kept before the first match of the passage.
LEAD = 40
#: Texts longer than this are only scanned up to here.
SCAN_CHARS = 2000
#: Length of the word starts that select candidates.
STEM = 4


class Highlighter:
    """Finds and marks the words of one query in texts."""

    def __init__(self, norms: Iterable[str], keys: Iterable[str]) -> None:
        self.keys = frozenset(keys)
        self.prefixes = frozenset(word_prefix(k) for k in self.keys)
        starts = {w[:STEM] for w in list(norms) + list(self.keys) if w}
        self._rx = _pattern(tuple(sorted(starts))) if starts else None

    def matches(self, text: str) -> list[tuple[int, int, float]]:
        """``(start, end, weight)`` of matched words: 1 for the same key, 0.5 for a prefix."""
        if self._rx is None or not text:
            return []
        folded = fold(text[:SCAN_CHARS])
        if len(folded) != len(text[:SCAN_CHARS]):
            return []
        out: list[tuple[int, int, float]] = []
        for m in self._rx.finditer(folded):
            best = 0.0
            for k, prefix in _keys_of(m.group()):
                if k in self.keys:
                    best = 1.0
                    break
                if prefix in self.prefixes:
                    best = 0.5
            if best > 0:
                out.append((m.start(), m.end(), best))
        return out

    def snippet(self, texts: Iterable[str]) -> str:
        """The best passage among ``texts`` (ties go to the earlier text).

        Without any match, the start of the first non-empty text, unmarked.
        """
        best: tuple[float, str, list[tuple[int, int, float]]] | None = None
        first = ""
        for text in texts:
            if not text:
                continue
            first = first or text
            found = self.matches(text)
            if not found:
                continue
            score, window = _densest(found)
            if best is None or score > best[0] + 1e-9:
                best = (score, text, window)
        if best is None:
            return _render(first, [], 0) if first else ""
        _score, text, window = best
        return _render(text, window, window[0][0])


@lru_cache(maxsize=16384)
def _keys_of(word: str) -> tuple[tuple[str, str], ...]:
    """The (key, coarse prefix) of each word in a matched stretch of text. The texts of
    the hits that popular queries find recur, and looking their words up again was most
    of a snippet's cost (snippets were a third of a search's time in the index)."""
    out: list[tuple[str, str]] = []
    for norm, _s, _e in split_words(word):
        k = word_key(norm)
        if k is not None:
            out.append((k, word_prefix(k)))
    return tuple(out)


@lru_cache(maxsize=512)
def _pattern(starts: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(s) for s in sorted(starts, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alts})[^\W_]*(?:[-'’][^\W_]+)*")


def _densest(found: list[tuple[int, int, float]]) -> tuple[float, list[tuple[int, int, float]]]:
    """The run of matches within SPAN characters that has the most weight (earliest wins)."""
    best_score, best_i, best_j = -1.0, 0, 1
    j = 0
    total = 0.0
    for i in range(len(found)):
        if j <= i:  # the window always holds its first match
            j, total = i + 1, found[i][2]
        while j < len(found) and found[j][1] - found[i][0] <= SPAN:
            total += found[j][2]
            j += 1
        if total > best_score + 1e-9:
            best_score, best_i, best_j = total, i, j
        total -= found[i][2]
    return best_score, found[best_i:best_j]


def _render(text: str, window: list[tuple[int, int, float]], anchor: int) -> str:
    start = max(0, anchor - LEAD)
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and anchor - space < LEAD * 2 else start
    end = min(len(text), start + SPAN + LEAD)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > (window[-1][1] if window else start):
            end = space
    parts: list[str] = ["… " if start > 0 else ""]
    pos = start
    for s, e, _w in window:
        if s < pos or e > end:
            continue
        parts.append(escape(text[pos:s], quote=False))
        parts.append(f"<mark>{escape(text[s:e], quote=False)}</mark>")
        pos = e
    parts.append(escape(text[pos:end], quote=False))
    if end < len(text):
        parts.append(" …")
    return " ".join("".join(parts).split())


def snippet(texts: Iterable[str], query: str) -> str:
    """Convenience: the snippet of ``texts`` for a raw query string."""
    words = split_words(query, query=True)
    pairs = [(n, k) for n, _s, _e in words if (k := query_word_key(n)) is not None]
    return Highlighter([n for n, _ in pairs], [k for _, k in pairs]).snippet(texts)
