"""The whoosh schema of the search index, what goes into each field, and the field boosts.

``title``, ``head`` (symptoms, summary, tags) and ``body`` (text, steps and checks, form
field labels and help) hold morphological keys; ``pre`` the coarse 5-letter prefixes of
the whole document; ``con`` thesaurus concepts; ``ac`` edge n-grams of the title and
symptoms for as-you-type suggestions. The fingerprint of the schema and analysis is
written next to every generation so that an index built differently is rebuilt on open.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

from whoosh.fields import ID, STORED, Schema

from selfservice.search.analysis import (
    ConceptAnalyzer,
    EdgeAnalyzer,
    FastText,
    KeyAnalyzer,
    PrefixAnalyzer,
)
from selfservice.search.documents import SearchDoc
from selfservice.text.words import PART_SEPARATOR

#: Bump when the analysis changes (stop words, morphology, thesaurus): older indexes are
#: then rebuilt on open. Schema changes are noticed on their own (see ``fingerprint``).
ANALYSIS_VERSION = 1

#: Query-time weight of each field holding morphological keys (BM25F per field, summed).
#: ``head`` holds symptoms, summary and tags; ``body`` the text, the steps (articles) or
#: the field labels and help (forms).
FIELD_BOOSTS: dict[str, float] = {"title": 2.0, "head": 1.6, "body": 1.0}
#: Weight of the coarse prefix signal (``text.words.PREFIX_LEN``) over the whole document.
PREFIX_BOOSTS: dict[str, float] = {"pre": 1.0}
#: BM25 parameters.
BM25_K1 = 1.2
BM25_B = 0.75

#: Characters of the text kept (stored) for snippets.
EXCERPT_CHARS = 2000

KEY_FIELDS = tuple(FIELD_BOOSTS)


def make_schema() -> Schema:
    key = KeyAnalyzer()
    pre = PrefixAnalyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        ref=ID(stored=True),
        lang=ID(stored=True),
        audience=ID(stored=True),
        kind=ID(stored=True),
        service=ID(stored=True),
        path=STORED(),
        hash=STORED(),
        summary=STORED(),
        symptoms=STORED(),
        title=FastText(key, stored=True),
        head=FastText(key),
        body=FastText(key),
        excerpt=STORED(),
        pre=FastText(pre),
        con=FastText(ConceptAnalyzer()),
        ac=FastText(EdgeAnalyzer()),
    )


#: Rebuilds of at least this many documents use two worker processes.
PARALLEL_MIN_DOCS = 3000


def writer_options(n_docs: int) -> dict[str, Any]:
    """Whoosh writer options for a full build of ``n_docs`` documents.

    Big builds use whoosh's multiprocessing writer (two processes, one segment each),
    which roughly halves the wall time on two cores. It forks, so it is only used from a
    single-threaded process (the ``selfservice index`` command, a fresh server start);
    anything else builds in-process.
    """
    cpus = os.cpu_count() or 1
    if (
        n_docs >= PARALLEL_MIN_DOCS
        and cpus >= 2
        and hasattr(os, "fork")
        and threading.active_count() == 1
    ):
        return {"procs": 2, "limitmb": 128, "multisegment": True}
    return {"limitmb": 256}


def fingerprint() -> str:
    """Identifies the schema and analysis an index was built with."""
    schema = make_schema()
    parts = [f"analysis={ANALYSIS_VERSION}"]
    for name in sorted(schema.names()):
        fieldobj = schema[name]
        analyzer = getattr(fieldobj, "analyzer", None)
        parts.append(f"{name}:{type(fieldobj).__name__}:{type(analyzer).__name__}")
    return hashlib.sha1(";".join(parts).encode()).hexdigest()[:16]


def index_fields(doc: SearchDoc, digest: str) -> dict[str, str]:
    head = "\n".join(t for t in (doc.symptoms, doc.summary, doc.tags) if t)
    rest = "\n".join(t for t in (doc.body, doc.details) if t)
    # joined with PART_SEPARATOR so that the analysis of each part is reused
    everything = PART_SEPARATOR.join((doc.title, head, rest))
    return {
        "key": doc.key,
        "type": doc.type,
        "ref": doc.ref,
        "lang": doc.lang,
        "audience": doc.audience,
        "kind": doc.kind,
        "service": doc.service,
        "path": doc.path,
        "hash": digest,
        "summary": doc.summary,
        "symptoms": doc.symptoms,
        "title": doc.title,
        "head": head,
        "body": rest,
        "excerpt": rest[:EXCERPT_CHARS],
        "pre": everything,
        "con": everything,
        "ac": PART_SEPARATOR.join((doc.title, doc.symptoms)),
    }
