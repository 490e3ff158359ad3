"""What the ticket use cases share: who acts, locked loading, history rows."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, insert
from sqlmodel import Session, select

from selfservice.db.models import Contact, Engineer, Organisation, Role, Ticket, TicketHistory
from selfservice.domain import staffing
from selfservice.domain.enums import ActorRole, Line
from selfservice.domain.workflow import TicketState
from selfservice.services.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Actor:
    """Who performs a use case; ``id`` is the engineer's or contact's id as text."""

    role: ActorRole
    id: str | None = None

    @classmethod
    def engineer(cls, engineer_id: int) -> "Actor":
        return cls(ActorRole.ENGINEER, str(engineer_id))

    @classmethod
    def contact(cls, contact_id: int) -> "Actor":
        return cls(ActorRole.CONTACT, str(contact_id))

    @classmethod
    def system(cls) -> "Actor":
        return cls(ActorRole.SYSTEM, None)

    @property
    def is_contact(self) -> bool:
        return self.role is ActorRole.CONTACT


SYSTEM = Actor.system()
HISTORY: Table = TicketHistory.__table__  # type: ignore[attr-defined]
_INSERT_HISTORY = insert(HISTORY)


@dataclass
class Loaded:
    """A ticket locked for update, with its contact and organisation."""

    ticket: Ticket
    contact: Contact
    org: Organisation


#: A ticket's id, or its number (``INC-000123``) as the engineers' API names it.
TicketRef = int | str
#: A role rule of ``domain.staffing``: (the engineer's line or None, the ticket's line).
LineRule = Callable[[Line | None, Line], None]


def load_ticket(
    session: Session, ticket_id: TicketRef, *, actor: Actor, lock: bool = True
) -> Loaded:
    """Lock the ticket row (``FOR UPDATE`` on PostgreSQL) and check the actor may see it."""
    if isinstance(ticket_id, str):
        by_number = select(Ticket).where(Ticket.number == ticket_id)
        ticket = session.exec(by_number.with_for_update() if lock else by_number).first()
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}", code="ticket_not_found", field="number")
    else:
        ticket = session.get(Ticket, ticket_id, with_for_update=lock)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}", field="ticket_id")
    contact = session.get(Contact, ticket.contact_id)
    org = session.get(Organisation, ticket.org_id)
    if contact is None or org is None:  # pragma: no cover - foreign keys guarantee them
        raise NotFound(f"ticket {ticket.number} lost its contact or organisation")
    if actor.is_contact:
        acting = session.get(Contact, int(actor.id or 0))
        if acting is None or acting.org_id != ticket.org_id or not acting.authorised:
            raise Forbidden(f"not a ticket of your organisation: {ticket.number}",
                            field="ticket_id")
    return Loaded(ticket, contact, org)


def load_to_work(session: Session, ticket_id: TicketRef, *, actor: Actor) -> Loaded:
    """:func:`load_ticket`, and an engineer acting must work on the line the locked ticket
    is on now (``domain.staffing``): checked here, in the use case's transaction, so a
    ticket escalated since the caller looked at it is refused."""
    return load_for(session, ticket_id, actor=actor, rule=staffing.check_actor)


def load_for(
    session: Session, ticket_id: TicketRef, *, actor: Actor, rule: LineRule, lock: bool = True
) -> Loaded:
    """:func:`load_ticket`, then an engineer's ``rule`` on the line the ticket is on now."""
    loaded = load_ticket(session, ticket_id, actor=actor, lock=lock)
    if actor.role is ActorRole.ENGINEER:
        engineer = session.get(Engineer, int(actor.id or 0))
        if engineer is None or not engineer.active:
            raise NotFound(f"no active engineer {actor.id}", field="actor")
        rule(line_of(engineer.role), loaded.ticket.line)
    return loaded


def get_engineer(session: Session, engineer_id: int) -> Engineer:
    engineer = session.get(Engineer, engineer_id)
    if engineer is None or not engineer.active:
        raise NotFound(f"no active engineer {engineer_id}", field="assignee")
    return engineer


def assignable_engineer(session: Session, engineer_id: int, *, ticket_line: Line) -> Engineer:
    """The active engineer, if they may be the assignee of a ticket on ``ticket_line``
    (else ``domain.errors.InvalidAssignee``)."""
    engineer = get_engineer(session, engineer_id)
    staffing.check_assignee(line_of(engineer.role), ticket_line)
    return engineer


def line_of(role: Role) -> Line | None:
    """The line an engineer's role works on; ``None`` for a manager."""
    return None if role is Role.MANAGER else Line(role.value)


def state_of(ticket: Ticket) -> TicketState:
    """What the workflow needs to know about the row."""
    return TicketState(
        status=ticket.status,
        assignee=str(ticket.assignee_id) if ticket.assignee_id is not None else None,
        work_started=ticket.work_started_at is not None,
        completed_at=ticket.completed_at,
    )


def assignee_id(assignee: str | None) -> int | None:
    return int(assignee) if assignee else None


def record(
    session: Session, ticket: Ticket, *, actor: Actor, now: datetime, field: str,
    old: object = None, new: object = None, reason: str | None = None,
) -> None:
    """Append one history row (never updated or deleted; a plain INSERT, no ORM object)."""
    session.execute(_INSERT_HISTORY, {
        "ticket_id": ticket.id, "at": now, "actor_kind": actor.role, "actor_id": actor.id,
        "field": field, "from_value": _text(old), "to_value": _text(new), "reason": reason,
    })


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value.value) if hasattr(value, "value") else str(value)

