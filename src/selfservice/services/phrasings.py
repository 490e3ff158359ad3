"""The knowledge base learns the customers' words: proposals and their review.

When a conversation ends "solved" on an article, the words of the search that showed
that article are proposed as a new symptom of it (:func:`propose`, inside the
conversation's own transaction). Authors list the proposals and accept them — the line
is written into the article's front matter in kb/, to review and commit — or reject
them, and a rejected phrasing is never proposed again for that article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.content.phrasings import add_symptom, candidate, norm
from selfservice.db.models import ConversationEvent, PhrasingProposal
from selfservice.db.session import transaction
from selfservice.services.errors import Conflict, NotFound

__all__ = ["Decision", "decide", "list_proposals", "propose", "solving_query"]

STATUSES = ("proposed", "accepted", "rejected")


def solving_query(
    session: Session, conversation_id: str, article: str, pending: Sequence[dict[str, Any]]
) -> str | None:
    """What the customer typed in the last search of the conversation that showed
    ``article`` (this turn's events first, then the stored ones), or None."""
    for event in reversed(pending):
        if event.get("kind") == "search" and article in (event.get("articles") or []):
            return str(event.get("query", ""))
    rows = session.exec(
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation_id,
               ConversationEvent.kind == "search")
        .order_by(col(ConversationEvent.id).desc())
    ).all()
    for row in rows:
        if article in (row.detail.get("articles") or []):
            return str(row.detail.get("query", ""))
    return None


def propose(
    session: Session, content: Content, *, article_id: str, text: str, now: datetime
) -> PhrasingProposal | None:
    """Record ``text`` as a proposed symptom of the article (or count it again); None
    when it does not qualify or an author already decided on it."""
    article = content.articles.get(article_id)
    if article is None or not article.is_public:
        return None
    line = candidate(text, article)
    if line is None:
        return None
    key = norm(line)
    row = session.exec(
        select(PhrasingProposal).where(PhrasingProposal.article_id == article_id,
                                       PhrasingProposal.norm == key)
        .with_for_update()
    ).first()
    if row is not None:
        if row.status == "proposed":
            row.seen += 1
            row.last_at = now
            session.add(row)
        return row if row.status == "proposed" else None
    row = PhrasingProposal(article_id=article_id, lang=str(article.lang), text=line, norm=key,
                           first_at=now, last_at=now)
    session.add(row)
    return row


def list_proposals(
    engine: Engine, *, status: str = "proposed", lang: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Proposals with ``status``, the most often seen first."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    with transaction(engine, write=False) as session:
        query = select(PhrasingProposal).where(PhrasingProposal.status == status)
        if lang is not None:
            query = query.where(PhrasingProposal.lang == lang)
        rows = session.exec(
            query.order_by(col(PhrasingProposal.seen).desc(),
                           col(PhrasingProposal.last_at).desc()).limit(limit)
        ).all()
        return [_as_dict(r) for r in rows]


@dataclass(frozen=True)
class Decision:
    proposal: dict[str, Any]
    #: The change written into the article's file (accepted), "" otherwise.
    diff: str
    path: Path | None


def decide(
    engine: Engine, proposal_id: int, *, accept: bool, kb_dir: Path, by: str, now: datetime
) -> Decision:
    """Accept (write the symptom into kb/) or reject one proposal.

    The file is written before the proposal is marked, and a symptom already in the
    article is not written twice, so a failure between the two is repaired by accepting
    again.
    """
    with transaction(engine) as session:
        row = session.exec(
            select(PhrasingProposal).where(PhrasingProposal.id == proposal_id).with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"no phrasing proposal {proposal_id}", code="proposal_not_found")
        if row.status != "proposed":
            raise Conflict(f"proposal {proposal_id} is already {row.status}",
                           code="proposal_decided")
        diff, path = "", None
        if accept:
            content = load_content(kb_dir)
            article = content.articles.get(row.article_id)
            if article is None:
                raise NotFound(f"article {row.article_id} is no longer in {kb_dir}",
                               code="article_not_found")
            path = article.path
            if candidate(row.text, article) is not None:
                diff = add_symptom(path, row.text)
        row.status = "accepted" if accept else "rejected"
        row.decided_at = now
        row.decided_by = by
        session.add(row)
        return Decision(_as_dict(row), diff, path)


def _as_dict(row: PhrasingProposal) -> dict[str, Any]:
    return {
        "id": row.id, "article": row.article_id, "lang": row.lang, "text": row.text,
        "status": row.status, "seen": row.seen, "first_at": row.first_at.isoformat(),
        "last_at": row.last_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": row.decided_by,
    }
