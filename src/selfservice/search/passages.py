"""Passages: the short texts of a document that get a meaning vector each.

e5 matches a question best against a short passage that says one thing: a whole article
cut to its first tokens dilutes the one paragraph that answers the question, and an
answer buried further down is not read at all. So every document is encoded as up to
:data:`MAX_PASSAGES` passages and its similarity to a query is the best of them
(:func:`selfservice.search.fusion.document_similarities`):

1. the *lead*: title, symptoms, summary and the start of the text (what the document
   is about, the whole-document view);
2. the *symptoms*, or for a document without them its title when it is a question:
   these say what a customer would say, so they are encoded like a query (e5's
   ``query:`` side) and matched question-to-question, symmetrically;
3. the *steps* (scripted solutions) and then chunks of the text of at most
   :data:`CHUNK_WORDS` words, cut at paragraph and then sentence ends.

The cap keeps the index-time cost (every passage is one model pass) and the matrix the
query is multiplied with small; passages are cached by their text (``semantic.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selfservice.search.documents import SearchDoc

__all__ = ["CHUNK_WORDS", "MAX_PASSAGES", "Passage", "passages"]

#: Passages per document at most (index cost and query matrix grow with it).
MAX_PASSAGES = 4
#: Words per text chunk at most: e5 is best at a paragraph, not a page.
CHUNK_WORDS = 60
#: A chunk shorter than this is merged with the next paragraph.
MIN_CHUNK_WORDS = 12
#: Words of the lead passage taken from the text after title, symptoms and summary.
LEAD_WORDS = 80

_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:\d+[.)]|[-*•])\s)")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Passage:
    """``text`` to encode; ``as_query`` marks the symmetric (question-like) side."""

    text: str
    as_query: bool = False


def _words(text: str) -> int:
    return len(text.split())


def _pieces(text: str) -> list[str]:
    """Paragraphs, long ones cut into sentences, long sentences into word runs."""
    out: list[str] = []
    for para in _PARAGRAPH.split(text):
        para = " ".join(para.split())
        if not para:
            continue
        if _words(para) <= CHUNK_WORDS:
            out.append(para)
            continue
        for sentence in _SENTENCE.split(para):
            words = sentence.split()
            for start in range(0, len(words), CHUNK_WORDS):
                out.append(" ".join(words[start : start + CHUNK_WORDS]))
    return out


def chunks(text: str) -> list[str]:
    """``text`` packed into runs of whole pieces of at most :data:`CHUNK_WORDS` words."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for piece in _pieces(text):
        n = _words(piece)
        if current and size + n > CHUNK_WORDS and size >= MIN_CHUNK_WORDS:
            out.append(" ".join(current))
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        out.append(" ".join(current))
    return out


def _is_question(title: str) -> bool:
    return title.rstrip().endswith("?")


def passages(doc: SearchDoc) -> list[Passage]:
    """The passages of ``doc``, most telling first, at most :data:`MAX_PASSAGES`."""
    head = [p for p in (doc.title, doc.symptoms, doc.summary) if p]
    text_chunks = chunks(doc.body)
    lead_body = " ".join(doc.body.split()[:LEAD_WORDS])
    lead = "\n".join([*head, lead_body] if lead_body else head)
    out: list[Passage] = [Passage(lead)] if lead else []
    if doc.symptoms:
        out.append(Passage(doc.symptoms, as_query=True))
    elif doc.title and _is_question(doc.title):
        out.append(Passage(doc.title, as_query=True))
    rest: list[str] = []
    if doc.details:
        rest.extend(chunks(doc.details)[:1])
    # chunks wholly inside the lead would repeat it
    start = 0
    later: list[str] = []
    for chunk in text_chunks:
        start += _words(chunk)
        if start > LEAD_WORDS:
            later.append(chunk)
    rest.extend(later)
    rest = [t for t in dict.fromkeys(rest) if t not in {p.text for p in out}]
    return out + [Passage(t) for t in _spread(rest, MAX_PASSAGES - len(out))]


def _spread(items: list[str], k: int) -> list[str]:
    """``k`` of ``items`` spread evenly from the first to the last: the answer to a
    question may be in any section of a long article, not only in the first ones."""
    if k <= 0:
        return []
    if len(items) <= k:
        return items
    if k == 1:
        return items[:1]
    return [items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)]
