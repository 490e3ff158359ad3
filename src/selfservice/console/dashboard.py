"""The managers' dashboard: every metric of ``services/metric_tables.py`` as a chart drawn
on the server (``charts.py``), the same numbers as a table beside it, and its CSV.

``GET /console/dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD&by=priority|line|org`` (the last
30 days by default); ``GET /console/dashboard/<view>.csv`` with the same parameters. Only
managers read the metrics (``staffing.check_manager``), as in the API.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from selfservice.console import charts
from selfservice.console.pages import (
    backend,
    current_user,
    language,
    now,
    refused,
    render,
    to_login,
)
from selfservice.domain import staffing
from selfservice.domain.enums import Language
from selfservice.domain.errors import DomainError
from selfservice.services import known_problem_views, metric_tables
from selfservice.services.common import line_of
from selfservice.services.desk_metrics import SlaBy
from selfservice.services.metric_tables import Ask, Cell, MetricTable
from selfservice.services.metrics_sql import Period
from selfservice.services.staff_auth import ConsoleUser
from selfservice.text.catalogue import catalogue, text
from selfservice.web.state import state_of

#: The dashboard's sections, in the order a manager reads them (the metrics API's views,
#: then the known problems of the period).
VIEWS = ("funnel", "services", "articles", "sla", "backlog", "channels", "escalations",
         "known_problems")
DEFAULT_DAYS = 30
#: Longest row label a chart's axis shows whole (the table beside it has the rest).
LABEL_CHARS = 34
MAX_DAYS = 366


@dataclass(frozen=True)
class Section:
    view: str
    svg: str
    table: str
    rows: int


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_of(request: Request, today: date) -> tuple[date, date, bool]:
    """``from``..``to`` of the query (both days included), or the last 30 days; the flag
    says the asked period was not usable (shown as a note)."""
    raw_first, raw_last = request.query_params.get("from"), request.query_params.get("to")
    first, last = _day(raw_first), _day(raw_last)
    unusable = bool(raw_first and first is None) or bool(raw_last and last is None)
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last or (last - first).days >= MAX_DAYS:
        return today - timedelta(days=DEFAULT_DAYS - 1), today, True
    return first, last, unusable


def _sla_by(request: Request) -> SlaBy:
    try:
        return SlaBy(request.query_params.get("by", "priority"))
    except ValueError:
        return SlaBy.PRIORITY


async def _manager(request: Request) -> ConsoleUser | Response:
    user = await current_user(request)
    if user is None:
        return to_login(request)
    try:
        staffing.check_manager(line_of(user.role))
    except DomainError:
        return refused(request, user, "managers")
    return user


async def _table(request: Request, view: str, first: date, last: date) -> MetricTable:
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=1)
    content = state_of(request)["content"]
    services = {a.id: a.service for a in content.articles.values()}
    moment = now(request)
    if view == "known_problems":
        found = await run_in_threadpool(known_problem_views.per_problem, backend(request).engine,
                                        start=start, end=end)
        return problems_table(found)
    period = Period(moment, moment) if view == "backlog" else Period(start, end)
    ask = Ask(period, moment, sla_by=_sla_by(request), services=services)
    return await run_in_threadpool(metric_tables.view, backend(request).engine, name=view,
                                   ask=ask)  # fmt: skip


def problems_table(rows: list[known_problem_views.ProblemRow]) -> MetricTable:
    """Known problems as a dashboard table: what each one saved the desk."""
    return MetricTable("known_problems", [
        "incident", "service", "started", "children", "told", "duplicates_avoided",
        "first_notice_minutes"], [
        [r.ticket, r.problem.service, r.problem.started_at.isoformat(timespec="minutes"),
         r.children, r.told, r.avoided,
         None if r.first_notice_seconds is None else round(r.first_notice_seconds / 60, 1)]
        for r in rows])


def _labels(lang: str) -> dict[str, str]:
    """Column and axis words of the charts and tables in ``lang``."""
    prefix = "console.dashboard.words."
    return {key.removeprefix(prefix): text(key, lang) for key in catalogue().keys(prefix)}


def _names(request: Request, lang: str) -> dict[str, str]:
    """Article titles and service names in ``lang``, for the rows that name them by id."""
    content = state_of(request)["content"]
    names = {a.id: a.title for a in content.articles.values()}
    names.update({f"service:{s.id}": s.name.get(Language(lang))
                  for s in content.services.values()})  # fmt: skip
    return names


def _named(view: str, row: list[Cell], names: dict[str, str]) -> list[Cell]:
    """The row with ids shown as names (the CSV keeps the ids)."""
    if view == "articles":
        return [names.get(str(row[0]), row[0]), names.get(f"service:{row[1]}", row[1]),
                *row[2:]]  # fmt: skip
    if view == "services":
        return [names.get(f"service:{row[0]}", row[0]), *row[1:]]
    if view == "known_problems":
        return [row[0], names.get(f"service:{row[1]}", row[1]), *row[2:]]
    if view == "channels":
        return [names.get(f"word:{row[0]}", row[0]), *row[1:]]
    return list(row)


def _local(moment: Cell, zone: ZoneInfo) -> Cell:
    """An ISO time of the table on the desk's clock, as the rest of the console shows it."""
    return datetime.fromisoformat(str(moment)).astimezone(zone).strftime("%d.%m %H:%M %Z")


def _short(view: str, label: Cell) -> Cell:
    """A chart's row label: a day without its year, a title cut to fit the axis."""
    if view == "funnel":
        return str(label)[5:]
    if view in ("articles", "services") and len(str(label)) > LABEL_CHARS:
        return str(label)[: LABEL_CHARS - 1].rstrip() + "…"
    return label


def _percent(columns: list[str], row: list[Cell]) -> list[Cell]:
    """Rates (shares of 1) as percentages for reading."""
    return [f"{cell * 100:.1f} %" if name.endswith("rate") and isinstance(cell, float) else cell
            for name, cell in zip(columns, row, strict=True)]  # fmt: skip


async def dashboard_page(request: Request) -> Response:
    user = await _manager(request)
    if not isinstance(user, ConsoleUser):
        return user
    lang = language(request, user).value
    first, last, unusable = period_of(request, now(request).date())
    words = _labels(lang)
    names = _names(request, lang) | {f"word:{k}": v for k, v in words.items()}
    sections = []
    for view in VIEWS:
        table = await _table(request, view, first, last)
        title = text(f"console.dashboard.{view}.title", lang)
        rows = [_named(view, row, names) for row in table.rows]
        if view == "known_problems":
            zone = state_of(request)["settings"].console_time_zone
            rows = [[r[0], r[1], _local(r[2], zone), *r[3:]] for r in rows]
        drawn = [[_short(view, r[0]), *r[1:]] for r in rows]
        svg = charts.for_view(
            view, table.columns, drawn, chart_id=f"chart-{view}", title=title,
            desc=text(f"console.dashboard.{view}.desc", lang), labels=words,
        )
        numbers = charts.table_html(
            caption=title, columns=[words.get(c, c) for c in table.columns],
            rows=[_percent(table.columns, row) for row in rows], table_id=f"table-{view}",
        )
        sections.append(Section(view, svg, numbers, len(table.rows)))
    query = {"from": first.isoformat(), "to": last.isoformat(), "by": _sla_by(request).value}
    return render(request, "dashboard.html", user=user, sections=sections, first=first,
                  last=last, unusable=unusable, by=query["by"], query=query)  # fmt: skip


async def dashboard_csv(request: Request) -> Response:
    user = await _manager(request)
    if not isinstance(user, ConsoleUser):
        return user
    view = request.path_params["view"]
    if view not in VIEWS:
        return refused(request, user, "no_view")
    first, last, _unusable = period_of(request, now(request).date())
    table = await _table(request, view, first, last)
    span = "" if view == "backlog" else f"-{first.isoformat()}-{last.isoformat()}"
    return Response(metric_tables.to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{view}{span}.csv"',
                             "Cache-Control": "no-store"})  # fmt: skip


def routes() -> list[BaseRoute]:
    return [
        Route("/dashboard", dashboard_page),
        Route("/dashboard/{view}.csv", dashboard_csv),
    ]

