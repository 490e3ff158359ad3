"""Made-up but plausible desk traffic for benchmarks and demos: plain row dicts for the
real tables, drawn from a seeded ``random.Random`` (the same seed gives the same rows).

The shapes follow the seed desk (180–260 tickets a day, portal / e-mail / phone /
monitoring, a daytime peak): weekdays busier than weekends; people write between 8 and
19 UTC with a peak around 10–15, monitoring fires round the clock; about a fifth of the
tickets go from L1 to L2 and a quarter of those on to L3; most SLA clocks are met;
tickets older than a few days are mostly completed or closed.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from selfservice.domain.enums import (
    Channel,
    ClosureCode,
    Impact,
    Line,
    Priority,
    Status,
    TicketType,
    Urgency,
)
from selfservice.domain.priority import PriorityMatrix

Row = dict[str, Any]

#: Relative volume per UTC hour of people's tickets (monitoring is flat).
HOURS = (1, 1, 1, 1, 1, 2, 3, 6, 10, 14, 16, 16, 13, 15, 16, 14, 11, 8, 5, 3, 2, 2, 1, 1)
CHANNELS = {Channel.PORTAL: 38, Channel.EMAIL: 27, Channel.PHONE: 15, Channel.MONITORING: 12,
            Channel.WIDGET: 8}
URGENCIES = {Urgency.VERY_HIGH: 3, Urgency.HIGH: 12, Urgency.MEDIUM: 45, Urgency.LOW: 30,
             Urgency.NONE: 10}
IMPACTS = {Impact.SIGNIFICANT: 3, Impact.HIGH: 10, Impact.MEDIUM: 30, Impact.LOW: 45,
           Impact.NONE: 12}
#: (response, resolution) targets per priority, in hours, round the clock.
TARGETS = {Priority.P1: (0.25, 4), Priority.P2: (0.5, 8), Priority.P3: (1, 24),
           Priority.P4: (4, 72), Priority.P5: (8, 120)}
OPEN_STATUSES = {Status.REGISTERED: 25, Status.ASSIGNED: 20, Status.IN_PROGRESS: 35,
                 Status.INFORMATION_NEEDED: 12}
SUBJECTS = ("cannot sign in", "VM not responding", "VPN drops every hour", "DNS record wrong",
            "backup failed", "disk almost full", "certificate expires", "new user access",
            "slow network", "invoice question", "e-mail not delivered", "license request")
ESCALATE = {Line.L1: 0.22, Line.L2: 0.25, Line.L3: 0.1}
NEXT_LINE = {Line.L1: Line.L2, Line.L2: Line.L3, Line.L3: Line.EXTERNAL}
OUTCOMES = {"deflected": 40, "ticket_filed": 22, "abandoned": 30, None: 8}


@dataclass(frozen=True)
class Directory:
    """What the rows may point at: organisations with their contacts, groups and
    engineers per line, services, and kb articles with their service."""

    contacts: Sequence[tuple[str, int]]
    groups: dict[Line, list[str]]
    engineers: dict[Line, list[int]]
    services: Sequence[str]
    articles: Sequence[str]


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class TicketMaker:
    """Ticket rows and their history rows, one ticket at a time."""

    def __init__(self, rng: random.Random, *, now: datetime, days: int, matrix: PriorityMatrix,
                 directory: Directory) -> None:
        self.rng, self.now, self.days, self.matrix, self.dir = rng, now, days, matrix, directory
        start = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.day_starts = [start + timedelta(days=d) for d in range(days + 1)]
        self.day_weights = [10 if d.weekday() < 5 else 4 for d in self.day_starts]

    def moment(self, *, flat: bool = False) -> datetime:
        """A creation time in the period: busy weekdays, the daytime peak (unless flat)."""
        for _ in range(20):
            day = self.rng.choices(self.day_starts, weights=self.day_weights)[0]
            hour = self.rng.randrange(24) if flat else self.rng.choices(range(24), HOURS)[0]
            at = day + timedelta(hours=hour, seconds=self.rng.randrange(3600))
            if at < self.now:
                return at
        return self.now - timedelta(minutes=self.rng.randrange(1, 600))

    def ticket(self, ticket_id: int, number: int) -> tuple[Row, list[Row]]:
        rng, now = self.rng, self.now
        channel: Channel = _pick(rng, CHANNELS)
        created = self.moment(flat=channel is Channel.MONITORING)
        kind = TicketType.INCIDENT if channel is Channel.MONITORING or rng.random() < 0.65 \
            else TicketType.REQUEST
        urgency, impact = _pick(rng, URGENCIES), _pick(rng, IMPACTS)
        priority = self.matrix.priority_for(urgency, impact)
        response_h, resolution_h = TARGETS[priority]
        response_due = created + timedelta(hours=response_h)
        resolution_due = created + timedelta(hours=resolution_h)
        history: list[Row] = [_history(ticket_id, created, "status", None, "registered")]
        # The path through the lines, each move some time after the previous one.
        line, moved_at = Line.L1, created
        while line in ESCALATE and rng.random() < ESCALATE[line]:
            moved_at += timedelta(hours=resolution_h * rng.uniform(0.03, 0.25))
            if moved_at >= now:
                break
            history.append(_history(ticket_id, moved_at, "line", line.value,
                                    NEXT_LINE[line].value, engineer=True))
            line = NEXT_LINE[line]
        responded = created + timedelta(hours=response_h * (
            rng.uniform(0.05, 0.95) if rng.random() < 0.9 else rng.uniform(1.05, 3)))
        finished = max(moved_at, created) + timedelta(hours=resolution_h * (
            rng.uniform(0.05, 0.95) if rng.random() < 0.86 else rng.uniform(1.05, 2.5)))
        status = Status.COMPLETED if finished <= now else _pick(rng, OPEN_STATUSES)
        if status is Status.COMPLETED and finished + timedelta(days=2) <= now \
                and rng.random() < 0.85:
            status = Status.CLOSED
        if status is Status.REGISTERED or responded > now:
            responded_at = None
            status = Status.REGISTERED if status not in (Status.COMPLETED, Status.CLOSED) \
                else status
        else:
            responded_at = responded
        if line is Line.EXTERNAL and status not in (Status.COMPLETED, Status.CLOSED,
                                                    Status.REGISTERED):
            status = Status.EXTERNAL_PROCESSING
        done = status in (Status.COMPLETED, Status.CLOSED)
        if done and responded_at is None:
            responded_at = min(responded, finished)
        completed_at = finished if done else None
        closed_at = finished + timedelta(days=2) if status is Status.CLOSED else None
        paused_since = (now - timedelta(minutes=rng.randrange(5, 600))
                        if status is Status.INFORMATION_NEEDED else None)
        if paused_since is not None and paused_since < created:
            paused_since = created
        if done:
            history.append(_history(ticket_id, finished, "status", "in_progress", "completed",
                                    engineer=True))
        group_line = Line.L3 if line is Line.EXTERNAL else line
        assignee = (None if status is Status.REGISTERED
                    else rng.choice(self.dir.engineers[group_line]))
        org, contact = rng.choice(self.dir.contacts)
        service = rng.choice(self.dir.services)
        prefix = "INC" if kind is TicketType.INCIDENT else "REQ"
        row: Row = {
            "id": ticket_id, "number": f"{prefix}-{number:06d}", "type": kind.value,
            "service": service, "form_id": None, "fields": {},
            "subject": f"{service}: {rng.choice(SUBJECTS)}", "description": "Seeded ticket.",
            "channel": channel.value, "urgency": urgency.value, "impact": impact.value,
            "priority": priority.value, "urgency_confirmed": True, "status": status.value,
            "closure_code": _closure(rng, kind) if done else None, "assignee_id": assignee,
            "line": line.value, "group_id": rng.choice(self.dir.groups[line]),
            "work_started_at": responded_at, "fulfilment_hours": None,
            "response_due": response_due, "resolution_due": resolution_due,
            "responded_at": responded_at, "resolution_stopped_at": completed_at,
            "response_paused_seconds": 0.0, "resolution_paused_seconds": 0.0,
            "paused_since": paused_since, "response_alert_at": None,
            "resolution_alert_at": None, "response_near_breach_notified": False,
            "response_breach_notified": False, "resolution_near_breach_notified": False,
            "resolution_breach_notified": False, "self_service_tried": [],
            "created_at": created,
            "updated_at": max(x for x in (created, moved_at, completed_at, closed_at) if x),
            "completed_at": completed_at, "closed_at": closed_at, "contact_id": contact,
            "org_id": org,
        }
        return row, history


def _closure(rng: random.Random, kind: TicketType) -> str:
    if rng.random() < 0.08:
        return rng.choice((ClosureCode.DUPLICATE, ClosureCode.CANCELLED_BY_CUSTOMER)).value
    if kind is TicketType.REQUEST:
        return ClosureCode.FULFILLED.value
    return (ClosureCode.RESOLVED if rng.random() < 0.85 else ClosureCode.WORKAROUND).value


def _history(ticket_id: int, at: datetime, field: str, old: str | None, new: str, *,
             engineer: bool = False) -> Row:
    return {"ticket_id": ticket_id, "at": at, "actor_kind": "engineer" if engineer else "system",
            "actor_id": None, "field": field, "from_value": old, "to_value": new,
            "reason": "seeded" if field == "line" else None}


def conversation(
    rng: random.Random, maker: TicketMaker, *, filed_tickets: Sequence[int]
) -> tuple[Row, list[Row]]:
    """One widget conversation and its events (articles drawn with a long tail)."""
    started = maker.moment()
    outcome = _pick(rng, OUTCOMES)
    if outcome == "ticket_filed" and not filed_tickets:
        outcome = "abandoned"
    cid = uuid.UUID(int=rng.getrandbits(128)).hex
    articles = maker.dir.articles
    shown: list[str] = []
    if articles and (outcome == "deflected" or rng.random() < 0.7):
        for _ in range(1 if rng.random() < 0.7 else 2):
            index = min(int(rng.paretovariate(1.2)) - 1, len(articles) - 1)
            shown.append(articles[index])
    if outcome == "deflected" and not shown:
        outcome = "abandoned"
    org, contact = rng.choice(maker.dir.contacts)
    signed_in = rng.random() < 0.7
    at = started
    events: list[Row] = [_event(cid, at, "started")]
    for article in shown:
        at += timedelta(seconds=rng.randrange(10, 120))
        events.append(_event(cid, at, "article_shown", article=article))
    ticket_id = rng.choice(filed_tickets) if outcome == "ticket_filed" else None
    if outcome is not None:
        at += timedelta(seconds=rng.randrange(10, 300))
        events.append(_event(cid, at, outcome, article=shown[-1] if shown else None))
    lang = "ru" if rng.random() < 0.4 else "en"
    phase = "closed" if outcome else "searching"
    # A state the conversation engine can load (``State.from_dict``), as a real chat's.
    tried: list[Row] = [{"article": a, "title": a, "steps_total": 3, "steps_seen": 3,
              "helped": True if outcome == "deflected" and a == shown[-1] else
              False if outcome == "ticket_filed" else None, "answers": []} for a in shown]
    state = {"lang": lang, "signed_in": signed_in, "phase": phase, "outcome": outcome,
             "texts": [rng.choice(SUBJECTS)], "article": shown[-1] if shown else None,
             "step": 0, "form": None, "routed": None, "ticket": None, "tried": tried,
             "events": []}
    row: Row = {
        "id": cid, "org_id": org if signed_in else None,
        "contact_id": contact if signed_in else None, "lang": lang, "phase": phase,
        "outcome": outcome, "turns": len(events), "state": state, "ticket_id": ticket_id,
        "started_at": started, "updated_at": at, "closed_at": at if outcome else None,
    }
    return row, events


def _event(cid: str, at: datetime, kind: str, *, article: str | None = None) -> Row:
    return {"conversation_id": cid, "at": at, "kind": kind, "article": article, "form": None,
            "detail": {}}
