"""As-you-type suggestions: documents whose title or symptoms start like the input."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from selfservice.search.hits import url
from selfservice.search.ranking import Leaf
from selfservice.search.readers import Readers
from selfservice.text.words import (
    EDGE_MAX,
    EDGE_MIN,
    fold,
    query_word_key,
    split_words,
    word_prefix,
)


@dataclass(frozen=True)
class Suggestion:
    """An as-you-type completion: a document whose title or symptoms start like the input."""

    type: str
    id: str
    title: str
    lang: str
    path: str
    url: str
    score: float


def suggest(
    index: Readers,
    prefix: str,
    *,
    lang: str | None = None,
    audience: str = "public",
    types: Sequence[str] | None = None,
    limit: int = 8,
) -> list[Suggestion]:
    """Completions of ``prefix``; see :meth:`SearchIndex.suggest`."""
    words = [w for w, _s, _e in split_words(prefix, query=True)]
    if not words:
        return []
    finished = not prefix[-1:].isalnum()
    last = None if finished else words[-1]
    full = words if finished else words[:-1]
    state = index._state()
    leaves: list[Leaf] = []
    groups: list[int] = []  # bit mask of each word's leaves
    for w in full:
        k = query_word_key(w)
        if k is None:
            continue
        start = len(leaves)
        leaves += [
            Leaf("title", k, 2.0),
            Leaf("head", k, 1.5),
            Leaf("pre", word_prefix(k), 0.5),
        ]
        groups.append(((1 << len(leaves)) - 1) ^ ((1 << start) - 1))
    partial = 0
    if last is not None and len(last) >= EDGE_MIN:
        leaves.append(Leaf("ac", fold(last)[:EDGE_MAX], 2.0))
        partial = 1 << (len(leaves) - 1)
        groups.append(partial)
    if not groups:
        return []
    assert state.ranker is not None and state.searcher is not None
    scored = state.ranker.score(leaves)
    # every word must match; if no document has them all, the unfinished word must
    strict = [d for d, e in scored.items() if all(e[1] & g for g in groups)]
    if not strict:
        strict = [d for d, e in scored.items() if e[1] & partial] if partial else list(scored)
    langs: list[str | None] = [lang, "ru" if lang == "en" else "en"] if lang else [None]
    out: list[Suggestion] = []
    for lng in langs:
        allowed = index._filter(state, lng, audience, None, None, types)
        pool = [d for d in strict if allowed is None or d in allowed]
        for d in heapq.nlargest(limit - len(out), pool, key=lambda d: (scored[d][0], -d)):
            stored = state.stored_fields(d)
            out.append(
                Suggestion(
                    type=stored["type"],
                    id=stored["ref"],
                    title=stored.get("title", ""),
                    lang=stored["lang"],
                    path=stored.get("path", ""),
                    url=url(stored["lang"], stored.get("path", "")),
                    score=round(float(scored[d][0]), 4),
                )
            )
        if out:
            break
    return out
