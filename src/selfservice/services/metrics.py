"""Self-service metrics for managers, computed with SQL aggregates.

Over the conversations started in ``[start, end)``:

* ``conversations``: how many were started; ``deflected``, ``ticket_filed``,
  ``abandoned``: how many ended with that outcome (open ones have none yet);
* ``deflection_rate`` = deflected / conversations with an outcome (None when none has one);
* per article (events and feedback in the period): how often it was shown, and how often
  readers or conversations said it helped / did not help;
* the top queries that found nothing confident (the search log): what L1 should write next.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, case, func
from sqlmodel import col, select

from selfservice.db.models import ArticleFeedback, Conversation, ConversationEvent, SearchLog
from selfservice.db.session import transaction

OUTCOMES = ("deflected", "ticket_filed", "abandoned")


@dataclass(frozen=True)
class ArticleStats:
    article: str
    shown: int
    helped: int
    not_helped: int


@dataclass(frozen=True)
class MissedQuery:
    query: str
    count: int


@dataclass(frozen=True)
class Metrics:
    conversations: int
    deflected: int
    ticket_filed: int
    abandoned: int
    deflection_rate: float | None
    articles: list[ArticleStats]
    unanswered: list[MissedQuery]


def self_service(
    engine: Engine, *, start: datetime, end: datetime, top: int = 20
) -> Metrics:
    """The metrics of conversations, articles and searches in ``[start, end)``."""
    outcome = col(Conversation.outcome)
    counts = select(
        func.count(),
        *(func.coalesce(func.sum(case((outcome == name, 1), else_=0)), 0) for name in OUTCOMES),
    ).where(col(Conversation.started_at) >= start, col(Conversation.started_at) < end)
    shown = (
        select(col(ConversationEvent.article), func.count())
        .where(ConversationEvent.kind == "article_shown",
               col(ConversationEvent.article).is_not(None),
               col(ConversationEvent.at) >= start, col(ConversationEvent.at) < end)
        .group_by(col(ConversationEvent.article))
    )
    helped = col(ArticleFeedback.helped)
    votes = (
        select(
            col(ArticleFeedback.article_id),
            func.sum(case((helped.is_(True), 1), else_=0)),
            func.sum(case((helped.is_(False), 1), else_=0)),
        )
        .where(col(ArticleFeedback.at) >= start, col(ArticleFeedback.at) < end)
        .group_by(col(ArticleFeedback.article_id))
    )
    query_text = func.lower(func.trim(col(SearchLog.query)))
    missed = (
        select(query_text, func.count().label("n"))
        .where(col(SearchLog.confident).is_(False),
               col(SearchLog.at) >= start, col(SearchLog.at) < end)
        .group_by(query_text)
        .order_by(func.count().desc(), query_text)
        .limit(top)
    )
    with transaction(engine, write=False) as session:
        total, deflected, filed, abandoned = (int(v) for v in session.execute(counts).one())
        shown_by = {str(a): int(n) for a, n in session.execute(shown)}
        votes_by = {str(a): (int(h or 0), int(n or 0)) for a, h, n in session.execute(votes)}
        unanswered = [MissedQuery(str(q), int(n)) for q, n in session.execute(missed)]
    ended = deflected + filed + abandoned
    articles = [
        ArticleStats(a, shown_by.get(a, 0), *votes_by.get(a, (0, 0)))
        for a in sorted(shown_by.keys() | votes_by.keys())
    ]
    articles.sort(key=lambda s: (-s.shown, s.article))
    return Metrics(
        conversations=total, deflected=deflected, ticket_filed=filed, abandoned=abandoned,
        deflection_rate=round(deflected / ended, 4) if ended else None,
        articles=articles, unanswered=unanswered,
    )
