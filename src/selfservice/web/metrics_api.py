"""The managers' dashboard metrics, one endpoint per view (``services/metric_tables.py``):
the deflection funnel, deflection per article and per service, SLA compliance, backlog,
tickets per channel and hour, escalations between lines. JSON by default, CSV with
``format=csv``. Managers only, like ``GET /api/v1/engineer/metrics``.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from starlette.responses import Response

from selfservice.services import metric_tables
from selfservice.services.desk_metrics import SlaBy
from selfservice.services.metric_tables import Ask, MetricTable
from selfservice.services.metrics_sql import Period
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.metric_views import NowQuery, SlaQuery, ViewQuery
from selfservice.web.schemas.requests import MAX_METRICS_DAYS

CSV = {"200": {"description": "The table as CSV (`format=csv`)",
               "content": {"text/csv": {"schema": {"type": "string"}}}}}


def _period(query: ViewQuery) -> Period:
    start = datetime.combine(query.start, time(), tzinfo=UTC)
    end = datetime.combine(query.end, time(), tzinfo=UTC) + timedelta(days=1)
    if end <= start or end - start > timedelta(days=MAX_METRICS_DAYS):
        raise ApiError(400, "invalid_period", field="to", max=MAX_METRICS_DAYS)
    return Period(start, end)


async def _answer(call: Call[None, Any], name: str, ask: Ask,
                  period: Period | None) -> dict[str, Any] | Response:
    table: MetricTable = await call.run(metric_tables.view, name=name, ask=ask)
    first = period.start.date().isoformat() if period else None
    last = (period.end - timedelta(days=1)).date().isoformat() if period else None
    if call.query.format == "csv":
        span = f"-{first}-{last}" if period else ""
        return Response(metric_tables.to_csv(table), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="{name}{span}.csv"'})
    return {"view": name, "from": first, "to": last, "columns": table.columns,
            "rows": table.rows}


def _services(call: Call[None, Any]) -> dict[str, str]:
    return {a.id: a.service for a in call.state["content"].articles.values()}


async def _period_view(call: Call[None, ViewQuery], name: str) -> dict[str, Any] | Response:
    period = _period(call.query)
    return await _answer(call, name, Ask(period, call.now(), services=_services(call)), period)


async def funnel(call: Call[None, ViewQuery]) -> dict[str, Any] | Response:
    """The deflection funnel per day (managers only)

    Per UTC day: conversations started, those shown an article, and how they ended
    (deflected = solved, ticket filed, abandoned; open ones have no outcome yet).
    """
    return await _period_view(call, "funnel")


async def articles(call: Call[None, ViewQuery]) -> dict[str, Any] | Response:
    """Deflection rate per article (managers only)

    Per article: conversations it was shown in, those solved on it, and the rate.
    """
    return await _period_view(call, "articles")


async def services(call: Call[None, ViewQuery]) -> dict[str, Any] | Response:
    """Deflection rate per service (managers only)

    Conversations solved on the service's articles against tickets filed from a
    conversation for it: rate = deflected / (deflected + ticket filed).
    """
    return await _period_view(call, "services")


async def channels(call: Call[None, ViewQuery]) -> dict[str, Any] | Response:
    """Tickets per channel and hour of day (managers only)

    One row per channel, one column per UTC hour (00..23): tickets created then.
    """
    return await _period_view(call, "channels")


async def escalations(call: Call[None, ViewQuery]) -> dict[str, Any] | Response:
    """Escalation rates between lines (managers only)

    Per step (L1→L2, L2→L3, L3→external): the period's tickets ever on the first line,
    how many were escalated to the next, and the rate.
    """
    return await _period_view(call, "escalations")


async def sla(call: Call[None, SlaQuery]) -> dict[str, Any] | Response:
    """SLA compliance per priority, line or organisation (managers only)

    The period's tickets, each clock separately: met (stopped by the deadline), breached
    (stopped after it, or running past it), open (running within it, or paused);
    rate = met / (met + breached).
    """
    period = _period(call.query)
    ask = Ask(period, call.now(), sla_by=SlaBy(call.query.by))
    return await _answer(call, "sla", ask, period)


async def backlog(call: Call[None, NowQuery]) -> dict[str, Any] | Response:
    """Open tickets by line and age (managers only)

    Every ticket not completed or closed, now, counted per line in age buckets.
    """
    now = call.now()
    return await _answer(call, "backlog", Ask(Period(now, now), now), None)
