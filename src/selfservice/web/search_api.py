"""Public search and as-you-type suggestions over articles and request forms.

Always ``audience="public"``: internal runbooks are never searched for customers, and
any article hit that is not public in the loaded content is dropped as well (belt and
braces). Searching is CPU-bound whoosh work, so it runs in the thread pool. With a
database, each search (query, ``confident``) goes to the search log (in batches).
"""

from typing import Any

from starlette.concurrency import run_in_threadpool

from selfservice.content.model import Content
from selfservice.domain.enums import Language
from selfservice.search import Hit, Suggestion
from selfservice.web.context import request_context
from selfservice.web.customer_search import as_you_type
from selfservice.web.dispatch import Call
from selfservice.web.feedback_api import log_search
from selfservice.web.schemas.requests import SearchQuery, SuggestQuery
from selfservice.web.search_pool import search_in_pool
from selfservice.web.urls import form_url


def search_language(call: Call[None, SearchQuery] | Call[None, SuggestQuery]) -> Language | None:
    """``?lang=``, else the Accept-Language preference when there is one, else None (all)."""
    context = request_context(call.request)
    if context.asked_lang is not None or context.accepts_supported:
        return context.lang
    return None


def is_public_hit(content: Content, hit_type: str, hit_id: str) -> bool:
    if hit_type == "form":
        return hit_id in content.forms
    article = content.articles.get(hit_id)
    return article is not None and article.is_public


def result_url(kb_site_url: str, hit: Hit | Suggestion) -> str:
    if hit.type == "form":
        return form_url(hit.id)
    return kb_site_url.rstrip("/") + hit.url


async def search(call: Call[None, SearchQuery]) -> dict[str, Any]:
    """Search public articles and request forms (Russian and English morphology)"""
    q, limit = call.query.q, call.query.limit
    lang = search_language(call)
    state = call.state
    hits, by_meaning = await search_in_pool(
        state["search"], q, lang=lang, audience="public", limit=limit
    )
    base = state["settings"].kb_site_url
    public = [h for h in hits if is_public_hit(state["content"], h.type, h.id)]
    results: list[dict[str, Any]] = [
        {
            "type": hit.type,
            "id": hit.id,
            "title": hit.title,
            "snippet": hit.snippet,
            "score": round(hit.score, 4),
            "confidence": round(hit.confidence, 4),
            "confident": hit.confident,
            "lang": hit.lang,
            "kind": hit.kind,
            "service": hit.service,
            "url": result_url(base, hit),
        }
        for hit in public
    ]
    log_search(call.request, q, lang.value if lang else None, public)
    return {"results": results, "meaning": by_meaning}


async def suggest(call: Call[None, SuggestQuery]) -> dict[str, Any]:
    """As-you-type suggestions (the last word may be unfinished)"""
    lang = search_language(call)
    state = call.state
    found = await run_in_threadpool(
        as_you_type, state["search"], state["content"], call.query.q,
        lang.value if lang else None, call.query.limit,
    )
    base = state["settings"].kb_site_url
    suggestions = [
        {"type": s.type, "id": s.id, "title": s.title, "lang": s.lang, "url": result_url(base, s)}
        for s in found
    ]
    return {"suggestions": suggestions}
