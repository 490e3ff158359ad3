"""The one place a ticket's status changes: domain check, clocks, row, history, mail.

Whether the comment that comes with the change is public, and whether the contact is
e-mailed, is the domain's decision (``domain.visibility``), not the caller's.
"""

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from selfservice.db.models import Comment
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode, Status
from selfservice.domain.visibility import Visibility, comment_is_public, visibility_of
from selfservice.domain.workflow import KEEP, Keep, apply_transition, check_transition
from selfservice.services.common import (
    Actor,
    Loaded,
    assignee_id,
    record,
    state_of,
)
from selfservice.services.customer_updates import mail_change
from selfservice.services.sla_state import clocks_of, store_clocks

#: The assignee after the change; ``KEEP`` (the default) keeps the current one.
Assignee = str | None | Literal[Keep.KEEP]


def change_status(
    session: Session,
    loaded: Loaded,
    *,
    target: Status,
    actor: Actor,
    now: datetime,
    config: SupportConfig,
    assignee: Assignee = KEEP,
    comment: str | None = None,
    public: bool | None = None,
    closure_code: ClosureCode | None = None,
    visibility: Visibility | None = None,
) -> None:
    """Move the locked ticket to ``target`` if the workflow allows it (else the domain's
    error propagates and the transaction rolls back); record and mail the change.

    ``public`` is the engineer's explicit choice for the comment (``None``: the default of
    the transition's row in ``domain.visibility.TABLE``); ``visibility`` replaces that row
    when the change is part of something else (a move between lines)."""
    ticket = loaded.ticket
    before = state_of(ticket)
    rule = check_transition(before, target, actor_role=actor.role, now=now,
                            assignee=assignee, comment=comment, closure_code=closure_code)
    row = visibility or visibility_of(rule.name)
    reason = comment.strip() if comment else None
    public_comment = bool(reason) and comment_is_public(row, actor.role, public)
    after = apply_transition(before, target, actor_role=actor.role, now=now,
                             assignee=assignee, comment=comment, closure_code=closure_code)
    clocks = clocks_of(ticket, policy=config.policy(loaded.org.sla_level), org=loaded.org)
    store_clocks(ticket, clocks.on_transition(before.status, target, now))

    if after.assignee != before.assignee:
        record(session, ticket, actor=actor, now=now, field="assignee",
               old=before.assignee, new=after.assignee, reason=reason)
        ticket.assignee_id = assignee_id(after.assignee)
    if after.work_started and ticket.work_started_at is None:
        ticket.work_started_at = now
    if target is Status.COMPLETED:
        ticket.completed_at = now
        record(session, ticket, actor=actor, now=now, field="closure_code",
               old=ticket.closure_code, new=closure_code)
        ticket.closure_code = closure_code
    elif target is Status.CLOSED:
        ticket.closed_at = now
    record(session, ticket, actor=actor, now=now, field="status",
           old=before.status, new=target, reason=reason)
    ticket.status = target
    ticket.updated_at = now
    session.add(ticket)
    if reason:
        session.add(Comment(ticket_id=ticket.id or 0, at=now, author_kind=actor.role,
                            author_id=actor.id, public=public_comment, body=reason))
    if row.mail:
        # The contact's own words are not quoted back to them.
        quoted = reason if public_comment and not actor.is_contact else None
        mail_change(session, loaded, now=now, config=config, old=before.status,
                    comment=quoted, closure_code=closure_code, by_contact=actor.is_contact)
