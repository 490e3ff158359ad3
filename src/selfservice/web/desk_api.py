"""The desk's own part of the engineer API: registering a phoned-in ticket, searching the
knowledge base with the internal runbooks, and the managers' self-service metrics.

Thin like ``engineer_api.py``: who calls, their input, one use case in the thread pool.
"""

from datetime import UTC, datetime, time, timedelta
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.domain.enums import Impact, TicketType, Urgency
from selfservice.services import desk, metrics
from selfservice.web.backend import backend_of
from selfservice.web.bodies import read_body
from selfservice.web.engineer_api import IMPACTS, TYPES, context, detail_json
from selfservice.web.engineer_auth import require_manager, staff
from selfservice.web.errors import ApiError
from selfservice.web.params import query_int, query_language, query_text
from selfservice.web.state import state_of
from selfservice.web.tickets_api import MAX_DESCRIPTION, URGENCIES

MAX_METRICS_DAYS = 366


async def register_call(request: Request) -> JSONResponse:
    """
    summary: Register a ticket for a contact who phoned (channel phone, urgency confirmed)
    security: [{engineerToken: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [org, email, service, description]
            properties:
              org: {type: string, maxLength: 64, pattern: "\\\\S"}
              email: {type: string, maxLength: 254, pattern: "\\\\S"}
              service: {type: string, maxLength: 64, pattern: "\\\\S"}
              type: {type: string, enum: [incident, request], default: incident,
                     nullable: true}
              urgency: {type: string, enum: [very_high, high, medium, low, none], nullable: true}
              impact: {type: string, enum: [significant, high, medium, low], nullable: true}
              subject: {type: string, maxLength: 300, nullable: true, pattern: "\\\\S"}
              description: {type: string, minLength: 1, maxLength: 10000, pattern: "\\\\S"}
    responses:
      201: {description: Registered}
    errors: [400, 401, 404]
    """
    who = await staff(request)
    body = await read_body(request)
    org = body.text("org", max_length=64, required=True) or ""
    email = body.text("email", max_length=254, required=True) or ""
    service = body.text("service", max_length=64, required=True) or ""
    ticket_type = body.choice("type", TYPES, nullable=True) or TicketType.INCIDENT.value
    urgency = body.choice("urgency", URGENCIES, nullable=True) or Urgency.MEDIUM.value
    impact = body.choice("impact", IMPACTS, nullable=True) or Impact.LOW.value
    subject = body.text("subject", max_length=300, nullable=True)
    description = body.text("description", max_length=MAX_DESCRIPTION, required=True) or ""
    backend, now = context(request)
    contact_id = await run_in_threadpool(backend.directory.contact_id, org, email)
    if contact_id is None:
        raise ApiError(404, "contact_not_found", field="email")
    ticket = await run_in_threadpool(partial(
        desk.register_phone_call, backend.engine, config=backend.config,
        content=state_of(request)["content"], engineer_id=who.id, contact_id=contact_id,
        service_id=service, description=description, now=now, subject=subject,
        ticket_type=TicketType(ticket_type), urgency=Urgency(urgency), impact=Impact(impact),
    ))
    return JSONResponse(detail_json(ticket), status_code=201)


async def search(request: Request) -> JSONResponse:
    """
    summary: Search the knowledge base including internal runbooks
    security: [{engineerToken: []}]
    parameters:
      - {name: q, in: query, required: true, description: only the first 300 characters count,
         schema: {type: string, minLength: 1, pattern: "\\\\S"}}
      - {$ref: "#/components/parameters/lang"}
      - {name: limit, in: query, required: false,
         schema: {type: integer, minimum: 1, maximum: 50, default: 10}}
    responses:
      200: {description: "Hits, best first: {results: [...]}"}
    errors: [400, 401]
    """
    await staff(request)
    q = query_text(request, "q", max_length=300, cut=True)
    lang = query_language(request)
    limit = query_int(request, "limit", default=10, minimum=1, maximum=50)
    state = state_of(request)
    hits = await run_in_threadpool(partial(
        state["search"].search, q, lang=lang.value if lang else None, audience="internal",
        limit=limit,
    ))
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
    return JSONResponse({"results": results})


def _day(request: Request, name: str) -> datetime:
    raw = query_text(request, name, max_length=10)
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise ApiError(400, "invalid_date", field=name) from None
    return datetime.combine(day, time(), tzinfo=UTC)


async def get_metrics(request: Request) -> JSONResponse:
    """
    summary: Self-service metrics of a period (managers only)
    description: >
      Conversations started from `from` to `to` (both days included, UTC): outcomes,
      deflection rate (deflected / conversations with an outcome), per-article shown /
      helped / not helped, and the top queries that found nothing confident.
    security: [{engineerToken: []}]
    parameters:
      - {name: from, in: query, required: true, schema: {type: string, format: date}}
      - {name: to, in: query, required: true, schema: {type: string, format: date}}
    responses:
      200: {description: The metrics}
    errors: [400, 401, 403]
    """
    who = await staff(request)
    require_manager(who)
    start = _day(request, "from")
    end = _day(request, "to") + timedelta(days=1)
    if end <= start or end - start > timedelta(days=MAX_METRICS_DAYS):
        raise ApiError(400, "invalid_period", field="to", max=MAX_METRICS_DAYS)
    backend = backend_of(request)
    found = await run_in_threadpool(
        partial(metrics.self_service, backend.engine, start=start, end=end)
    )
    return JSONResponse({
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
    })
