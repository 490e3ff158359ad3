"""The engineers' desk: finding a ticket by number, and registering a phoned-in ticket.

Role rules (who may read or act on which line) live in ``domain.staffing``; the use cases
of ``tickets``, ``classification``, ``escalation``, ``comments`` and ``queries`` apply
them on the locked ticket, inside their transaction.
"""

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import select

from selfservice.content.model import Content
from selfservice.db.models import Ticket
from selfservice.db.session import transaction
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, Impact, TicketType, Urgency
from selfservice.services import registration
from selfservice.services.common import Actor
from selfservice.services.errors import NotFound
from selfservice.services.portal import subject_of


def locate(engine: Engine, *, number: str) -> Ticket:
    """The ticket with this number (read only), or NotFound."""
    with transaction(engine, write=False) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise NotFound(f"no ticket {number}", code="ticket_not_found", field="number")
        return ticket


def register_phone_call(
    engine: Engine, *, config: SupportConfig, content: Content, engineer_id: int,
    contact_id: int, service_id: str, description: str, now: datetime,
    subject: str | None = None, ticket_type: TicketType = TicketType.INCIDENT,
    urgency: Urgency = Urgency.MEDIUM, impact: Impact = Impact.LOW,
) -> Ticket:
    """A contact phoned: the engineer registers the ticket (channel phone, so a high
    urgency is confirmed at once); the contact gets the usual registration e-mail."""
    service = content.services.get(service_id)
    if service is None:
        raise NotFound(f"no service {service_id!r}", field="service")
    return registration.register_free_text(
        engine, config=config, contact_id=contact_id, ticket_type=ticket_type,
        service=service, subject=subject or subject_of(description), description=description,
        channel=Channel.PHONE, now=now, urgency=urgency, impact=impact,
        registered_by=Actor.engineer(engineer_id),
    )
