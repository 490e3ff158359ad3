"""The vectors of one index generation: ``gen-<id>/vectors.npz``, keyed by document.

One file per generation holds, for every document in a language the model covers, its
key, its content hash and its unit vector. The file is replaced whole (write to a
temporary name, then ``os.replace``), so a reader sees the old set or the new one.
Readers align the rows to whoosh document numbers (:func:`aligned`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from selfservice.search.documents import SearchDoc
from selfservice.text.encoder import DIM, LANGS, MODEL_ID, Encoder, Vectors

__all__ = ["FILE", "VectorSet", "doc_text", "load", "save", "update"]

FILE = "vectors.npz"


def doc_text(doc: SearchDoc) -> str:
    """What the model reads of a document: the most telling parts first."""
    parts = (doc.title, doc.symptoms, doc.summary, doc.body, doc.details)
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class VectorSet:
    keys: tuple[str, ...]
    hashes: tuple[str, ...]
    vectors: Vectors

    def by_key(self) -> dict[str, tuple[str, int]]:
        return {k: (h, i) for i, (k, h) in enumerate(zip(self.keys, self.hashes, strict=True))}


def load(gen_dir: Path) -> VectorSet | None:
    """The generation's vectors, or None when there are none (yet) or another model made them."""
    try:
        with np.load(gen_dir / FILE, allow_pickle=False) as data:
            if str(data["model"]) != MODEL_ID:
                return None
            return VectorSet(
                tuple(str(k) for k in data["keys"]),
                tuple(str(h) for h in data["hashes"]),
                np.asarray(data["vectors"], dtype=np.float32),
            )
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return None


def save(gen_dir: Path, vs: VectorSet) -> None:
    tmp = gen_dir / f"{FILE}.{os.getpid()}.tmp.npz"
    np.savez(
        tmp,
        model=np.array(MODEL_ID),
        keys=np.array(vs.keys, dtype=str),
        hashes=np.array(vs.hashes, dtype=str),
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

    ``progress(done, total)`` counts the documents that get a vector.
    """
    keys = sorted(k for k, d in docs.items() if d.lang in LANGS)
    out = np.zeros((len(keys), DIM), dtype=np.float32)
    missing = list(range(len(keys)))
    if previous is not None:
        old = previous.by_key()
        missing = []
        for i, k in enumerate(keys):
            prior = old.get(k)
            if prior is not None and prior[0] == hashes[k]:
                out[i] = previous.vectors[prior[1]]
            else:
                missing.append(i)
    reused = len(keys) - len(missing)
    if missing:
        step = (lambda d, _t: progress(reused + d, len(keys))) if progress else None
        out[missing] = encoder.documents([doc_text(docs[keys[i]]) for i in missing], step)
    if progress is not None:
        progress(len(keys), len(keys))
    return VectorSet(tuple(keys), tuple(hashes[k] for k in keys), out)
