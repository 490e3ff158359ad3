"""The tickets' side of the managers' dashboard (SQL aggregates, SQLite and PostgreSQL).

* SLA compliance of the tickets created in the period, per priority, line or organisation,
  each clock separately (response, resolution): ``met`` = stopped by its deadline,
  ``breached`` = stopped after it or still running past it, ``open`` = still running
  within it or paused (the waiting-for-customer time does not count against support).
  The deadline is the row's cached ``*_due`` (``services/sla_state.py``).
* backlog: the open tickets now (any status but completed or closed) by line and age;
* tickets per channel and UTC hour of day (the desk's daytime peak);
* escalations between lines: of the tickets created in the period that were ever on a
  line, how many moved from it to the next one (a ``line`` row of the ticket's history).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, union
from sqlmodel import col

from selfservice.db.models import Ticket, TicketHistory
from selfservice.db.session import transaction
from selfservice.domain.enums import Line, Status
from selfservice.services.metrics_sql import Period, count_if, hour_of, ratio

DONE = (Status.COMPLETED, Status.CLOSED)
#: Age buckets of the backlog: (label, upper bound); the last one is open-ended.
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("<4h", timedelta(hours=4)),
    ("4-24h", timedelta(hours=24)),
    ("1-3d", timedelta(days=3)),
    ("3-7d", timedelta(days=7)),
    (">7d", None),
)
#: The functional escalation steps reported.
STEPS = ((Line.L1, Line.L2), (Line.L2, Line.L3), (Line.L3, Line.EXTERNAL))


class SlaBy(StrEnum):
    PRIORITY = "priority"
    LINE = "line"
    ORG = "org"


@dataclass(frozen=True)
class SlaRow:
    key: str
    tickets: int
    response_met: int
    response_breached: int
    response_open: int
    resolution_met: int
    resolution_breached: int
    resolution_open: int

    @property
    def response_rate(self) -> float | None:
        return ratio(self.response_met, self.response_met + self.response_breached)

    @property
    def resolution_rate(self) -> float | None:
        return ratio(self.resolution_met, self.resolution_met + self.resolution_breached)


@dataclass(frozen=True)
class BacklogRow:
    line: str
    buckets: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass(frozen=True)
class ChannelHour:
    channel: str
    hour: int
    tickets: int


@dataclass(frozen=True)
class EscalationRow:
    from_line: str
    to_line: str
    reached: int
    escalated: int

    @property
    def rate(self) -> float | None:
        return ratio(self.escalated, self.reached)


def _created_in(period: Period) -> tuple[Any, Any]:
    created = col(Ticket.created_at)
    return created >= period.start, created < period.end


def _clock(due: Any, stopped: Any, now: datetime) -> tuple[Any, Any, Any]:
    """(met, breached, open) conditions of one SLA clock."""
    running = stopped.is_(None)
    met = and_(stopped.is_not(None), stopped <= due)
    breached = or_(and_(stopped.is_not(None), stopped > due),
                   and_(running, col(Ticket.paused_since).is_(None), due < now))
    still_open = and_(running, or_(col(Ticket.paused_since).is_not(None), due >= now))
    return count_if(met), count_if(breached), count_if(still_open)


def sla_compliance(
    engine: Engine, *, period: Period, by: SlaBy, now: datetime
) -> list[SlaRow]:
    """Response and resolution compliance of the period's tickets (with SLA deadlines)."""
    key = {SlaBy.PRIORITY: col(Ticket.priority), SlaBy.LINE: col(Ticket.line),
           SlaBy.ORG: col(Ticket.org_id)}[by]
    response = _clock(col(Ticket.response_due), col(Ticket.responded_at), now)
    resolution = _clock(col(Ticket.resolution_due), col(Ticket.resolution_stopped_at), now)
    query = (
        select(key, func.count(), *response, *resolution)
        .where(*_created_in(period), col(Ticket.response_due).is_not(None),
               col(Ticket.resolution_due).is_not(None))
        .group_by(key).order_by(key)
    )
    with transaction(engine, write=False) as session:
        return [SlaRow(_text(k), *(int(v) for v in values))
                for k, *values in session.execute(query)]


def backlog(engine: Engine, *, now: datetime) -> list[BacklogRow]:
    """Open tickets now, per line, counted in ``AGE_BUCKETS`` by their age."""
    created = col(Ticket.created_at)
    conditions = []
    lower: timedelta | None = None
    for _label, upper in AGE_BUCKETS:
        parts = []
        if lower is not None:
            parts.append(created <= now - lower)
        if upper is not None:
            parts.append(created > now - upper)
        conditions.append(count_if(and_(*parts)) if parts else func.count())
        lower = upper
    query = (
        select(col(Ticket.line), *conditions)
        .where(col(Ticket.status).not_in(DONE))
        .group_by(col(Ticket.line)).order_by(col(Ticket.line))
    )
    with transaction(engine, write=False) as session:
        return [BacklogRow(_text(line), tuple(int(v) for v in values))
                for line, *values in session.execute(query)]


def channel_hours(engine: Engine, *, period: Period) -> list[ChannelHour]:
    """Tickets created in the period per channel and UTC hour (hours with none left out)."""
    hour = hour_of(engine, col(Ticket.created_at))
    query = (
        select(col(Ticket.channel), hour, func.count())
        .where(*_created_in(period))
        .group_by(col(Ticket.channel), hour).order_by(col(Ticket.channel), hour)
    )
    with transaction(engine, write=False) as session:
        return [ChannelHour(_text(c), int(h), int(n)) for c, h, n in session.execute(query)]


def escalations(
    engine: Engine, *, period: Period, steps: Sequence[tuple[Line, Line]] = STEPS
) -> list[EscalationRow]:
    """Per step (from → to): tickets ever on ``from`` and how many moved on to ``to``."""
    history_of_period = (
        select(col(TicketHistory.ticket_id), col(TicketHistory.from_value),
               col(TicketHistory.to_value))
        .join(Ticket, col(Ticket.id) == col(TicketHistory.ticket_id))
        .where(col(TicketHistory.field) == "line", *_created_in(period))
        .subquery()
    )
    h = history_of_period.c
    ever_on = union(
        select(col(Ticket.id).label("ticket"), col(Ticket.line).label("line"))
        .where(*_created_in(period)),
        select(h.ticket_id, h.from_value),
        select(h.ticket_id, h.to_value),
    ).subquery()
    reached_query = select(ever_on.c.line, func.count()).group_by(ever_on.c.line)
    moved_query = (
        select(h.from_value, h.to_value, func.count(func.distinct(h.ticket_id)))
        .group_by(h.from_value, h.to_value)
    )
    with transaction(engine, write=False) as session:
        reached = {_text(line): int(n) for line, n in session.execute(reached_query)}
        moved = {(str(a), str(b)): int(n) for a, b, n in session.execute(moved_query)}
    return [
        EscalationRow(a.value, b.value, reached.get(a.value, 0), moved.get((a.value, b.value), 0))
        for a, b in steps
    ]


def _text(value: object) -> str:
    """An enum column's value as its text (the ORM may hand back the enum member)."""
    return str(getattr(value, "value", value))


