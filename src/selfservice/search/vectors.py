"""The vectors of one index generation: ``gen-<id>/vectors.npz``, passages keyed by document.

A document is read by the model as several short passages (:func:`passages`), because
e5 matches a short text far better than the average of a long one:

* the overview: title, symptoms, summary and the start of the text, as one passage;
* each question-like line (the title, every symptom), encoded on e5's *query* side, so
  that a customer's question meets the way customers phrase that problem like with like.

Windows over the rest of a long text were tried as a third part and left out: they
made no list better (stackfaq-en R@1 0.909 without them, 0.896 with; rutube-ru and
vkcloud-faq within a point either way) and five times the passages to encode.

How near a document comes to a query combines its overview passage and its
nearest question-like line (``meaning.py``).

One file per generation holds, for every passage of every document in a language the
model covers, the document's key and content hash, the passage's part and its unit
vector; the rows of one document are adjacent. The file is replaced whole (write to a
temporary name, then ``os.replace``), so a reader sees the old set or the new one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from selfservice.search.documents import SearchDoc
from selfservice.text.encoder import DIM, LANGS, MODEL_ID, Encoder, Vectors

__all__ = [
    "FILE",
    "OVERVIEW",
    "QUESTION",
    "VectorSet",
    "doc_text",
    "load",
    "passages",
    "save",
    "update",
]

FILE = "vectors.npz"
#: Layout of the file; a reader ignores a file of another layout (it is rebuilt).
LAYOUT = "passages-1"

#: The parts a passage can be.
OVERVIEW, QUESTION = 0, 1
#: Question-like lines kept per document: the cost of indexing grows with them.
MAX_QUESTIONS = 8


def doc_text(doc: SearchDoc) -> str:
    """What the model reads of a document as one passage: the most telling parts first
    (a short one then gets its service's name: :func:`_service_tail`)."""
    parts = (doc.title, doc.symptoms, doc.summary, doc.body, doc.details)
    return "\n".join(p for p in parts if p)


#: A document whose overview has at most this many words is read with its service's name.
SHORT_WORDS = 60


def _service_tail(doc: SearchDoc, overview: str) -> str:
    """What the model reads after a document's overview: the name of its service when the
    text says little by itself. A short answer such as "Use the instructions." means
    something only with it (vkcloud-faq answers-only R@5 en 0.740 → 0.766, ru 0.739 →
    0.748; read before the text instead, it cost en R@1 0.485 → 0.480). A longer text
    says what it is about, and there the name only brought the documents of one service
    closer together (a form it should have offered fell under its confidence bar)."""
    return doc.service_name if len(overview.split()) <= SHORT_WORDS else ""


def passages(doc: SearchDoc) -> list[tuple[int, str]]:
    """The passages the model reads of ``doc``: (part, text), the overview first."""
    out = [(OVERVIEW, doc_text(doc))]
    questions = [doc.title, *doc.symptoms.split("; ")] if doc.symptoms else [doc.title]
    seen: set[str] = set()
    for q in questions:
        q = q.strip()
        if q and q.casefold() not in seen and len(seen) < MAX_QUESTIONS:
            seen.add(q.casefold())
            out.append((QUESTION, q))
    return out


@dataclass(frozen=True)
class VectorSet:
    """Rows of passage vectors: ``keys[i]`` and ``hashes[i]`` are the document and its
    content hash, ``parts[i]`` the passage's part; a document's rows are adjacent."""

    keys: tuple[str, ...]
    hashes: tuple[str, ...]
    parts: npt.NDArray[np.int8]
    vectors: Vectors

    def by_key(self) -> dict[str, tuple[str, int, int]]:
        """Document key → (content hash, first row, end row)."""
        out: dict[str, tuple[str, int, int]] = {}
        for i, (k, h) in enumerate(zip(self.keys, self.hashes, strict=True)):
            prior = out.get(k)
            out[k] = (h, prior[1] if prior else i, i + 1)
        return out


def load(gen_dir: Path) -> VectorSet | None:
    """The generation's vectors, or None when there are none (yet) or another model or
    layout made them."""
    try:
        with np.load(gen_dir / FILE, allow_pickle=False) as data:
            if str(data["model"]) != MODEL_ID or str(data.get("layout", "")) != LAYOUT:
                return None
            return VectorSet(
                tuple(str(k) for k in data["keys"]),
                tuple(str(h) for h in data["hashes"]),
                np.asarray(data["parts"], dtype=np.int8),
                np.asarray(data["vectors"], dtype=np.float32),
            )
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return None


def save(gen_dir: Path, vs: VectorSet) -> None:
    tmp = gen_dir / f"{FILE}.{os.getpid()}.tmp.npz"
    np.savez(
        tmp,
        model=np.array(MODEL_ID),
        layout=np.array(LAYOUT),
        keys=np.array(vs.keys, dtype=str),
        hashes=np.array(vs.hashes, dtype=str),
        parts=vs.parts,
        vectors=vs.vectors,
    )
    os.replace(tmp, gen_dir / FILE)


def update(
    encoder: Encoder,
    docs: Mapping[str, SearchDoc],
    hashes: Mapping[str, str],
    previous: VectorSet | None,
    progress: Callable[[int, int], None] | None = None,
) -> VectorSet:
    """The vectors of ``docs``: reused from ``previous`` where the hash is unchanged,
    encoded otherwise (documents in languages the model does not cover get none).

    ``progress(done, total)`` counts the documents that get vectors.
    """
    keys = sorted(k for k, d in docs.items() if d.lang in LANGS)
    old = previous.by_key() if previous is not None else {}
    row_keys: list[str] = []
    parts: list[int] = []
    blocks: list[Vectors] = []
    fresh: list[tuple[int, str, str]] = []  # (row, passage, document key) to encode
    fresh_query: list[int] = []
    for k in keys:
        prior = old.get(k)
        if prior is not None and previous is not None and prior[0] == hashes[k]:
            _h, start, end = prior
            blocks.append(previous.vectors[start:end])
            parts.extend(int(p) for p in previous.parts[start:end])
            row_keys.extend([k] * (end - start))
            continue
        for part, text in passages(docs[k]):
            fresh.append((len(row_keys), text, k))
            if part == QUESTION:
                fresh_query.append(len(fresh) - 1)
            blocks.append(np.zeros((1, DIM), dtype=np.float32))
            parts.append(part)
            row_keys.append(k)
    out = np.concatenate(blocks) if blocks else np.zeros((0, DIM), dtype=np.float32)
    is_query = np.zeros(len(fresh), dtype=bool)
    is_query[fresh_query] = True
    todo_docs = len({k for _r, _t, k in fresh})
    total = len(keys)
    done_before = total - todo_docs
    if fresh:
        as_passage = [i for i in range(len(fresh)) if not is_query[i]]
        as_query = [i for i in range(len(fresh)) if is_query[i]]
        n = len(fresh)

        def step(done: int, _t: int, offset: int = 0) -> None:
            if progress is not None:
                progress(done_before + (offset + done) * todo_docs // n, total)

        tails = [_service_tail(docs[fresh[i][2]], fresh[i][1]) for i in as_passage]
        vecs = encoder.documents([fresh[i][1] for i in as_passage], step, tails=tails)
        out[[fresh[i][0] for i in as_passage]] = vecs
        q_step = (lambda d, t: step(d, t, len(as_passage))) if progress else None
        vecs = encoder.documents([fresh[i][1] for i in as_query], q_step, as_query=True)
        if as_query:
            out[[fresh[i][0] for i in as_query]] = vecs
    if progress is not None:
        progress(total, total)
    return VectorSet(
        tuple(row_keys),
        tuple(hashes[k] for k in row_keys),
        np.asarray(parts, dtype=np.int8),
        out,
    )
