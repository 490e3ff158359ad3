"""Functional escalation (L1 → L2 → L3 → external) and lateral handover, with a reason.

``domain.escalation.escalate`` validates the move; the target status comes from the
domain too (``Escalation.target_status``) and the status change goes through the workflow.
Inside the one transaction, on the locked ticket: the acting engineer must work on the
ticket's current line and a named assignee on the target line (``domain.staffing``). A
move between lines is never shown or mailed to the contact (``domain.visibility``).
"""

from datetime import datetime

from sqlalchemy import Engine

from selfservice.db.models import SupportGroup as GroupRow
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Line, Status
from selfservice.domain.escalation import Escalation, escalate
from selfservice.domain.visibility import LINE_MOVE
from selfservice.domain.workflow import is_waiting_for_customer
from selfservice.services.common import (
    Actor,
    TicketRef,
    assignable_engineer,
    load_to_work,
    record,
)
from selfservice.services.errors import NotFound
from selfservice.services.transition import change_status


def escalate_ticket(
    engine: Engine,
    *,
    ticket_id: TicketRef,
    actor: Actor,
    target_line: Line,
    target_group: str,
    reason: str,
    now: datetime,
    config: SupportConfig,
    assignee_id: int | None = None,
    speciality: str | None = None,
) -> Escalation:
    """Move the ticket to ``target_group`` on ``target_line``; without ``assignee_id`` it
    waits unassigned in that group's queue (Registered); to ``external`` it becomes
    External processing. A ticket waiting for the contact keeps waiting."""
    group = config.groups.get(target_group)
    if group is None:
        raise NotFound(f"no support group {target_group!r}", field="target_group")
    with transaction(engine) as session:
        loaded = load_to_work(session, ticket_id, actor=actor)
        ticket = loaded.ticket
        if session.get(GroupRow, group.id) is None:
            raise NotFound(f"support group {group.id!r} is not synced to the database",
                           field="target_group")
        move = escalate(ticket.line, target_line, group, reason, current_group=ticket.group_id,
                        speciality=speciality)
        if assignee_id is not None:
            assignable_engineer(session, assignee_id, ticket_line=move.to_line)
        new_assignee = str(assignee_id) if assignee_id is not None else None
        target = move.target_status(new_assignee)
        if target is Status.EXTERNAL_PROCESSING:
            new_assignee = str(ticket.assignee_id) if ticket.assignee_id is not None else None
        if is_waiting_for_customer(ticket.status):
            # Still waiting for the contact's answer (and the SLA stays paused): the answer
            # moves it on, to the new group's queue or assignee (``resume_status``).
            target = ticket.status
        record(session, ticket, actor=actor, now=now, field="line", old=ticket.line,
               new=move.to_line, reason=move.reason)
        record(session, ticket, actor=actor, now=now, field="group", old=ticket.group_id,
               new=move.to_group, reason=move.reason)
        ticket.line, ticket.group_id = move.to_line, move.to_group
        if target is not ticket.status:
            change_status(session, loaded, target=target, actor=actor, now=now, config=config,
                          assignee=new_assignee, comment=move.reason, visibility=LINE_MOVE)
        elif ticket.assignee_id != (kept := int(new_assignee) if new_assignee else None):
            record(session, ticket, actor=actor, now=now, field="assignee",
                   old=ticket.assignee_id, new=kept, reason=move.reason)
            ticket.assignee_id = kept
        ticket.updated_at = now
        session.add(ticket)
    return move
