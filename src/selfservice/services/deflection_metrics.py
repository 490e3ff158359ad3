"""The self-service side of the managers' dashboard: the deflection funnel per day and
the deflection rate per article and per service (SQL aggregates, SQLite and PostgreSQL).

Over the conversations started in the period:

* funnel, per UTC day: conversations → those shown at least one article → how they ended
  (solved = ``deflected``, ``ticket_filed``, ``abandoned``; still open ones have no outcome);
* per article: ``shown`` = conversations shown the article, ``deflected`` = conversations
  solved on it (the article the customer said "solved" on), ``rate`` = deflected / shown;
* per service: the articles' deflections summed by the article's service, against the
  tickets filed from a conversation for that service: ``rate`` = deflected / (deflected +
  filed), the share of the service's self-service attempts that needed no ticket.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from selfservice.db.models import Conversation, ConversationEvent, Ticket
from selfservice.db.session import transaction
from selfservice.services.metrics_sql import Period, count_if, day_of, ratio


@dataclass(frozen=True)
class FunnelDay:
    day: str
    conversations: int
    article_shown: int
    deflected: int
    ticket_filed: int
    abandoned: int


@dataclass(frozen=True)
class ArticleDeflection:
    article: str
    service: str | None
    shown: int
    deflected: int
    rate: float | None


@dataclass(frozen=True)
class ServiceDeflection:
    service: str
    deflected: int
    ticket_filed: int
    rate: float | None


def _started_in(period: Period) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    started = col(Conversation.started_at)
    return started >= period.start, started < period.end


def funnel(engine: Engine, *, period: Period) -> list[FunnelDay]:
    """One row per UTC day that had conversations, oldest first."""
    day = day_of(engine, col(Conversation.started_at))
    shown = select(col(ConversationEvent.conversation_id)).where(
        col(ConversationEvent.kind) == "article_shown")
    outcome = col(Conversation.outcome)
    query = (
        select(day, func.count(), count_if(col(Conversation.id).in_(shown)),
               count_if(outcome == "deflected"), count_if(outcome == "ticket_filed"),
               count_if(outcome == "abandoned"))
        .where(*_started_in(period))
        .group_by(day).order_by(day)
    )
    with transaction(engine, write=False) as session:
        return [FunnelDay(str(d), *(int(v) for v in values))
                for d, *values in session.execute(query)]


def per_article(
    engine: Engine, *, period: Period, services: Mapping[str, str] | None = None
) -> list[ArticleDeflection]:
    """Articles shown or solved on in the period's conversations, most shown first.

    ``services`` maps an article id to its service (from the kb); unknown ones get None.
    """
    conversation = col(ConversationEvent.conversation_id)
    article = col(ConversationEvent.article)
    counts = (
        select(article, col(ConversationEvent.kind), func.count(func.distinct(conversation)))
        .join(Conversation, col(Conversation.id) == conversation)
        .where(col(ConversationEvent.kind).in_(("article_shown", "deflected")),
               article.is_not(None), *_started_in(period))
        .group_by(article, col(ConversationEvent.kind))
    )
    shown: dict[str, int] = {}
    solved: dict[str, int] = {}
    with transaction(engine, write=False) as session:
        for name, kind, n in session.execute(counts):
            (shown if kind == "article_shown" else solved)[str(name)] = int(n)
    known = services or {}
    rows = [
        ArticleDeflection(a, known.get(a), shown.get(a, 0), solved.get(a, 0),
                          ratio(solved.get(a, 0), shown.get(a, 0)))
        for a in shown.keys() | solved.keys()
    ]
    rows.sort(key=lambda r: (-r.shown, -r.deflected, r.article))
    return rows


def per_service(
    engine: Engine, *, period: Period, services: Mapping[str, str]
) -> list[ServiceDeflection]:
    """Deflections by the solving article's service against tickets filed from a chat."""
    deflected: dict[str, int] = {}
    for row in per_article(engine, period=period, services=services):
        key = row.service or "unknown"
        deflected[key] = deflected.get(key, 0) + row.deflected
    filed_query = (
        select(col(Ticket.service), func.count())
        .select_from(Conversation)
        .join(Ticket, col(Ticket.id) == col(Conversation.ticket_id))
        .where(col(Conversation.outcome) == "ticket_filed",
               *_started_in(period))
        .group_by(col(Ticket.service))
    )
    with transaction(engine, write=False) as session:
        filed = {str(s): int(n) for s, n in session.execute(filed_query)}
    rows = [
        ServiceDeflection(s, deflected.get(s, 0), filed.get(s, 0),
                          ratio(deflected.get(s, 0), deflected.get(s, 0) + filed.get(s, 0)))
        for s in deflected.keys() | filed.keys()
    ]
    rows.sort(key=lambda r: (-(r.deflected + r.ticket_filed), r.service))
    return rows
