"""Health, the OpenAPI document, and ``/me`` (who the portal token says the caller is)."""

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.domain.customer_view import support_promise
from selfservice.services import portal
from selfservice.web.backend import backend_of
from selfservice.web.hardening import request_org
from selfservice.web.identity import PortalIdentity, authenticate, bearer_token
from selfservice.web.openapi import openapi_document
from selfservice.web.params import check_common
from selfservice.web.state import state_of


async def healthz(request: Request) -> JSONResponse:
    """
    summary: Liveness and readiness of this process
    responses:
      200:
        description: The process serves requests; counts of loaded content
        content:
          application/json:
            schema:
              type: object
              required: [status]
              properties:
                status: {type: string, enum: [ok]}
                articles: {type: integer}
                forms: {type: integer}
    """
    content = state_of(request)["content"]
    public = len(content.public_articles())
    return JSONResponse({"status": "ok", "articles": public, "forms": len(content.forms)})


async def openapi_json(request: Request) -> JSONResponse:
    """
    summary: This document (OpenAPI 3)
    responses:
      200:
        description: The OpenAPI document of the public API
        content: {application/json: {schema: {type: object}}}
    """
    return JSONResponse(openapi_document(request.app.routes))


async def portal_identity(request: Request) -> PortalIdentity:
    """The verified contact behind ``Authorization: Bearer <portal token>`` (or 401)."""
    state = state_of(request)
    token = bearer_token(request)
    return await run_in_threadpool(
        authenticate,
        token,
        state["directory"],
        now=state["clock"](),
        expected_org=request_org(request.scope),
    )


async def me(request: Request) -> JSONResponse:
    """
    summary: The contact person a portal token identifies
    description: >
      The client portal signs an HS256 JWT with its organisation's secret
      (sub = contact e-mail, org = organisation id, exp at most 2 hours ahead).
    security: [{portalToken: []}]
    parameters:
      - {$ref: "#/components/parameters/lang"}
      - {$ref: "#/components/parameters/orgHeader"}
    responses:
      200:
        description: The verified identity
        content:
          application/json:
            schema:
              type: object
              required: [org, email, expires_at]
              properties:
                org: {type: string}
                email: {type: string}
                expires_at: {type: string, format: date-time}
                support:
                  type: object
                  nullable: true
                  description: >
                    The organisation's support hours and first-response target for
                    critical problems, from its contract level's SLA, in en and ru
                    (`text` joins them: "24/7 · first response within 15 min for
                    critical problems").
                  properties:
                    hours: {type: object, properties: {en: {type: string}, ru: {type: string}}}
                    first_response:
                      type: object
                      properties: {en: {type: string}, ru: {type: string}}
                    text: {type: object, properties: {en: {type: string}, ru: {type: string}}}
    errors: [400, 401, 429]
    """
    identity = await portal_identity(request)
    check_common(request)
    support = None
    # A search-only app has no database and no contract to quote: no promise then.
    if state_of(request)["store"] is not None:
        backend = backend_of(request)
        org = await run_in_threadpool(partial(portal.organisation, backend.engine,
                                              org_id=identity.org_id))
        promise = support_promise(backend.config.policy(org.sla_level if org else None))
        support = {"hours": promise.hours, "first_response": promise.first_response,
                   "text": promise.text}
    return JSONResponse(
        {
            "org": identity.org_id,
            "email": identity.email,
            "expires_at": identity.expires_at.isoformat(),
            "support": support,
        }
    )
