"""Phone registration: an authorised contact phones, the engineer registers the ticket.

``GET /console/phone?q=…`` finds the contact by name, e-mail, organisation or contract
number; ``GET /console/phone?contact=ID`` is the form (service, type, urgency, impact,
subject, what the caller said); ``POST /console/phone`` registers it through the same use
case as the API (``desk.register_phone_call``: channel phone, so a high urgency is
confirmed at once, and the contact gets the usual registration e-mail), then opens the
ticket's page.
"""

from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from selfservice.console.pages import (
    backend,
    current_user,
    field,
    now,
    render,
    signed_post,
    to_login,
)
from selfservice.domain.enums import Impact, TicketType, Urgency
from selfservice.domain.errors import DomainError
from selfservice.services import admin, desk
from selfservice.services.errors import NotFound
from selfservice.services.staff_auth import ConsoleUser
from selfservice.web.state import state_of

#: The longest description the form takes (the API's limit).
MAX_DESCRIPTION = 10_000


async def _form(request: Request, user: ConsoleUser, contact_id: int, *,
                values: dict[str, str] | None = None, error: str | None = None,
                status: int = 200) -> Response:  # fmt: skip
    found = await run_in_threadpool(admin.contact_by_id, backend(request).engine,
                                    contact_id=contact_id)  # fmt: skip
    if found is None:
        return render(request, "phone.html", user=user, status=404, query="", results=[],
                      missing=True)  # fmt: skip
    contact, org = found
    content = state_of(request)["content"]
    services = sorted(content.services.values(), key=lambda s: s.id)
    return render(request, "phone_form.html", user=user, status=status, contact=contact,
                  org=org, services=services, types=list(TicketType),
                  urgencies=list(Urgency), impacts=list(Impact), values=values or {},
                  error=error)  # fmt: skip


async def phone_page(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return to_login(request)
    chosen = request.query_params.get("contact", "")
    if chosen.isdigit():
        return await _form(request, user, int(chosen))
    query = request.query_params.get("q", "").strip()[:200]
    results = await run_in_threadpool(admin.find_contacts, backend(request).engine,
                                      query=query) if query else []  # fmt: skip
    return render(request, "phone.html", user=user, query=query, results=results,
                  missing=False)  # fmt: skip


async def register(request: Request) -> Response:
    posted = await signed_post(request)
    if isinstance(posted, Response):
        return posted
    user, form = posted
    chosen = field(form, "contact")
    if not chosen.isdigit():
        return await phone_page(request)
    values = {name: field(form, name) for name in
              ("service", "type", "urgency", "impact", "subject", "description")}
    description = values["description"]
    if not description or len(description) > MAX_DESCRIPTION:
        return await _form(request, user, int(chosen), values=values, status=400,
                           error="phone.description_needed" if not description
                           else "phone.description_too_long")  # fmt: skip
    store = backend(request)
    try:
        ticket = await run_in_threadpool(
            desk.register_phone_call, store.engine, config=store.config,
            content=state_of(request)["content"], engineer_id=user.engineer_id,
            contact_id=int(chosen), service_id=values["service"], description=description,
            now=now(request), subject=values["subject"] or None,
            ticket_type=_pick(TicketType, values["type"], TicketType.INCIDENT),
            urgency=_pick(Urgency, values["urgency"], Urgency.MEDIUM),
            impact=_pick(Impact, values["impact"], Impact.LOW),
        )
    except (NotFound, DomainError):
        return await _form(request, user, int(chosen), values=values, status=400,
                           error="phone.not_registered")  # fmt: skip
    return RedirectResponse(f"/console/tickets/{ticket.number}?done=registered", status_code=303)


E = TypeVar("E", TicketType, Urgency, Impact)


def _pick(kind: type[E], value: str, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default


def routes() -> list[BaseRoute]:
    return [Route("/phone", phone_page, methods=["GET"]),
            Route("/phone", register, methods=["POST"])]  # fmt: skip
