"""Self-service metrics the readers produce: article feedback and the public search log.

The conversation's own searches and "did it help" answers are stored by
``services.conversations`` in the same tables (``source`` tells them apart).
"""

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


def log_search(
    engine: Engine, *, query: str, lang: str | None, confident: bool, results: int,
    top: str | None, now: datetime, org_id: str | None = None,
) -> None:
    """One search through the public search API."""
    with transaction(engine) as session:
        session.add(SearchLog(
            at=now, source="search", query=query[:MAX_QUERY_LOGGED], lang=lang,
            confident=confident, results=results, top=top, org_id=org_id,
        ))
