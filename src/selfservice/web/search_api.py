"""Public search and as-you-type suggestions over articles and request forms.

Always ``audience="public"``: internal runbooks are never searched for customers, and
any article hit that is not public in the loaded content is dropped as well (belt and
braces). Searching is CPU-bound whoosh work, so it runs in the thread pool. With a
database, each search (query, ``confident``) goes to the search log (in batches).
"""

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.content.model import Content
from selfservice.domain.enums import Language
from selfservice.search import Hit, Suggestion
from selfservice.web.customer_search import as_you_type
from selfservice.web.errors import accept_language
from selfservice.web.feedback_api import log_search
from selfservice.web.params import query_int, query_language, query_text
from selfservice.web.search_pool import search_in_pool
from selfservice.web.state import state_of
from selfservice.web.urls import form_url

#: Characters of a query that are searched; a longer one is cut, never refused.
MAX_QUERY = 300
MAX_LIMIT = 20


def search_language(request: Request) -> Language | None:
    """``?lang=``, else the Accept-Language preference when there is one, else None (all)."""
    explicit = query_language(request)
    if explicit is not None:
        return explicit
    header = request.headers.get("accept-language", "")
    if any(tag.strip().lower()[:2] in ("en", "ru") for tag in header.split(",")):
        return accept_language(header)
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


async def search(request: Request) -> JSONResponse:
    """
    summary: Search public articles and request forms (Russian and English morphology)
    parameters:
      - name: q
        in: query
        required: true
        description: >
          what the customer typed; only its first 300 characters are searched (a longer
          text, such as a pasted error message, is cut, not refused)
        schema: {type: string, minLength: 1, pattern: "\\\\S"}
      - {$ref: "#/components/parameters/lang"}
      - name: limit
        in: query
        required: false
        schema: {type: integer, minimum: 1, maximum: 20, default: 10}
    responses:
      200:
        description: >
          Hits, best first. `confident` marks hits good enough to offer as the answer;
          `snippet` is HTML (escaped text, matches in <mark>).
        content:
          application/json:
            schema:
              type: object
              required: [results]
              properties:
                results: {type: array, items: {$ref: "#/components/schemas/SearchResult"}}
    errors: [400, 429]
    """
    q = query_text(request, "q", max_length=MAX_QUERY, cut=True)
    lang = search_language(request)
    limit = query_int(request, "limit", default=10, minimum=1, maximum=MAX_LIMIT)
    state = state_of(request)
    hits = await search_in_pool(state["search"], q, lang=lang, audience="public", limit=limit)
    base = state["settings"].kb_site_url
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
        for hit in hits
        if is_public_hit(state["content"], hit.type, hit.id)
    ]
    public = [h for h in hits if is_public_hit(state["content"], h.type, h.id)]
    log_search(request, q, lang.value if lang else None, public)
    return JSONResponse({"results": results})


async def suggest(request: Request) -> JSONResponse:
    """
    summary: As-you-type suggestions (the last word may be unfinished)
    parameters:
      - name: q
        in: query
        required: true
        description: only the first 300 characters count
        schema: {type: string, minLength: 1, pattern: "\\\\S"}
      - {$ref: "#/components/parameters/lang"}
      - name: limit
        in: query
        required: false
        schema: {type: integer, minimum: 1, maximum: 20, default: 8}
    responses:
      200:
        description: >
          First the confident hits the chat would offer for the same text (in the same
          order: by confidence), then titles that complete the last word, the caller's
          language first
        content:
          application/json:
            schema:
              type: object
              required: [suggestions]
              properties:
                suggestions:
                  type: array
                  items:
                    type: object
                    required: [type, id, title, lang, url]
                    properties:
                      type: {type: string, enum: [article, form]}
                      id: {type: string}
                      title: {type: string}
                      lang: {type: string, enum: [en, ru]}
                      url: {type: string}
    errors: [400, 429]
    """
    q = query_text(request, "q", max_length=MAX_QUERY, cut=True)
    lang = search_language(request)
    limit = query_int(request, "limit", default=8, minimum=1, maximum=MAX_LIMIT)
    state = state_of(request)
    found = await run_in_threadpool(
        as_you_type, state["search"], state["content"], q, lang.value if lang else None, limit
    )
    base = state["settings"].kb_site_url
    suggestions = [
        {"type": s.type, "id": s.id, "title": s.title, "lang": s.lang, "url": result_url(base, s)}
        for s in found
    ]
    return JSONResponse({"suggestions": suggestions})
