"""Search over the knowledge base: articles (public and internal) and request forms.

The only package that reads or writes a whoosh index. Use it through :class:`SearchIndex`::

    from selfservice.search import SearchIndex

    index = SearchIndex.open_or_build(settings.index_dir, content)
    hits = index.search("сбросить пароль", lang="ru")            # public caller
    best = hits[0] if hits and hits[0].confident else None       # deflect, or not
    index.suggest("сброс пар", lang="ru")                        # as-you-type

See ``engine.py`` for the modules behind :class:`SearchIndex` (``generations.py`` for the
index lifecycle), ``selfservice.text.words`` and ``analysis.py`` for how text becomes
terms, ``evaluation.py`` for the quality measurement behind ``selfservice eval``.
"""

from selfservice.search.documents import SearchDoc, docs_from_content, docs_from_jsonl
from selfservice.search.engine import (
    CONFIDENCE_THRESHOLD,
    Hit,
    Progress,
    SearchIndex,
    Suggestion,
    SyncReport,
)

__all__ = [
    "CONFIDENCE_THRESHOLD",
    "Hit",
    "Progress",
    "SearchDoc",
    "SearchIndex",
    "Suggestion",
    "SyncReport",
    "docs_from_content",
    "docs_from_jsonl",
]
