"""All tables; importing this module fills ``SQLModel.metadata`` (alembic relies on it)."""

from selfservice.db.models.organisations import Contact, Organisation
from selfservice.db.models.outbox import JobLease, OutboxMessage, OutboxStatus
from selfservice.db.models.staff import Engineer, Role, SupportGroup
from selfservice.db.models.tickets import Comment, Counter, Ticket, TicketHistory

__all__ = [
    "Comment",
    "Contact",
    "Counter",
    "Engineer",
    "JobLease",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "SupportGroup",
    "Ticket",
    "TicketHistory",
]
