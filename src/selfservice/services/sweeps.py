"""The periodic jobs the worker runs: auto-close and the SLA sweep.

Each ticket is handled in its own transaction, locked and re-checked there, so two sweeps
racing each other (or a sweep racing a use case) never notify or close twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, or_, select
from sqlmodel import Session, col

from selfservice.db.models import Engineer, Ticket
from selfservice.db.session import transaction
from selfservice.delivery import notify_templates
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language, Status
from selfservice.domain.errors import DomainError
from selfservice.domain.escalation import ClockName, Notice, decide_sla_escalations
from selfservice.domain.sla import SlaStatus
from selfservice.domain.workflow import AUTO_CLOSE_AFTER, is_waiting_for_customer
from selfservice.services import outbox
from selfservice.services.common import SYSTEM, load_ticket, record
from selfservice.services.sla_state import clocks_of, store_clocks
from selfservice.services.tickets import auto_close

SWEEP_LIMIT = 500


def auto_close_due(engine: Engine, *, now: datetime, config: SupportConfig) -> list[str]:
    """Close every ticket Completed more than 3 days ago without a reaction; returns the
    numbers closed. The domain re-checks each one (``auto_close`` rule)."""
    query = (
        select(col(Ticket.id))
        .where(col(Ticket.status) == Status.COMPLETED)
        .where(col(Ticket.completed_at) <= now - AUTO_CLOSE_AFTER)
        .order_by(col(Ticket.completed_at))
        .limit(SWEEP_LIMIT)
    )
    with transaction(engine, write=False) as session:
        ids = [i for i in session.scalars(query) if i is not None]
    closed = []
    for ticket_id in ids:
        try:
            closed.append(auto_close(engine, ticket_id=ticket_id, now=now, config=config).number)
        except DomainError:
            continue  # changed meanwhile (confirmed, rejected): nothing to close
    return closed


@dataclass(frozen=True)
class SlaAlert:
    number: str
    clock: ClockName
    level: SlaStatus
    recipient: str


_FLAGS = {
    (ClockName.RESPONSE, SlaStatus.NEAR_BREACH): "response_near_breach_notified",
    (ClockName.RESPONSE, SlaStatus.BREACH): "response_breach_notified",
    (ClockName.RESOLUTION, SlaStatus.NEAR_BREACH): "resolution_near_breach_notified",
    (ClockName.RESOLUTION, SlaStatus.BREACH): "resolution_breach_notified",
}


def sla_sweep(engine: Engine, *, now: datetime, config: SupportConfig) -> list[SlaAlert]:
    """Notify the manager (once per clock and level) of near-breach and breach.

    Candidates are the rows whose sweep hint (``*_alert_at``) has come; the decision is the
    domain's (``decide_sla_escalations``). Each notice becomes a history row, a flag on the
    ticket and a mail in the outbox, in one transaction per ticket.
    """
    due = or_(col(Ticket.response_alert_at) <= now, col(Ticket.resolution_alert_at) <= now)
    query = select(col(Ticket.id)).where(due).order_by(col(Ticket.id)).limit(SWEEP_LIMIT)
    with transaction(engine, write=False) as session:
        ids = [i for i in session.scalars(query) if i is not None]
    alerts: list[SlaAlert] = []
    for ticket_id in ids:
        alerts.extend(_sweep_one(engine, ticket_id=ticket_id, now=now, config=config))
    return alerts


def _sweep_one(
    engine: Engine, *, ticket_id: int, now: datetime, config: SupportConfig
) -> list[SlaAlert]:
    with transaction(engine) as session:
        loaded = load_ticket(session, ticket_id, actor=SYSTEM)
        ticket = loaded.ticket
        clocks = clocks_of(ticket, policy=config.policy(loaded.org.sla_level), org=loaded.org)
        decision = (
            decide_sla_escalations(
                clocks, now=now, already_notified=_notified(ticket), manager=config.manager,
                current_line=ticket.line, escalate_on_breach=config.escalate_on_breach,
            )
            if not is_waiting_for_customer(ticket.status)
            else None
        )
        alerts = []
        for notice in decision.notices if decision else ():
            setattr(ticket, _FLAGS[(notice.clock, notice.level)], True)
            _notify_manager(session, ticket=ticket, notice=notice, now=now,
                            due=clocks.response.deadline
                            if notice.clock is ClockName.RESPONSE
                            else clocks.resolution.deadline)
            alerts.append(SlaAlert(ticket.number, notice.clock, notice.level, notice.recipient))
        if decision and decision.escalate_to is not None:
            record(session, ticket, actor=SYSTEM, now=now, field="escalation_suggested",
                   old=ticket.line, new=decision.escalate_to,
                   reason="resolution SLA breached: escalate to the next line")
        store_clocks(ticket, clocks)  # recompute the sweep hints after the new flags
        session.add(ticket)
    return alerts


def _notified(ticket: Ticket) -> set[str]:
    return {
        f"{clock.value}:{level.value}"
        for (clock, level), flag in _FLAGS.items()
        if getattr(ticket, flag)
    }


def _notify_manager(
    session: Session, *, ticket: Ticket, notice: Notice, now: datetime, due: datetime
) -> None:
    assignee = session.get(Engineer, ticket.assignee_id) if ticket.assignee_id else None
    record(session, ticket, actor=SYSTEM, now=now, field=f"sla_{notice.clock.value}",
           new=notice.level, reason=f"manager {notice.recipient} notified")
    rendered = notify_templates.sla_alert(
        language=Language.EN, number=ticket.number, breached=notice.level is SlaStatus.BREACH,
        clock=notice.clock.value, due=due, priority=ticket.priority.value,
        line=ticket.line.value, group=ticket.group_id,
        assignee=assignee.name if assignee else None, status=ticket.status,
    )
    outbox.enqueue(session, to=notice.recipient, subject=rendered.subject, body=rendered.body,
                   language=Language.EN, kind=f"sla_{notice.level.value}", now=now,
                   ticket_id=ticket.id)
