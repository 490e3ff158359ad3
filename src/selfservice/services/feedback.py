"""Self-service metrics the readers produce: article feedback and the public search log.

The conversation's own searches and "did it help" answers are stored by
``services.conversations`` in the same tables (``source`` tells them apart).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from selfservice.db.models import ArticleFeedback, Conversation, SearchLog
from selfservice.db.session import transaction
from selfservice.services.errors import NotFound

MAX_QUERY_LOGGED = 500


def record_article_feedback(
    engine: Engine, *, article_id: str, helped: bool, now: datetime, comment: str | None = None,
    conversation_id: str | None = None, contact_id: int | None = None, org_id: str | None = None,
) -> ArticleFeedback:
    """"Did this article help?" from a reader (the caller checked the article is public)."""
    row = ArticleFeedback(
        article_id=article_id, at=now, helped=helped, comment=(comment or "").strip() or None,
        source="reader", conversation_id=conversation_id, contact_id=contact_id, org_id=org_id,
    )
    with transaction(engine) as session:
        if conversation_id is not None and session.get(Conversation, conversation_id) is None:
            raise NotFound(f"no conversation {conversation_id}", field="conversation")
        session.add(row)
    return row


@dataclass(frozen=True)
class SearchEntry:
    """One search through the public search API."""

    at: datetime
    query: str
    lang: str | None
    confident: bool
    results: int
    top: str | None
    org_id: str | None = None


def log_searches(engine: Engine, *, entries: Sequence[SearchEntry]) -> None:
    """Store a batch of public searches in one transaction (the web layer buffers them)."""
    if not entries:
        return
    with transaction(engine) as session:
        session.add_all([
            SearchLog(at=e.at, source="search", query=e.query[:MAX_QUERY_LOGGED], lang=e.lang,
                      confident=e.confident, results=e.results, top=e.top, org_id=e.org_id)
            for e in entries
        ])
