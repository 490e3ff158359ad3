"""Translate between a ticket row and the domain's SLA clocks (``domain.sla.SlaClocks``).

The row keeps what the clocks need (start = ``created_at``, the paused business seconds of
each clock, ``paused_since``, each clock's stop time); targets and calendar come from the
organisation's SLA policy, so changing the configuration changes open tickets' targets.
The row also caches each clock's deadline (``*_due``, for queues) and the next moment the
SLA sweep must look at it (``*_alert_at``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selfservice.db.models import Organisation, Ticket
from selfservice.domain.calendars import add_business_time
from selfservice.domain.sla import SlaClock, SlaClocks, SlaPolicy


@dataclass(frozen=True)
class ClockFlags:
    near_breach_notified: bool
    breach_notified: bool


def clocks_of(ticket: Ticket, *, policy: SlaPolicy, org: Organisation) -> SlaClocks:
    targets = policy.targets_for(
        ticket.type, ticket.priority, fulfilment_hours=ticket.fulfilment_hours,
        tz=ZoneInfo(org.time_zone),
    )
    ratio = policy.near_breach_ratio

    def clock(target: timedelta, paused_seconds: float, stopped_at: datetime | None) -> SlaClock:
        return SlaClock(
            calendar=targets.calendar, started_at=ticket.created_at, target=target,
            paused_for=timedelta(seconds=paused_seconds),
            paused_since=ticket.paused_since if stopped_at is None else None,
            stopped_at=stopped_at, near_breach_ratio=ratio,
        )

    return SlaClocks(
        response=clock(targets.response, ticket.response_paused_seconds, ticket.responded_at),
        resolution=clock(
            targets.resolution, ticket.resolution_paused_seconds, ticket.resolution_stopped_at
        ),
    )


def store_clocks(ticket: Ticket, clocks: SlaClocks) -> None:
    """Write the clocks' state (and the derived deadlines and sweep hints) into the row."""
    response, resolution = clocks.response, clocks.resolution
    ticket.responded_at = response.stopped_at
    ticket.resolution_stopped_at = resolution.stopped_at
    ticket.response_paused_seconds = response.paused_for.total_seconds()
    ticket.resolution_paused_seconds = resolution.paused_for.total_seconds()
    ticket.paused_since = resolution.paused_since or response.paused_since
    ticket.response_due = response.deadline
    ticket.resolution_due = resolution.deadline
    ticket.response_alert_at = _next_alert(response, ClockFlags(
        ticket.response_near_breach_notified, ticket.response_breach_notified))
    ticket.resolution_alert_at = _next_alert(resolution, ClockFlags(
        ticket.resolution_near_breach_notified, ticket.resolution_breach_notified))


def _next_alert(clock: SlaClock, flags: ClockFlags) -> datetime | None:
    """When the sweep should next ask the domain about this clock; None = never.

    Only a scheduling hint: whether a clock *is* near breach or breached is always
    decided by ``SlaClock.status(now)`` in the sweep. A paused or stopped clock needs no
    look until it runs again (every transition stores the clocks anew).
    """
    if not clock.is_running or flags.breach_notified:
        return None
    if flags.near_breach_notified:
        return clock.deadline
    near = add_business_time(
        clock.calendar, clock.started_at, clock.target * clock.near_breach_ratio + clock.paused_for
    )
    return min(near, clock.deadline)
