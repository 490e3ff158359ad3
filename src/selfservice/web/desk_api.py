"""The desk's own part of the engineer API: registering a phoned-in ticket, searching the
knowledge base with the internal runbooks, and the managers' self-service metrics.

Thin like ``engineer_api.py``: the caller and the input are read by the route table's
models; one use case runs in the thread pool.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool

from selfservice.domain.enums import Impact, TicketType, Urgency
from selfservice.services import desk, metrics, phrasings
from selfservice.web.dispatch import Call
from selfservice.web.engineer_api import detail_json
from selfservice.web.errors import ApiError
from selfservice.web.schemas.requests import (
    MAX_METRICS_DAYS,
    MetricsQuery,
    PhoneCall,
    PhrasingsQuery,
    StaffSearchQuery,
)

Answer = dict[str, Any]


async def register_call(call: Call[PhoneCall, None]) -> Answer:
    """Register a ticket for a contact who phoned (channel phone, urgency confirmed)"""
    body, backend = call.body, call.backend
    contact_id = await run_in_threadpool(backend.directory.contact_id, body.org, body.email)
    if contact_id is None:
        raise ApiError(404, "contact_not_found", field="email")
    ticket = await call.run(
        desk.register_phone_call, config=backend.config, content=call.state["content"],
        engineer_id=call.staff.id, contact_id=contact_id, service_id=body.service,
        description=body.description, now=call.now(), subject=body.subject,
        ticket_type=body.type or TicketType.INCIDENT, urgency=body.urgency or Urgency.MEDIUM,
        impact=body.impact or Impact.LOW,
    )
    return detail_json(ticket)


async def search(call: Call[None, StaffSearchQuery]) -> Answer:
    """Search the knowledge base including internal runbooks

    Hits, best first: `internal` marks a runbook customers never see.
    """
    query, state = call.query, call.state
    hits = await run_in_threadpool(
        state["search"].search, query.q, lang=query.lang.value if query.lang else None,
        audience="internal", limit=query.limit,
    )
    content = state["content"]
    results = []
    for hit in hits:
        article = content.articles.get(hit.id) if hit.type != "form" else None
        results.append({
            "type": hit.type, "id": hit.id, "title": hit.title, "snippet": hit.snippet,
            "confidence": round(hit.confidence, 4), "confident": hit.confident,
            "lang": hit.lang, "kind": hit.kind, "service": hit.service, "path": hit.path,
            "internal": article is not None and not article.is_public,
        })
    return {"results": results}


async def get_metrics(call: Call[None, MetricsQuery]) -> Answer:
    """Self-service metrics of a period (managers only)

    Conversations started from `from` to `to` (both days included, UTC): outcomes,
    deflection rate (deflected / conversations with an outcome), per-article shown /
    helped / not helped, and the top queries that found nothing confident.
    """
    start = datetime.combine(call.query.start, time(), tzinfo=UTC)
    end = datetime.combine(call.query.end, time(), tzinfo=UTC) + timedelta(days=1)
    if end <= start or end - start > timedelta(days=MAX_METRICS_DAYS):
        raise ApiError(400, "invalid_period", field="to", max=MAX_METRICS_DAYS)
    found = await call.run(metrics.self_service, start=start, end=end)
    return {
        "from": start.date().isoformat(), "to": (end - timedelta(days=1)).date().isoformat(),
        "conversations": found.conversations, "deflected": found.deflected,
        "ticket_filed": found.ticket_filed, "abandoned": found.abandoned,
        "deflection_rate": found.deflection_rate,
        "articles": [
            {"article": a.article, "shown": a.shown, "helped": a.helped,
             "not_helped": a.not_helped}
            for a in found.articles
        ],
        "unanswered_queries": [{"query": m.query, "count": m.count} for m in found.unanswered],
    }


async def list_phrasings(call: Call[None, PhrasingsQuery]) -> Answer:
    """Customers' words proposed as symptoms (authors' review list)

    When a chat ends "solved" on an article, what the customer typed to find it is
    proposed as a new symptom of that article; the most often seen first. Authors
    accept or reject them with `selfservice kb phrasings` in their kb/ checkout.
    """
    lang = call.query.article_lang
    found = await call.run(phrasings.list_proposals, status=call.query.status,
                           lang=lang.value if lang is not None else None)
    return {"phrasings": found}
