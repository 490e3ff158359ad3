"""SLA policies, durations and clocks.

A policy (one per contract level) holds, per priority, a response and a resolution target
with the calendar they run on, and for service requests a response target and a default
fulfilment time (a catalog form's ``fulfilment_hours`` overrides it, in business hours of
the request calendar).

Default targets (``defaults/support.yml``), following common practice:

======== ========== ============ ================================
priority response   resolution   clock
======== ========== ============ ================================
P1       15 min     4 h          24/7
P2       30 min     8 h          24/7
P3       2 h        24 h         business hours
P4       4 h        3 bd         business hours
P5       1 bd       10 bd        business hours
request  4 h        3 bd or form business hours
======== ========== ============ ================================

``bd`` is a business day: the calendar's ``business_day`` length of business time.

An :class:`SlaClock` measures business time from ``started_at`` towards ``target``; time
while paused (Information needed, or Completed awaiting confirmation until the contact
rejects) does not count. Breach means the deadline has passed while the clock was running;
near-breach means at least ``near_breach_ratio`` of the target is consumed.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from selfservice.domain.calendars import (
    ZERO,
    AlwaysOpen,
    BusinessHours,
    Calendar,
    add_business_time,
    business_time_between,
)
from selfservice.domain.enums import Priority, Status, TicketType
from selfservice.domain.workflow import WAITING_FOR_CUSTOMER

DEFAULT_NEAR_BREACH_RATIO: Final = 0.8


class SlaStatus(StrEnum):
    OK = "ok"
    NEAR_BREACH = "near_breach"
    BREACH = "breach"


_SEVERITY = {SlaStatus.OK: 0, SlaStatus.NEAR_BREACH: 1, SlaStatus.BREACH: 2}

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(bd|d|h|m)")


@dataclass(frozen=True)
class Duration:
    """A target as written in configuration: clock time plus whole business days."""

    clock: timedelta = ZERO
    business_days: float = 0

    @classmethod
    def parse(cls, text: str) -> "Duration":
        """``"15m"``, ``"4h"``, ``"1h30m"``, ``"2d"`` (24 h), ``"3bd"`` (business days)."""
        compact = text.replace(" ", "").lower()
        parts = _DURATION_PART.findall(compact)
        if not compact or "".join(n + u for n, u in parts) != compact:
            raise ValueError(f"'{text}' is not a duration like '15m', '4h', '3bd'")
        clock, business_days = ZERO, 0.0
        for number, unit in parts:
            amount = float(number)
            if unit == "bd":
                business_days += amount
            else:
                clock += {
                    "d": timedelta(days=amount),
                    "h": timedelta(hours=amount),
                    "m": timedelta(minutes=amount),
                }[unit]
        if clock == ZERO and business_days == 0:
            raise ValueError(f"'{text}' must be longer than zero")
        return cls(clock, business_days)

    def on(self, calendar: Calendar) -> timedelta:
        """The amount of business time this duration means on ``calendar``."""
        return self.clock + calendar.business_day * self.business_days


@dataclass(frozen=True)
class SlaClock:
    """Business time towards a target; immutable, every change returns a new clock."""

    calendar: Calendar
    started_at: datetime
    target: timedelta
    paused_for: timedelta = ZERO
    paused_since: datetime | None = None
    stopped_at: datetime | None = None
    near_breach_ratio: float = DEFAULT_NEAR_BREACH_RATIO

    @property
    def is_running(self) -> bool:
        return self.paused_since is None and self.stopped_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None and self.stopped_at is None

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None

    @property
    def deadline(self) -> datetime:
        """The due time given the pauses so far (moves further when a pause ends)."""
        return add_business_time(self.calendar, self.started_at, self.target + self.paused_for)

    def _frozen_at(self, now: datetime) -> datetime:
        moment = self.stopped_at or self.paused_since or now
        return min(moment, now)

    def consumed(self, now: datetime) -> timedelta:
        used = business_time_between(self.calendar, self.started_at, self._frozen_at(now))
        return max(used - self.paused_for, ZERO)

    def remaining(self, now: datetime) -> timedelta:
        """Business time left (negative once breached)."""
        return self.target - self.consumed(now)

    def due(self, now: datetime) -> datetime:
        """When the target falls due if the clock runs from ``now`` on."""
        if self.is_paused and not self.is_breached(now):
            return add_business_time(self.calendar, now, max(self.remaining(now), ZERO))
        return self.deadline

    def is_breached(self, now: datetime) -> bool:
        return self._frozen_at(now) > self.deadline

    def status(self, now: datetime) -> SlaStatus:
        if self.is_breached(now):
            return SlaStatus.BREACH
        if self.is_stopped:
            return SlaStatus.OK
        if self.consumed(now) >= self.target * self.near_breach_ratio:
            return SlaStatus.NEAR_BREACH
        return SlaStatus.OK

    def pause(self, now: datetime) -> "SlaClock":
        return replace(self, paused_since=now) if self.is_running else self

    def resume(self, now: datetime) -> "SlaClock":
        if not self.is_paused or self.paused_since is None:
            return self
        paused = business_time_between(self.calendar, self.paused_since, now)
        return replace(self, paused_for=self.paused_for + paused, paused_since=None)

    def stop(self, now: datetime) -> "SlaClock":
        """The target is met (responded / resolved) at ``now``."""
        return self if self.is_stopped else replace(self.resume(now), stopped_at=now)

    def restart(self, now: datetime) -> "SlaClock":
        """Run again after a stop (rejected by user); the stopped time does not count."""
        if self.stopped_at is None:
            return self
        return replace(self, paused_since=self.stopped_at, stopped_at=None).resume(now)

    def with_target(self, target: timedelta) -> "SlaClock":
        """After a priority change: same elapsed time, new target."""
        return replace(self, target=target)


def worst(*statuses: SlaStatus) -> SlaStatus:
    return max(statuses, key=_SEVERITY.__getitem__, default=SlaStatus.OK)


@dataclass(frozen=True)
class SlaClocks:
    """The two clocks of a ticket, driven by its status changes."""

    response: SlaClock
    resolution: SlaClock

    def on_transition(self, source: Status, target: Status, now: datetime) -> "SlaClocks":
        """Apply a status change: leaving Registered is the response; Completed stops the
        resolution clock and Rejected by user restarts it; Information needed pauses both."""
        response, resolution = self.response, self.resolution
        if source is Status.REGISTERED:
            response = response.stop(now)
        if target in WAITING_FOR_CUSTOMER:
            response, resolution = response.pause(now), resolution.pause(now)
        elif source in WAITING_FOR_CUSTOMER:
            response, resolution = response.resume(now), resolution.resume(now)
        if target is Status.COMPLETED:
            resolution = resolution.stop(now)
        elif target is Status.REJECTED_BY_USER:
            resolution = resolution.restart(now)
        return SlaClocks(response, resolution)

    def respond(self, now: datetime) -> "SlaClocks":
        """The first public answer by support counts as the response."""
        return replace(self, response=self.response.stop(now))

    def retarget(self, targets: "SlaTargets") -> "SlaClocks":
        """After a priority (or type) change: keep elapsed time, take the new targets."""
        return SlaClocks(
            self.response.with_target(targets.response),
            self.resolution.with_target(targets.resolution),
        )

    def status(self, now: datetime) -> SlaStatus:
        return worst(self.response.status(now), self.resolution.status(now))


@dataclass(frozen=True)
class PriorityTargets:
    response: Duration
    resolution: Duration
    calendar: Calendar


@dataclass(frozen=True)
class RequestTargets:
    response: Duration
    fulfilment: Duration
    calendar: Calendar


@dataclass(frozen=True)
class SlaTargets:
    """Concrete targets for one ticket: business time on ``calendar``."""

    response: timedelta
    resolution: timedelta
    calendar: Calendar


@dataclass(frozen=True)
class SlaPolicy:
    name: str
    priorities: Mapping[Priority, PriorityTargets]
    requests: RequestTargets
    near_breach_ratio: float = DEFAULT_NEAR_BREACH_RATIO

    def targets_for(
        self,
        ticket_type: TicketType,
        priority: Priority,
        *,
        fulfilment_hours: float | None = None,
        tz: ZoneInfo | None = None,
    ) -> SlaTargets:
        """Incidents: by priority. Requests: response from the request targets and
        resolution = the form's ``fulfilment_hours`` (business hours) or the default.
        ``tz`` moves a business-hours calendar into the client's time zone."""
        if ticket_type is TicketType.REQUEST:
            calendar = _in_zone(self.requests.calendar, tz)
            fulfilment = (
                Duration(timedelta(hours=fulfilment_hours))
                if fulfilment_hours
                else self.requests.fulfilment
            )
            return SlaTargets(
                self.requests.response.on(calendar), fulfilment.on(calendar), calendar
            )
        targets = self.priorities[priority]
        calendar = _in_zone(targets.calendar, tz)
        return SlaTargets(targets.response.on(calendar), targets.resolution.on(calendar), calendar)

    def start(
        self,
        ticket_type: TicketType,
        priority: Priority,
        *,
        now: datetime,
        fulfilment_hours: float | None = None,
        tz: ZoneInfo | None = None,
    ) -> SlaClocks:
        """Both clocks for a ticket registered at ``now``."""
        t = self.targets_for(ticket_type, priority, fulfilment_hours=fulfilment_hours, tz=tz)
        ratio = self.near_breach_ratio
        return SlaClocks(
            SlaClock(t.calendar, now, t.response, near_breach_ratio=ratio),
            SlaClock(t.calendar, now, t.resolution, near_breach_ratio=ratio),
        )


def _in_zone(calendar: Calendar, tz: ZoneInfo | None) -> Calendar:
    if tz is None or isinstance(calendar, AlwaysOpen):
        return calendar
    assert isinstance(calendar, BusinessHours)
    return calendar.in_zone(tz)
