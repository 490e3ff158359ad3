"""The managers' metrics as tables: one name, columns, rows of numbers — what the API
answers (JSON or CSV) and what the console draws its charts and tables from.

``VIEWS`` lists them; :func:`view` computes one; :func:`to_csv` writes one as CSV.
"""

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from selfservice.services import deflection_metrics as deflection
from selfservice.services import desk_metrics as desk
from selfservice.services.metrics_sql import Period

Cell = str | int | float | None


@dataclass(frozen=True)
class MetricTable:
    name: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Ask:
    """What a view may need: the period, the clock, the SLA grouping, article → service."""

    period: Period
    now: datetime
    sla_by: desk.SlaBy = desk.SlaBy.PRIORITY
    services: Mapping[str, str] | None = None


def _funnel(engine: Engine, ask: Ask) -> MetricTable:
    rows = deflection.funnel(engine, period=ask.period)
    return MetricTable("funnel", ["day", "conversations", "article_shown", "deflected",
                                  "ticket_filed", "abandoned"],
                       [[r.day, r.conversations, r.article_shown, r.deflected, r.ticket_filed,
                         r.abandoned] for r in rows])


def _articles(engine: Engine, ask: Ask) -> MetricTable:
    rows = deflection.per_article(engine, period=ask.period, services=ask.services)
    return MetricTable("articles", ["article", "service", "shown", "deflected", "rate"],
                       [[r.article, r.service, r.shown, r.deflected, r.rate] for r in rows])


def _services(engine: Engine, ask: Ask) -> MetricTable:
    rows = deflection.per_service(engine, period=ask.period, services=ask.services or {})
    return MetricTable("services", ["service", "deflected", "ticket_filed", "rate"],
                       [[r.service, r.deflected, r.ticket_filed, r.rate] for r in rows])


def _sla(engine: Engine, ask: Ask) -> MetricTable:
    rows = desk.sla_compliance(engine, period=ask.period, by=ask.sla_by, now=ask.now)
    return MetricTable(
        "sla", [ask.sla_by.value, "tickets", "response_met", "response_breached",
                "response_open", "response_rate", "resolution_met", "resolution_breached",
                "resolution_open", "resolution_rate"],
        [[r.key, r.tickets, r.response_met, r.response_breached, r.response_open,
          r.response_rate, r.resolution_met, r.resolution_breached, r.resolution_open,
          r.resolution_rate] for r in rows])


def _backlog(engine: Engine, ask: Ask) -> MetricTable:
    rows = desk.backlog(engine, now=ask.now)
    return MetricTable("backlog", ["line", *(label for label, _ in desk.AGE_BUCKETS), "total"],
                       [[r.line, *r.buckets, r.total] for r in rows])


def _channels(engine: Engine, ask: Ask) -> MetricTable:
    """One row per channel, one column per UTC hour (0..23)."""
    by_channel: dict[str, list[Cell]] = {}
    for one in desk.channel_hours(engine, period=ask.period):
        by_channel.setdefault(one.channel, [0] * 24)[one.hour] = one.tickets
    return MetricTable("channels", ["channel", *(f"{h:02d}" for h in range(24))],
                       [[c, *hours] for c, hours in sorted(by_channel.items())])


def _escalations(engine: Engine, ask: Ask) -> MetricTable:
    rows = desk.escalations(engine, period=ask.period)
    return MetricTable("escalations", ["from_line", "to_line", "reached", "escalated", "rate"],
                       [[r.from_line, r.to_line, r.reached, r.escalated, r.rate] for r in rows])


VIEWS: dict[str, Callable[[Engine, Ask], MetricTable]] = {
    "funnel": _funnel,
    "articles": _articles,
    "services": _services,
    "sla": _sla,
    "backlog": _backlog,
    "channels": _channels,
    "escalations": _escalations,
}


def view(engine: Engine, *, name: str, ask: Ask) -> MetricTable:
    """The metric ``name`` (a key of ``VIEWS``) as a table."""
    return VIEWS[name](engine, ask)


def to_csv(table: MetricTable) -> str:
    """The table as CSV (header row first); text a spreadsheet would run as a formula
    (starting with = + - @) is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_safe(cell) for cell in row] for row in table.rows)
    return out.getvalue()


def _safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return "" if cell is None else cell
