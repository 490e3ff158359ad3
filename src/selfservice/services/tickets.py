"""Ticket lifecycle use cases: one transaction each, the workflow decides every move.

Registration lives in ``registration.py``, urgency/impact/classification in
``classification.py``, escalation in ``escalation.py``, comments in ``comments.py`` and the
periodic jobs in ``sweeps.py``. Each function locks the ticket, checks that an acting
engineer works on its line (``common.load_to_work``), asks the domain
(``domain.workflow.apply_transition`` via ``transition.change_status``), stores the result,
appends history and queues the contact's e-mail, all in the same transaction.

``public`` (where a use case takes it) is the engineer's explicit choice for the comment;
``None`` leaves it to ``domain.visibility``.
"""

from datetime import datetime

from sqlalchemy import Engine

from selfservice.db.models import Ticket
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode, Status
from selfservice.domain.workflow import resume_status
from selfservice.services.common import (
    SYSTEM,
    Actor,
    TicketRef,
    assignable_engineer,
    load_to_work,
    record,
    state_of,
)
from selfservice.services.transition import change_status

AUTO_CLOSE_COMMENT = "Closed automatically: no reaction within 3 days after completion."

#: Statuses in which a new assignee is a plain reassignment, not a status change.
_REASSIGN_IN_PLACE = frozenset({Status.ASSIGNED, Status.INFORMATION_NEEDED})


def assign(
    engine: Engine, *, ticket_id: TicketRef, engineer_id: int, actor: Actor, now: datetime,
    config: SupportConfig, comment: str | None = None, public: bool | None = None,
) -> Ticket:
    """Give the ticket to an engineer who works on its line: Registered/Rejected/External →
    Assigned, In progress → Assigned (the new engineer starts anew), or a plain
    reassignment while Assigned or waiting for information."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        assignable_engineer(session, engineer_id, ticket_line=ticket.line)
        if ticket.status in _REASSIGN_IN_PLACE:
            if ticket.assignee_id != engineer_id:
                record(session, ticket, actor=actor, now=now, field="assignee",
                       old=ticket.assignee_id, new=engineer_id, reason=comment)
                ticket.assignee_id = engineer_id
                ticket.updated_at = now
                session.add(ticket)
        else:
            change_status(session, loaded, target=Status.ASSIGNED, actor=actor, now=now,
                          config=config, assignee=str(engineer_id), comment=comment,
                          public=public)
    return ticket


def start_work(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, now: datetime, config: SupportConfig,
    comment: str | None = None, public: bool | None = None,
) -> Ticket:
    """In progress. An unassigned ticket is taken by the engineer who starts it."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        assignee = str(loaded.ticket.assignee_id or actor.id or "") or None
        change_status(session, loaded, target=Status.IN_PROGRESS, actor=actor, now=now,
                      config=config, assignee=assignee, comment=comment, public=public)
    return loaded.ticket


def request_information(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, question: str, now: datetime,
    config: SupportConfig, public: bool | None = None,
) -> Ticket:
    """Information needed: the question goes to the contact; the SLA clocks pause."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        change_status(session, loaded, target=Status.INFORMATION_NEEDED, actor=actor, now=now,
                      config=config, comment=question, public=public)
    return loaded.ticket


def answer_information(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, answer: str, now: datetime,
    config: SupportConfig, public: bool | None = None,
) -> Ticket:
    """The contact answers (or an engineer records the answer): back to where the ticket
    was (domain.workflow.resume_status); the SLA clocks run again."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        target = resume_status(state_of(loaded.ticket))
        change_status(session, loaded, target=target, actor=actor, now=now, config=config,
                      comment=answer, public=public)
    return loaded.ticket


def hand_to_external(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, comment: str, now: datetime,
    config: SupportConfig, public: bool | None = None,
) -> Ticket:
    """External processing: a third party works on it (the comment says who and why)."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        change_status(session, loaded, target=Status.EXTERNAL_PROCESSING, actor=actor, now=now,
                      config=config, comment=comment, public=public)
    return loaded.ticket


def back_from_external(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, now: datetime, config: SupportConfig,
    comment: str | None = None, public: bool | None = None,
) -> Ticket:
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        started = loaded.ticket.work_started_at is not None
        change_status(session, loaded,
                      target=Status.IN_PROGRESS if started else Status.ASSIGNED,
                      actor=actor, now=now, config=config, comment=comment, public=public)
    return loaded.ticket


def complete(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, closure_code: ClosureCode, now: datetime,
    config: SupportConfig, comment: str | None = None, public: bool | None = None,
) -> Ticket:
    """Completed with a closure code; the contact is asked to confirm or reject."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        change_status(session, loaded, target=Status.COMPLETED, actor=actor, now=now,
                      config=config, closure_code=closure_code, comment=comment, public=public)
    return loaded.ticket


def confirm(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, now: datetime, config: SupportConfig,
    comment: str | None = None, public: bool | None = None,
) -> Ticket:
    """Closed: the contact confirms (an engineer may record a phone confirmation, with a
    comment)."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        change_status(session, loaded, target=Status.CLOSED, actor=actor, now=now,
                      config=config, comment=comment, public=public)
    return loaded.ticket


def reject(
    engine: Engine, *, ticket_id: TicketRef, actor: Actor, reason: str, now: datetime,
    config: SupportConfig,
) -> Ticket:
    """Rejected by user: the contact is not satisfied; the resolution clock runs again."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        change_status(session, loaded, target=Status.REJECTED_BY_USER, actor=actor, now=now,
                      config=config, comment=reason)
    return loaded.ticket


def auto_close(
    engine: Engine, *, ticket_id: TicketRef, now: datetime, config: SupportConfig
) -> Ticket:
    """Closed by the system: the domain allows it only 3 days after Completed."""
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=SYSTEM)
        change_status(session, loaded, target=Status.CLOSED, actor=SYSTEM, now=now,
                      config=config, comment=AUTO_CLOSE_COMMENT)
    return loaded.ticket
