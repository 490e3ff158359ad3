"""The vectors of one index generation: ``gen-<id>/vectors.npz``, keyed by document.

One file per generation holds, for every document in a language the model covers, the
unit vectors of its passages (``passages.py``), one row each, the rows of a document
next to each other and labelled with its key and content hash. The file is replaced
whole (write to a temporary name, then ``os.replace``), so a reader sees the old set or
the new one. Readers align the rows to whoosh document numbers (``fusion.align``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from selfservice.search.documents import SearchDoc
from selfservice.search.passages import MAX_PASSAGES, Passage, passages
from selfservice.search.semantic import DIM, LANGS, MODEL_ID, Encoder, Vectors

__all__ = ["FILE", "VectorSet", "doc_text", "load", "save", "update"]

FILE = "vectors.npz"
#: Identifies the model and the passage layout: either changing re-encodes.
LAYOUT = f"{MODEL_ID}/passages-{MAX_PASSAGES}-2"


def doc_text(doc: SearchDoc) -> str:
    """What the model reads of a document: the most telling parts first."""
    parts = (doc.title, doc.symptoms, doc.summary, doc.body, doc.details)
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class VectorSet:
    """Row ``i`` of ``vectors`` is a passage of the document ``keys[i]`` (content hash
    ``hashes[i]``); a document's rows are consecutive."""

    keys: tuple[str, ...]
    hashes: tuple[str, ...]
    vectors: Vectors
    #: rows encoded on the question side (``Passage.as_query``); None: none are
    symmetric: npt.NDArray[np.bool_] | None = None

    def question_rows(self) -> npt.NDArray[np.bool_]:
        if self.symmetric is None:
            return np.zeros(len(self.keys), dtype=bool)
        return self.symmetric

    def by_key(self) -> dict[str, tuple[str, list[int]]]:
        out: dict[str, tuple[str, list[int]]] = {}
        for i, (k, h) in enumerate(zip(self.keys, self.hashes, strict=True)):
            out.setdefault(k, (h, []))[1].append(i)
        return out


def load(gen_dir: Path) -> VectorSet | None:
    """The generation's vectors, or None when there are none (yet) or another model made them."""
    try:
        with np.load(gen_dir / FILE, allow_pickle=False) as data:
            if str(data["model"]) != LAYOUT:
                return None
            return VectorSet(
                tuple(str(k) for k in data["keys"]),
                tuple(str(h) for h in data["hashes"]),
                np.asarray(data["vectors"], dtype=np.float32),
                np.asarray(data["symmetric"], dtype=bool),
            )
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return None


def save(gen_dir: Path, vs: VectorSet) -> None:
    tmp = gen_dir / f"{FILE}.{os.getpid()}.tmp.npz"
    np.savez(
        tmp,
        model=np.array(LAYOUT),
        keys=np.array(vs.keys, dtype=str),
        hashes=np.array(vs.hashes, dtype=str),
        vectors=vs.vectors,
        symmetric=vs.question_rows(),
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
    reuse: list[tuple[int, int]] = []  # (new row, previous row)
    texts: list[str] = []
    flags: list[bool] = []
    symmetric: list[bool] = []
    prior_sym = previous.question_rows() if previous is not None else None
    fresh: list[int] = []
    for k in keys:
        prior = old.get(k)
        if prior is not None and prior[0] == hashes[k] and previous is not None:
            for j in prior[1]:
                reuse.append((len(row_keys), j))
                row_keys.append(k)
                symmetric.append(bool(prior_sym[j]) if prior_sym is not None else False)
            continue
        for p in passages(docs[k]) or [passages_fallback(docs[k])]:
            fresh.append(len(row_keys))
            row_keys.append(k)
            texts.append(p.text)
            flags.append(p.as_query)
            symmetric.append(p.as_query)
    out = np.zeros((len(row_keys), DIM), dtype=np.float32)
    if reuse and previous is not None:
        new_rows, old_rows = zip(*reuse, strict=True)
        out[list(new_rows)] = previous.vectors[list(old_rows)]
    if fresh:
        step = None
        if progress is not None:
            todo = len({row_keys[i] for i in fresh})
            done = len(keys) - todo

            # counted in documents, as the caller counts them, though passages are encoded
            def step(d: int, t: int) -> None:
                progress(done + (d * todo // t if t else todo), len(keys))

        out[fresh] = encoder.documents(texts, step, as_query=flags)
    if progress is not None:
        progress(len(keys), len(keys))
    return VectorSet(
        tuple(row_keys),
        tuple(hashes[k] for k in row_keys),
        out,
        np.array(symmetric, dtype=bool),
    )


def passages_fallback(doc: SearchDoc) -> Passage:
    """A document with no text at all still gets one row (its key), so that every
    document in a covered language has a vector."""
    return Passage(doc_text(doc) or doc.key)
