"""Health, the OpenAPI document, and ``/me`` (who the portal token says the caller is)."""

from typing import Any

from starlette.responses import JSONResponse

from selfservice.domain.customer_view import support_promise
from selfservice.services import portal
from selfservice.services.attachments import Policy
from selfservice.services.customer_texts import promise_texts
from selfservice.web.auth import Contact
from selfservice.web.dispatch import Call
from selfservice.web.openapi import openapi_document


async def healthz(call: Call[None, None]) -> dict[str, Any]:
    """Liveness and readiness of this process

    The process serves requests; counts of loaded content; whether search uses the
    meaning of words yet (``building`` for a while after the first start).
    """
    content = call.state["content"]
    public = len(content.public_articles())
    meaning = call.state["search"].meaning_state()
    return {"status": "ok", "articles": public, "forms": len(content.forms),
            "search_meaning": meaning}


async def openapi_json(call: Call[None, None]) -> JSONResponse:
    """This document (OpenAPI 3.1)"""
    return JSONResponse(openapi_document(call.request.app.routes))


async def me(call: Call[None, None]) -> dict[str, Any]:
    """The contact person a portal token identifies

    The client portal signs an HS256 JWT with its organisation's secret
    (sub = contact e-mail, org = organisation id, exp at most 2 hours ahead).
    """
    identity = call.user
    assert isinstance(identity, Contact)
    support = None
    # A search-only app has no database and no contract to quote: no promise then.
    if call.state["store"] is not None:
        org = await call.run(portal.organisation, org_id=identity.org_id)
        promise = support_promise(call.backend.config.policy(org.sla_level if org else None))
        support = promise_texts(promise)
    return {
        "org": identity.org_id,
        "email": identity.email,
        "expires_at": identity.expires_at.isoformat(),
        "support": support,
        "attachments": Policy.from_settings(call.state["settings"]).as_json(),
        "telegram": bool(call.state["settings"].telegram_bot_token),
    }
