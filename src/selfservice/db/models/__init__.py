"""All tables; importing this module fills ``SQLModel.metadata`` (alembic relies on it)."""

from selfservice.db.models.alerts import AlertDelivery, AlertLink, AlertSourceRow
from selfservice.db.models.attachments import TicketAttachment
from selfservice.db.models.classifier import ClassifierModel
from selfservice.db.models.conversations import (
    ArticleFeedback,
    Conversation,
    ConversationEvent,
    SearchLog,
)
from selfservice.db.models.idempotency import IdempotentAnswer
from selfservice.db.models.known_problems import (
    KnownProblem,
    KnownProblemContact,
    KnownProblemUpdate,
)
from selfservice.db.models.mail import InboundMessage, InboundStatus, MailAttachment, MailAutoReply
from selfservice.db.models.organisations import Contact, Organisation
from selfservice.db.models.outbox import JobLease, OutboxMessage, OutboxStatus
from selfservice.db.models.phrasings import PhrasingProposal
from selfservice.db.models.staff import Engineer, Role, StaffSession, SupportGroup
from selfservice.db.models.telegram import (
    TelegramChat,
    TelegramGroup,
    TelegramLink,
    TelegramLinkCode,
    TelegramOutbox,
    TelegramUpdate,
)
from selfservice.db.models.tickets import Comment, Counter, Ticket, TicketHistory

__all__ = [
    "AlertDelivery",
    "AlertLink",
    "AlertSourceRow",
    "ArticleFeedback",
    "ClassifierModel",
    "Comment",
    "Contact",
    "Conversation",
    "ConversationEvent",
    "Counter",
    "Engineer",
    "IdempotentAnswer",
    "InboundMessage",
    "InboundStatus",
    "JobLease",
    "KnownProblem",
    "KnownProblemContact",
    "KnownProblemUpdate",
    "MailAttachment",
    "MailAutoReply",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "PhrasingProposal",
    "Role",
    "SearchLog",
    "StaffSession",
    "SupportGroup",
    "TelegramChat",
    "TelegramGroup",
    "TelegramLink",
    "TelegramLinkCode",
    "TelegramOutbox",
    "TelegramUpdate",
    "Ticket",
    "TicketAttachment",
    "TicketHistory",
]
