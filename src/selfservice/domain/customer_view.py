"""What the customer is told about their ticket's clock and about support's promises.

* :func:`customer_sla`: the response and resolution due times in the organisation's time
  zone and what one plain sentence should say (:class:`SlaNote`: "we will respond by
  14:30 today"). While support waits for the customer the clocks are paused and the note
  says so; after the response it is about the resolution; a completed or closed ticket
  has no promise left.
* :func:`public_status_change`: whether a status change belongs in the customer's
  timeline; the rule is ``domain.visibility`` (a change the contact is e-mailed about).
* :func:`support_promise`: the header's support hours and first-response target from the
  contract's SLA policy.

Stdlib only; ``now`` is passed in. The words are the text catalogue's: the services put
the sentences together (``services/customer_texts.py``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selfservice.domain.calendars import AlwaysOpen
from selfservice.domain.enums import Priority, Status
from selfservice.domain.sla import SlaClock, SlaClocks, SlaPolicy
from selfservice.domain.visibility import visibility_of
from selfservice.domain.workflow import TRANSITIONS, WAITING_FOR_CUSTOMER

_DONE = frozenset({Status.COMPLETED, Status.CLOSED})



@dataclass(frozen=True)
class SlaNote:
    """What the customer's sentence says: ``kind`` is ``respond``, ``resolve``,
    ``paused``, ``late_response`` or ``late_resolution``; ``due`` is the moment it names
    (in the organisation's zone; None while paused)."""

    kind: str
    due: datetime | None


@dataclass(frozen=True)
class CustomerSla:
    response_due: datetime | None
    resolution_due: datetime | None
    paused: bool
    responded: bool
    note: SlaNote | None
    #: The note in the contact's language, put together by the services.
    sentence: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "response_due": self.response_due.isoformat() if self.response_due else None,
            "resolution_due": self.resolution_due.isoformat() if self.resolution_due else None,
            "paused": self.paused,
            "responded": self.responded,
            "sentence": self.sentence,
        }


def customer_sla(clocks: SlaClocks, status: Status, *, now: datetime, tz: ZoneInfo) -> CustomerSla:
    paused = status in WAITING_FOR_CUSTOMER
    responded = clocks.response.is_stopped
    response_due = None if responded else _due(clocks.response, now, tz)
    resolution_due = None if status in _DONE else _due(clocks.resolution, now, tz)
    note: SlaNote | None
    if status in _DONE:
        note = None
    elif paused:
        note = SlaNote("paused", None)
    else:
        clock, kind = (clocks.resolution, "resolve") if responded else (clocks.response, "respond")
        if clock.is_breached(now):
            kind = "late_resolution" if responded else "late_response"
        note = SlaNote(kind, _due(clock, now, tz))
    return CustomerSla(response_due, resolution_due, paused, responded, note)


def _due(clock: SlaClock, now: datetime, tz: ZoneInfo) -> datetime:
    return clock.due(now).astimezone(tz)


def public_status_change(source: Status, target: Status) -> bool:
    """A change the contact is told about; reassignment and line moves are not."""
    rules = TRANSITIONS.get((source, target), ())
    return any(visibility_of(rule.name).mail for rule in rules)


@dataclass(frozen=True)
class SupportPromise:
    """Support hours and the first-response target for critical (P1) problems.

    ``hours``: runs of days with the same hours, ``(first_day, last_day, "09:00–18:00")``
    with Monday = 0; empty for 24/7. ``tz``: the calendar's zone (None for 24/7)."""

    hours: tuple[tuple[int, int, str], ...]
    tz: str | None
    first_response: timedelta


def support_promise(policy: SlaPolicy) -> SupportPromise:
    """The promise of the policy's P1 targets (critical problems are P1)."""
    critical = policy.priorities[Priority.P1]
    calendar = critical.calendar
    target = critical.response.on(calendar)
    if isinstance(calendar, AlwaysOpen):
        return SupportPromise((), None, target)
    groups: list[tuple[int, int, str]] = []
    for day in range(7):
        spans = calendar.weekly.get(day, ())
        if not spans:
            continue
        text = ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in spans)
        if groups and groups[-1][2] == text and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, text)
        else:
            groups.append((day, day, text))
    return SupportPromise(tuple(groups), calendar.tz.key, target)


def _clock(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
