"""Read-side use cases of the staff console: a filtered queue with SLA marks, one ticket
with everything an engineer needs on one page, and what this engineer may do to it now.

What is allowed comes from the domain (``domain.staffing`` for the line, the workflow
table for the status); the actions themselves are the usual use cases, which check again
on the locked ticket in their own transaction.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from selfservice.db.models import (
    Comment,
    Contact,
    Conversation,
    ConversationEvent,
    Engineer,
    Organisation,
    Ticket,
    TicketHistory,
)
from selfservice.db.session import transaction
from selfservice.domain import staffing
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ActorRole, Channel, Line, Priority, Status
from selfservice.domain.errors import DomainError
from selfservice.domain.sla import SlaClocks, SlaStatus
from selfservice.domain.workflow import FINAL, allowed_targets
from selfservice.services import attachments as ticket_files
from selfservice.services.common import line_of, state_of
from selfservice.services.errors import NotFound
from selfservice.services.queries import OPEN_STATUSES
from selfservice.services.sla_state import clocks_of

#: Rows a queue page shows first (a shift works from the top; "show more" asks for more).
QUEUE_LIMIT = 50
#: The most rows one queue page lists.
QUEUE_MAX = 500
#: Statuses in which the ticket can be given to an engineer of its line.
_ASSIGNABLE = frozenset({Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS,
                         Status.REJECTED_BY_USER, Status.INFORMATION_NEEDED})


@dataclass(frozen=True)
class QueueFilter:
    line: Line | None = None
    group_id: str | None = None
    statuses: Collection[Status] = OPEN_STATUSES
    priority: Priority | None = None
    service: str | None = None
    org_id: str | None = None
    channel: Channel | None = None
    assignee_id: int | None = None
    limit: int = QUEUE_LIMIT


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    #: The worse of the response and resolution clocks now.
    sla: SlaStatus
    org_name: str
    assignee: str | None


def staff_queue(
    engine: Engine, *, config: SupportConfig, filters: QueueFilter, now: datetime
) -> list[QueueRow]:
    """Unassigned tickets first, then by resolution due time (none last); children of a
    known problem are not separate items (their parent is)."""
    f = filters
    query = select(Ticket).where(col(Ticket.status).in_(list(f.statuses)),
                                 col(Ticket.known_problem_id).is_(None))
    for column, value in ((Ticket.line, f.line), (Ticket.group_id, f.group_id),
                          (Ticket.priority, f.priority), (Ticket.service, f.service),
                          (Ticket.org_id, f.org_id), (Ticket.channel, f.channel),
                          (Ticket.assignee_id, f.assignee_id)):
        if value is not None:
            query = query.where(col(column) == value)
    query = query.order_by(
        col(Ticket.assignee_id).is_not(None), col(Ticket.resolution_due).asc().nulls_last(),
        col(Ticket.id),
    ).limit(f.limit)
    with transaction(engine, write=False) as session:
        tickets = list(session.exec(query))
        org_ids = {t.org_id for t in tickets}
        orgs = {o.id: o for o in session.exec(
            select(Organisation).where(col(Organisation.id).in_(org_ids)))}
        names = engineer_names(session, {t.assignee_id for t in tickets if t.assignee_id})
    return [
        QueueRow(t, clocks_for(t, orgs[t.org_id], config).status(now), orgs[t.org_id].name,
                 names.get(t.assignee_id) if t.assignee_id else None)
        for t in tickets
    ]


def clocks_for(ticket: Ticket, org: Organisation, config: SupportConfig) -> SlaClocks:
    return clocks_of(ticket, policy=config.policy(org.sla_level), org=org)


def engineer_names(session: Any, ids: Collection[int | None]) -> dict[int | None, str]:
    if not ids:
        return {}
    rows = session.exec(select(Engineer).where(col(Engineer.id).in_(list(ids))))
    return {e.id: e.name for e in rows}


@dataclass(frozen=True)
class TicketPage:
    ticket: Ticket
    contact: Contact
    org: Organisation
    comments: list[Comment]
    history: list[TicketHistory]
    clocks: SlaClocks
    #: The widget conversation that led to the ticket, its events in order.
    conversation: Conversation | None
    events: list[ConversationEvent]
    #: Customer uploads and stored e-mail attachments, oldest first.
    attachments: list[ticket_files.Listed]
    #: Engineer ids (as text, as history rows name them) → names.
    names: dict[str, str]
    #: Engineers who may be this ticket's assignee (its line's), id → name.
    assignable: dict[int, str]
    #: Action → None when allowed now, else the reason code it is refused.
    actions: dict[str, str | None] = field(default_factory=dict)


def ticket_page(
    engine: Engine, *, number: str, engineer_id: int, config: SupportConfig
) -> TicketPage:
    """Everything about one ticket, for an engineer who may read it (``check_reader``)."""
    with transaction(engine, write=False) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        me = session.get(Engineer, engineer_id)
        if ticket is None or me is None or not me.active:
            raise NotFound(f"no ticket {number}", code="ticket_not_found", field="number")
        staffing.check_reader(line_of(me.role), ticket.line)
        contact = session.get(Contact, ticket.contact_id)
        org = session.get(Organisation, ticket.org_id)
        assert contact is not None and org is not None
        comments = list(session.exec(select(Comment).where(Comment.ticket_id == ticket.id)
                                     .order_by(col(Comment.id))))
        history = list(session.exec(select(TicketHistory)
                                    .where(TicketHistory.ticket_id == ticket.id)
                                    .order_by(col(TicketHistory.id))))
        conversation = session.exec(
            select(Conversation).where(Conversation.ticket_id == ticket.id)).first()
        events = list(session.exec(
            select(ConversationEvent)
            .where(ConversationEvent.conversation_id == conversation.id)
            .order_by(col(ConversationEvent.id)))) if conversation is not None else []
        files = ticket_files.of_ticket(session, ticket.id or 0)
        engineers = list(session.exec(select(Engineer).where(col(Engineer.active).is_(True))))
    names = {str(e.id): e.name for e in engineers}
    assignable = {e.id: e.name for e in engineers
                  if e.id is not None and staffing.works_on(line_of(e.role), ticket.line)}
    return TicketPage(
        ticket, contact, org, comments, history, clocks_for(ticket, org, config), conversation,
        events, files, names, assignable, allowed_actions(ticket, me),
    )


def allowed_actions(ticket: Ticket, me: Engineer) -> dict[str, str | None]:
    """What ``me`` may do to the ticket now: action → None, or why not (a message code)."""
    line = line_of(me.role)
    refusal: str | None = None
    if not staffing.works_on(line, ticket.line):
        refusal = "manager" if line is None else "read_only"
    targets = set(allowed_targets(state_of(ticket), ActorRole.ENGINEER))
    status = ticket.status

    def when(condition: bool) -> str | None:
        return refusal or (None if condition else "status")

    mine = ticket.assignee_id == me.id
    try:
        staffing.check_reprioritiser(line, ticket.line)
        reprioritise = None if status not in FINAL else "status"
    except DomainError:
        reprioritise = "read_only"
    return {
        "take": when(status in _ASSIGNABLE and not mine),
        "assign": when(status in _ASSIGNABLE),
        "start": when(Status.IN_PROGRESS in targets and status is not Status.IN_PROGRESS),
        "information_needed": when(Status.INFORMATION_NEEDED in targets),
        "external": when(Status.EXTERNAL_PROCESSING in targets),
        "complete": when(Status.COMPLETED in targets),
        "escalate": when(status not in FINAL and status is not Status.COMPLETED),
        "comment": when(status not in FINAL),
        "priority": reprioritise,
        "confirm_urgency": reprioritise if not ticket.urgency_confirmed else "status",
    }
