"""Read-side use cases for the web layer (which never writes SQL): one ticket with its
comments and history, a contact's tickets, an engineers' queue."""

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from selfservice.db.models import Comment, Ticket, TicketHistory
from selfservice.db.session import transaction
from selfservice.domain import staffing
from selfservice.domain.enums import Line, Status
from selfservice.domain.workflow import FINAL
from selfservice.services.common import Actor, load_for
from selfservice.services.errors import NotFound

#: Statuses an engineers' queue shows by default: everything not finished.
OPEN_STATUSES = frozenset(Status) - FINAL - {Status.COMPLETED}


@dataclass(frozen=True)
class TicketDetails:
    ticket: Ticket
    #: Contacts see public comments only; engineers see all.
    comments: list[Comment]
    #: Empty for contacts (the history is for support).
    history: list[TicketHistory]


def ticket_details(engine: Engine, *, number: str, actor: Actor) -> TicketDetails:
    """One ticket by its number; a contact only sees tickets of their organisation."""
    with transaction(engine, write=False) as session:
        found = session.exec(select(Ticket.id).where(Ticket.number == number)).first()
        if found is None:
            raise NotFound(f"no ticket {number}", field="number")
        ticket = load_for(session, found, actor=actor, rule=staffing.check_reader,
                          lock=False).ticket
        comments = select(Comment).where(Comment.ticket_id == found).order_by(col(Comment.id))
        if actor.is_contact:
            comments = comments.where(col(Comment.public).is_(True))
        history: list[TicketHistory] = []
        if not actor.is_contact:
            history = list(session.exec(
                select(TicketHistory).where(TicketHistory.ticket_id == found)
                .order_by(col(TicketHistory.id))
            ))
        return TicketDetails(ticket, list(session.exec(comments)), history)


def contact_tickets(engine: Engine, *, contact_id: int, limit: int = 100) -> list[Ticket]:
    """A contact's own tickets, newest first."""
    with transaction(engine, write=False) as session:
        query = (
            select(Ticket).where(Ticket.contact_id == contact_id)
            .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(limit)
        )
        return list(session.exec(query))


def queue(
    engine: Engine, *, line: Line | None = None, group_id: str | None = None,
    statuses: Collection[Status] = OPEN_STATUSES, assignee_id: int | None = None,
    limit: int = 200,
) -> list[Ticket]:
    """Open tickets of a line/group (or an engineer), the most urgent deadline first;
    children of a known problem are not separate items (their parent is)."""
    query = select(Ticket).where(col(Ticket.status).in_(list(statuses)),
                                 col(Ticket.known_problem_id).is_(None))
    if line is not None:
        query = query.where(Ticket.line == line)
    if group_id is not None:
        query = query.where(Ticket.group_id == group_id)
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    query = query.order_by(col(Ticket.resolution_due).asc(), col(Ticket.id)).limit(limit)
    with transaction(engine, write=False) as session:
        return list(session.exec(query))
