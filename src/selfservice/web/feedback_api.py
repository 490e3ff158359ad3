"""Readers' "did this article help?" and the log of public searches (self-service metrics)."""

from typing import Any

from starlette.requests import Request

from selfservice.search import Hit
from selfservice.services import feedback
from selfservice.web.backend import backend_of
from selfservice.web.context import request_context
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.kb_api import public_article
from selfservice.web.schemas.fields import MAX_ID
from selfservice.web.schemas.requests import ArticleFeedback
from selfservice.web.state import state_of


async def article_feedback(call: Call[ArticleFeedback, None]) -> dict[str, Any]:
    """Say whether a public article helped (optionally with a comment)"""
    article = public_article(call.state["content"], call.path("id"))
    if article is None:
        raise ApiError(404, "article_not_found", field="id")
    contact = call.contact
    await call.run(
        feedback.record_article_feedback,
        article_id=article.id,
        helped=call.body.helped,
        now=call.now(),
        comment=call.body.comment,
        conversation_id=call.body.conversation or None,
        contact_id=contact.contact_id if contact is not None else None,
        org_id=contact.org_id if contact is not None else short_org(call.request),
    )
    return {"article": article.id, "helped": call.body.helped, "stored": True}


def short_org(request: Request) -> str | None:
    """The organisation the request names, if it could be one (ids are at most 64 long)."""
    org = request_context(request).org
    return org if org is not None and len(org) <= MAX_ID else None


def log_search(request: Request, query: str, lang: str | None, hits: list[Hit]) -> None:
    """Queue one public search for the search log (written in batches, see backend.py)."""
    state = state_of(request)
    if state["store"] is None:
        return
    backend_of(request).search_log.add(
        feedback.SearchEntry(
            at=state["clock"](),
            query=query,
            lang=lang,
            confident=any(h.confident for h in hits),
            results=len(hits),
            top=hits[0].id if hits else None,
            org_id=short_org(request),
        )
    )
