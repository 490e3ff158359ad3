"""The queue page: a line's or group's open tickets, unassigned first, then by SLA due.

``GET /console/queue`` takes the filters as query parameters (line, group, status,
priority, service, org, channel, ``mine=1``) and shows the first 50 rows (``limit=`` up to
500: "show more"); ``&rows=1`` answers only the table's rows,
which ``console.js`` fetches every 15 seconds. Who may read which line is the domain's
(``staffing.check_reader``): L2 watches L1's queue (read-only, but may re-prioritise).
"""

from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from selfservice.console.pages import backend, current_user, now, refused, render, to_login
from selfservice.domain import staffing
from selfservice.domain.enums import Channel, Line, Priority, Status
from selfservice.domain.errors import DomainError
from selfservice.services import admin
from selfservice.services.common import line_of
from selfservice.services.queries import OPEN_STATUSES
from selfservice.services.staff_views import QUEUE_LIMIT, QUEUE_MAX, QueueFilter, staff_queue
from selfservice.web.state import state_of

E = TypeVar("E", bound=StrEnum)
#: How often the page re-fetches its rows (seconds).
REFRESH_SECONDS = 15


def _enum(kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


async def queue_page(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return to_login(request)
    q = request.query_params
    config = backend(request).config
    my_line = line_of(user.role)
    group = q.get("group") or None
    group = group if group in config.groups else None
    line = _enum(Line, q.get("line")) or (config.groups[group].line if group else my_line)
    if line is not None:
        try:
            staffing.check_reader(my_line, line)
        except DomainError:
            return refused(request, user, "line")
    status = _enum(Status, q.get("status"))
    filters = QueueFilter(
        line=line, group_id=group, statuses=[status] if status else OPEN_STATUSES,
        priority=_enum(Priority, q.get("priority")), service=q.get("service") or None,
        org_id=q.get("org") or None, channel=_enum(Channel, q.get("channel")),
        assignee_id=user.engineer_id if q.get("mine") == "1" else None,
        limit=_limit(q.get("limit")),
    )
    engine = backend(request).engine
    rows = await run_in_threadpool(staff_queue, engine, config=config, filters=filters,
                                   now=now(request))
    values: dict[str, Any] = {
        "rows": rows, "filters": filters, "line": line, "group": group,
        "read_only": line is not None and not staffing.works_on(my_line, line),
        "mine": q.get("mine") == "1", "now": now(request),
        "escalated": q.get("escalated", "")[:20],
        "more": _more_link(request, filters.limit) if len(rows) >= filters.limit
        and filters.limit < QUEUE_MAX else None,
    }
    if q.get("rows") == "1":
        return render(request, "queue_rows.html", user=user, **values)
    orgs = await run_in_threadpool(admin.organisations, engine)
    readable = [ln for ln in Line if ln is not Line.EXTERNAL and staffing.may_read(my_line, ln)]
    return render(
        request, "queue.html", user=user, lines=readable,
        groups=[g for g in config.groups.values() if staffing.may_read(my_line, g.line)],
        statuses=list(Status), priorities=list(Priority), channels=list(Channel),
        services=sorted(state_of(request)["content"].services.values(), key=lambda s: s.id),
        orgs=[o for o, _ in orgs], refresh=REFRESH_SECONDS, query=str(request.url.query),
        **values,
    )


def _more_link(request: Request, limit: int) -> str:
    """The same queue with more rows."""
    params = {k: v for k, v in request.query_params.items() if k not in ("limit", "rows")}
    params["limit"] = str(min(limit * 4, QUEUE_MAX))
    return "/console/queue?" + urlencode(params)


def _limit(value: str | None) -> int:
    """How many rows: the first ``QUEUE_LIMIT`` unless more were asked (up to the max)."""
    asked = int(value) if value and value.isdigit() else QUEUE_LIMIT
    return max(QUEUE_LIMIT, min(asked, QUEUE_MAX))


def routes() -> list[BaseRoute]:
    return [Route("/queue", queue_page)]
