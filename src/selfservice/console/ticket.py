"""The ticket page and its actions.

``GET /console/tickets/{number}`` shows everything about the ticket
(``services.staff_views.ticket_page``) with the actions the domain allows this engineer
now; refused ones are shown disabled with the reason. ``POST
/console/tickets/{number}/{action}`` runs one use case; the use case checks the role and
the workflow again on the locked ticket, and a refusal comes back as the page with the
domain's message.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from selfservice.console import known_problem
from selfservice.console.pages import (
    backend,
    current_user,
    field,
    language,
    now,
    refused,
    render,
    signed_post,
    to_login,
)
from selfservice.domain.enums import ClosureCode, Impact, Status, Urgency
from selfservice.domain.errors import DomainError, NotOnTheLine
from selfservice.services import (
    attachments,
    classification,
    comments,
    escalation,
    known_problem_views,
    tickets,
)
from selfservice.services.attachments import Policy
from selfservice.services.common import Actor
from selfservice.services.errors import Forbidden, NotFound
from selfservice.services.staff_auth import ConsoleUser
from selfservice.services.staff_views import ticket_page
from selfservice.web.attachments_api import file_response
from selfservice.web.backend import Backend
from selfservice.web.messages import message
from selfservice.web.state import state_of

UseCase = Callable[[], object]


async def show(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    user = await current_user(request)
    if user is None:
        return to_login(request)
    store = backend(request)
    number = request.path_params["number"]
    try:
        page = await run_in_threadpool(ticket_page, store.engine, number=number,
                                       engineer_id=user.engineer_id, config=store.config)
    except NotFound:
        return render(request, "refused.html", user=user, status=404, reason="no_ticket")
    except NotOnTheLine:
        return refused(request, user, "line")
    content = state_of(request)["content"]
    problem = await run_in_threadpool(known_problem_views.for_incident, store.engine,
                                      ticket_id=page.ticket.id or 0)
    return render(
        request, "ticket.html", user=user, status=status, page=page, now=now(request),
        problem=problem,
        error=error, done=request.query_params.get("done"), config=store.config,
        service=content.services.get(page.ticket.service), urgencies=list(Urgency),
        impacts=list(Impact), closure_codes=list(ClosureCode), groups=list(
            store.config.groups.values()),
    )


async def act(request: Request) -> Response:
    posted = await signed_post(request)
    if isinstance(posted, Response):
        return posted
    user, form = posted
    action = request.path_params["action"]
    build = ACTIONS.get(action)
    if build is None:
        return render(request, "refused.html", user=user, status=404, reason="no_ticket")
    store, number = backend(request), request.path_params["number"]
    try:
        use_case = build(store, user, number, form, now(request))
        await run_in_threadpool(use_case)
    except (DomainError, ValueError) as problem:
        code = getattr(problem, "code", "invalid")
        params = getattr(problem, "params", None) or {}
        text = message(code, language(request, user), params)
        forbidden = isinstance(problem, NotOnTheLine | Forbidden)
        return await show(request, error=text, status=403 if forbidden else 409)
    if action == "escalate":  # the ticket left this line: back to the queue
        return RedirectResponse(f"/console/queue?escalated={number}", status_code=303)
    return RedirectResponse(f"/console/tickets/{number}?done={action}", status_code=303)


def _common(store: Backend, user: ConsoleUser, number: str, at: datetime) -> dict[str, Any]:
    return {"ticket_id": number, "actor": Actor.engineer(user.engineer_id), "now": at,
            "config": store.config}


def _take(store: Backend, user: ConsoleUser, number: str, form: FormData,
          at: datetime) -> UseCase:
    return partial(tickets.assign, store.engine, engineer_id=user.engineer_id,
                   **_common(store, user, number, at))


def _assign(store: Backend, user: ConsoleUser, number: str, form: FormData,
            at: datetime) -> UseCase:
    return partial(tickets.assign, store.engine, engineer_id=int(field(form, "engineer")),
                   comment=field(form, "comment") or None, **_common(store, user, number, at))


def _start(store: Backend, user: ConsoleUser, number: str, form: FormData,
           at: datetime) -> UseCase:
    comment = field(form, "comment") or None
    if field(form, "from") == Status.EXTERNAL_PROCESSING:
        return partial(tickets.back_from_external, store.engine, comment=comment,
                       **_common(store, user, number, at))
    return partial(tickets.start_work, store.engine, comment=comment,
                   **_common(store, user, number, at))


def _information(store: Backend, user: ConsoleUser, number: str, form: FormData,
                 at: datetime) -> UseCase:
    return partial(tickets.request_information, store.engine, question=field(form, "comment"),
                   **_common(store, user, number, at))


def _external(store: Backend, user: ConsoleUser, number: str, form: FormData,
              at: datetime) -> UseCase:
    return partial(tickets.hand_to_external, store.engine, comment=field(form, "comment"),
                   **_common(store, user, number, at))


def _complete(store: Backend, user: ConsoleUser, number: str, form: FormData,
              at: datetime) -> UseCase:
    return partial(tickets.complete, store.engine, closure_code=ClosureCode(
        field(form, "closure_code")), comment=field(form, "comment") or None,
        **_common(store, user, number, at))


def _escalate(store: Backend, user: ConsoleUser, number: str, form: FormData,
              at: datetime) -> UseCase:
    group = store.config.groups.get(field(form, "group"))
    if group is None:
        raise NotFound("choose a group", field="group")
    return partial(escalation.escalate_ticket, store.engine, target_line=group.line,
                   target_group=group.id, reason=field(form, "reason"),
                   **_common(store, user, number, at))


def _priority(store: Backend, user: ConsoleUser, number: str, form: FormData,
              at: datetime) -> UseCase:
    reason = field(form, "reason")
    if not reason:
        raise DomainError("a reason is required", code="required", field="reason")
    return partial(classification.set_priority_factors, store.engine, reason=reason,
                   urgency=Urgency(field(form, "urgency")), impact=Impact(field(form, "impact")),
                   **_common(store, user, number, at))


def _confirm_urgency(store: Backend, user: ConsoleUser, number: str, form: FormData,
                     at: datetime) -> UseCase:
    common = _common(store, user, number, at)
    del common["config"]
    return partial(classification.confirm_urgency, store.engine,
                   comment=field(form, "comment") or None, **common)


def _comment(store: Backend, user: ConsoleUser, number: str, form: FormData,
             at: datetime) -> UseCase:
    return partial(comments.add_comment, store.engine, body=field(form, "body"),
                   public=field(form, "public") == "1", **_common(store, user, number, at))


ACTIONS: dict[str, Callable[[Backend, ConsoleUser, str, FormData, datetime], UseCase]] = {
    "take": _take, "assign": _assign, "start": _start, "information_needed": _information,
    "external": _external, "complete": _complete, "escalate": _escalate,
    "priority": _priority, "confirm_urgency": _confirm_urgency, "comment": _comment,
    "known_problem": known_problem.declare, "known_problem_update": known_problem.update,
    "known_problem_resolve": known_problem.resolve,
}


async def download(request: Request) -> Response:
    """An attachment of the ticket (a customer's upload or an e-mail's), as a download;
    the engineer must be allowed to read the ticket, as for the page."""
    user = await current_user(request)
    if user is None:
        return to_login(request)
    store = backend(request)
    policy = Policy.from_settings(state_of(request)["settings"])
    try:
        found = await run_in_threadpool(
            attachments.for_engineer, store.engine, number=request.path_params["number"],
            attachment_id=request.path_params["id"], engineer_id=user.engineer_id,
            storage=policy.storage,
        )
    except NotFound:
        return render(request, "refused.html", user=user, status=404, reason="no_ticket")
    except NotOnTheLine:
        return refused(request, user, "line")
    return file_response(found)


def routes() -> list[BaseRoute]:
    return [
        Route("/tickets/{number}", show),
        Route("/tickets/{number}/attachments/{id}", download),
        Route("/tickets/{number}/{action}", act, methods=["POST"]),
    ]
