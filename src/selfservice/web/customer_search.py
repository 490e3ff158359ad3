"""What the chat widget's customer is offered: one ranking for the cards and the as-you-type list.

The cards after Enter (the conversation) and the list under the composer (``/suggest``)
come from the same search, confident hits first in confidence order, so the articles
a customer saw while typing are the ones the chat then offers, in the same order. A
card's snippet is the article's summary with the query's words marked, not the passage
of the symptoms list the search happened to match.
"""

from collections.abc import Sequence
from dataclasses import replace
from html import escape

from selfservice.content.model import Content
from selfservice.search import Hit, SearchIndex, Suggestion
from selfservice.search.snippets import Highlighter
from selfservice.text.words import query_word_key, split_words

#: Hits searched for the conversation and the as-you-type list alike.
SEARCH_LIMIT = 10


def customer_order(hits: Sequence[Hit]) -> list[Hit]:
    """Confident hits by confidence (best first), then the others as the search ranked them."""
    confident = sorted((h for h in hits if h.confident), key=lambda h: -h.confidence)
    return confident + [h for h in hits if not h.confident]


def with_card_snippet(hit: Hit, query: str) -> Hit:
    if hit.type != "article" or not hit.summary:
        return hit
    return replace(hit, snippet=marked(hit.summary, query))


def marked(text: str, query: str) -> str:
    """The whole of ``text``, HTML-escaped, with the words of ``query`` in ``<mark>``."""
    pairs = [
        (n, k) for n, _s, _e in split_words(query, query=True)
        if (k := query_word_key(n)) is not None
    ]  # user text: the bounded key cache, never the knowledge base's
    found = Highlighter([n for n, _ in pairs], [k for _, k in pairs]).matches(text)
    parts: list[str] = []
    position = 0
    for start, end, _weight in found:
        parts.append(escape(text[position:start], quote=False))
        parts.append(f"<mark>{escape(text[start:end], quote=False)}</mark>")
        position = end
    parts.append(escape(text[position:], quote=False))
    return "".join(parts)


def customer_search(
    index: SearchIndex, content: Content, query: str, lang: str | None
) -> list[Hit]:
    """Public hits in the customers' order, with card snippets (blocking: run off the loop)."""
    hits = index.search(query, lang=lang, audience="public", limit=SEARCH_LIMIT)
    return [with_card_snippet(h, query) for h in customer_order(hits) if is_public(content, h)]


def as_you_type(
    index: SearchIndex, content: Content, query: str, lang: str | None, limit: int
) -> list[Hit | Suggestion]:
    """The confident hits the conversation would offer for ``query``, then the titles
    that complete its last word (blocking: run off the loop)."""
    offered: list[Hit | Suggestion] = [
        h for h in customer_search(index, content, query, lang) if h.confident
    ]
    seen = {(h.type, h.id) for h in offered}
    for found in index.suggest(query, lang=lang, audience="public", limit=limit):
        if (found.type, found.id) not in seen and is_public(content, found):
            offered.append(found)
            seen.add((found.type, found.id))
    return offered[:limit]


def is_public(content: Content, hit: Hit | Suggestion) -> bool:
    if hit.type == "form":
        return hit.id in content.forms
    article = content.articles.get(hit.id)
    return article is not None and article.is_public
