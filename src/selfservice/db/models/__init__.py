"""All tables; importing this module fills ``SQLModel.metadata`` (alembic relies on it)."""

from selfservice.db.models.conversations import (
    ArticleFeedback,
    Conversation,
    ConversationEvent,
    SearchLog,
)
from selfservice.db.models.organisations import Contact, Organisation
from selfservice.db.models.outbox import JobLease, OutboxMessage, OutboxStatus
from selfservice.db.models.staff import Engineer, Role, SupportGroup
from selfservice.db.models.tickets import Comment, Counter, Ticket, TicketHistory

__all__ = [
    "ArticleFeedback",
    "Comment",
    "Contact",
    "Conversation",
    "ConversationEvent",
    "Counter",
    "Engineer",
    "JobLease",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "Role",
    "SearchLog",
    "SupportGroup",
    "Ticket",
    "TicketHistory",
]
