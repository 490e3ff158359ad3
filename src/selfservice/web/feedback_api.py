"""Readers' "did this article help?" and the log of public searches (self-service metrics)."""

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.search import Hit
from selfservice.services import feedback
from selfservice.web.backend import backend_of
from selfservice.web.bodies import read_body
from selfservice.web.customers import optional_customer
from selfservice.web.errors import ApiError
from selfservice.web.hardening import request_org
from selfservice.web.kb_api import public_article
from selfservice.web.params import check_common
from selfservice.web.state import state_of

MAX_COMMENT = 2000


async def article_feedback(request: Request) -> JSONResponse:
    """
    summary: Say whether a public article helped (optionally with a comment)
    security: [{}, {portalToken: []}]
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, maxLength: 200}}
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [helped]
            properties:
              helped: {type: boolean}
              comment: {type: string, maxLength: 2000, nullable: true}
              conversation: {type: string, maxLength: 64, nullable: true}
    responses:
      201:
        description: Stored
        content:
          application/json:
            schema:
              type: object
              required: [article, helped, stored]
              properties:
                article: {type: string}
                helped: {type: boolean}
                stored: {type: boolean}
    errors: [400, 401, 404, 413, 429]
    """
    check_common(request)
    body = await read_body(request)
    helped = body.boolean("helped", required=True)
    comment = body.text("comment", max_length=MAX_COMMENT, nullable=True, blank_ok=True)
    conversation = body.text("conversation", max_length=64, nullable=True, blank_ok=True)
    state = state_of(request)
    article = public_article(state["content"], request.path_params["id"])
    if article is None:
        raise ApiError(404, "article_not_found", field="id")
    backend = backend_of(request)
    who = await optional_customer(request)
    await run_in_threadpool(
        partial(
            feedback.record_article_feedback,
            backend.engine,
            article_id=article.id,
            helped=bool(helped),
            now=state["clock"](),
            comment=comment,
            conversation_id=conversation or None,
            contact_id=who.contact_id if who is not None else None,
            org_id=who.org_id if who is not None else short_org(request),
        )
    )
    return JSONResponse({"article": article.id, "helped": helped, "stored": True}, status_code=201)


def short_org(request: Request) -> str | None:
    """The organisation the request names, if it could be one (ids are at most 64 long)."""
    org = request_org(request.scope)
    return org if org is not None and len(org) <= 64 else None


def log_search(request: Request, query: str, lang: str | None, hits: list[Hit]) -> None:
    """Queue one public search for the search log (written in batches, see backend.py)."""
    store = state_of(request)["store"]
    if store is None:
        return
    backend_of(request).search_log.add(
        feedback.SearchEntry(
            at=state_of(request)["clock"](),
            query=query,
            lang=lang,
            confident=any(h.confident for h in hits),
            results=len(hits),
            top=hits[0].id if hits else None,
            org_id=short_org(request),
        )
    )
