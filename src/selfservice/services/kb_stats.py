"""How each article does, for its authors: from being offered to solving the problem.

Per article and customer language, over the events of ``[start, end)``:

* ``shown``: offered as a card in a conversation's answer, or the first confident hit of
  a public search;
* ``opened``: opened in a conversation (the widget showed the article or its first step);
* ``steps``: for a scripted solution, how many of those openings reached step 1, 2, … N
  (the conversation keeps how far each tried article was walked);
* ``solved``: conversations closed "solved" on the article;
* ``not_helped``: "did not help" from conversations and from readers of the site;
* ``ticket_24h``: openings followed within 24 hours by a ticket, from that conversation
  or by the same signed-in contact through any channel: the article was read and the
  problem stayed.
"""

import bisect
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from selfservice.db.models import (
    ArticleFeedback,
    Conversation,
    ConversationEvent,
    SearchLog,
    Ticket,
)
from selfservice.db.session import transaction

TICKET_WINDOW = timedelta(hours=24)


@dataclass
class ArticleUse:
    article: str
    lang: str
    shown: int = 0
    opened: int = 0
    #: ``steps[n - 1]``: openings that reached step ``n``.
    steps: list[int] = field(default_factory=list)
    solved: int = 0
    not_helped: int = 0
    ticket_24h: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article, "lang": self.lang, "shown": self.shown,
            "opened": self.opened, "steps": list(self.steps), "solved": self.solved,
            "not_helped": self.not_helped, "ticket_24h": self.ticket_24h,
        }


def article_stats(
    engine: Engine, *, start: datetime, end: datetime, lang: str | None = None,
    articles: Collection[str] | None = None,
) -> list[ArticleUse]:
    """One row per (article, language) with any use in ``[start, end)``, most opened first.

    ``articles``: the ids of the knowledge base's articles; a public search's first hit
    may be a request form, and an article may have been deleted since: those rows are
    left out."""
    rows: dict[tuple[str, str], ArticleUse] = {}

    def use(article: str, language: str) -> ArticleUse:
        key = (article, language)
        if key not in rows:
            rows[key] = ArticleUse(article, language)
        return rows[key]

    in_period = (col(ConversationEvent.at) >= start, col(ConversationEvent.at) < end)
    events = (
        select(ConversationEvent, Conversation)
        .join(Conversation, col(Conversation.id) == col(ConversationEvent.conversation_id))
        .where(col(ConversationEvent.kind).in_(("search", "article_shown", "deflected")),
               *in_period)
        .order_by(col(ConversationEvent.at), col(ConversationEvent.id))
    )
    public = (
        select(col(SearchLog.top), col(SearchLog.lang), col(SearchLog.at))
        .where(SearchLog.source == "search", col(SearchLog.confident).is_(True),
               col(SearchLog.top).is_not(None), col(SearchLog.at) >= start,
               col(SearchLog.at) < end)
    )
    feedback = (
        select(ArticleFeedback, Conversation)
        .outerjoin(Conversation, col(Conversation.id) == col(ArticleFeedback.conversation_id))
        .where(col(ArticleFeedback.helped).is_(False), col(ArticleFeedback.at) >= start,
               col(ArticleFeedback.at) < end)
    )
    with transaction(engine, write=False) as session:
        found = session.execute(events).all()
        tops = session.execute(public).all()
        votes = session.execute(feedback).all()
        contacts = {c.contact_id for _e, c in found if c.contact_id is not None}
        tickets = _tickets_by_contact(session, contacts, start, end + TICKET_WINDOW)

    opened: list[tuple[ConversationEvent, Conversation]] = []
    for event, conversation in found:
        language = conversation.lang.value
        if event.kind == "search":
            for article in event.detail.get("articles") or []:
                use(str(article), language).shown += 1
        elif event.article is None:
            continue
        elif event.kind == "article_shown":
            use(event.article, language).opened += 1
            opened.append((event, conversation))
        else:
            use(event.article, language).solved += 1
    for top, language, _at in tops:
        use(str(top), str(language or _lang_of(str(top)))).shown += 1
    for vote, conversation in votes:
        language = conversation.lang.value if conversation else _lang_of(vote.article_id)
        use(vote.article_id, language).not_helped += 1
    _walked(opened, use)
    for event, conversation in opened:
        if _ticket_after(event, conversation, tickets):
            use(str(event.article), conversation.lang.value).ticket_24h += 1

    out = [
        row for row in rows.values()
        if (lang is None or row.lang == lang) and (articles is None or row.article in articles)
    ]
    out.sort(key=lambda r: (-r.opened, -r.shown, r.article, r.lang))
    return out


def _walked(opened: list[tuple[ConversationEvent, Conversation]], use: Any) -> None:
    """Steps reached, from the conversation's record of each tried article (in order, so
    the n-th opening of an article in a conversation is its n-th tried entry)."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for event, conversation in opened:
        article = str(event.article)
        nth = seen[(conversation.id, article)]
        seen[(conversation.id, article)] += 1
        tried = [t for t in conversation.state.get("tried", []) if t.get("article") == article]
        if nth >= len(tried) or not int(tried[nth].get("steps_total") or 0):
            continue
        row = use(article, conversation.lang.value)
        total, reached = int(tried[nth]["steps_total"]), int(tried[nth].get("steps_seen") or 0)
        if len(row.steps) < total:
            row.steps.extend([0] * (total - len(row.steps)))
        for n in range(min(reached, total)):
            row.steps[n] += 1


def _tickets_by_contact(
    session: Any, contacts: set[int], start: datetime, end: datetime
) -> dict[int, list[datetime]]:
    if not contacts:
        return {}
    query = (
        select(col(Ticket.contact_id), col(Ticket.created_at))
        .where(col(Ticket.contact_id).in_(sorted(contacts)), col(Ticket.created_at) >= start,
               col(Ticket.created_at) < end)
        .order_by(col(Ticket.created_at))
    )
    out: dict[int, list[datetime]] = defaultdict(list)
    for contact_id, created_at in session.execute(query):
        out[int(contact_id)].append(_utc(created_at))
    return out


def _ticket_after(
    event: ConversationEvent, conversation: Conversation, tickets: dict[int, list[datetime]]
) -> bool:
    at = _utc(event.at)
    if (conversation.outcome == "ticket_filed" and conversation.closed_at is not None
            and _utc(conversation.closed_at) - at <= TICKET_WINDOW):
        return True
    times = tickets.get(conversation.contact_id or -1, [])
    i = bisect.bisect_left(times, at)
    return i < len(times) and times[i] - at <= TICKET_WINDOW


def _lang_of(article_id: str) -> str:
    """Articles are per language, their ids end in ``-en`` / ``-ru`` by convention."""
    return "ru" if article_id.endswith("-ru") else "en"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
