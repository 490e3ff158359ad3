"""The closed vocabularies of the domain (see DOMAIN.md)."""

from enum import StrEnum


class Language(StrEnum):
    EN = "en"
    RU = "ru"


class TicketType(StrEnum):
    INCIDENT = "incident"
    REQUEST = "request"


class Urgency(StrEnum):
    """Set by the customer."""

    VERY_HIGH = "very_high"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class Impact(StrEnum):
    """Set by support from how many users or systems are affected."""

    SIGNIFICANT = "significant"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"


class Status(StrEnum):
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"
    REJECTED_BY_USER = "rejected_by_user"
    INFORMATION_NEEDED = "information_needed"
    EXTERNAL_PROCESSING = "external_processing"


class Channel(StrEnum):
    PORTAL = "portal"
    WIDGET = "widget"
    EMAIL = "email"
    PHONE = "phone"
    MONITORING = "monitoring"
    TELEGRAM = "telegram"


class Line(StrEnum):
    """Functional escalation goes L1 -> L2 -> L3 -> EXTERNAL."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"
    EXTERNAL = "external"


class Audience(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class ArticleKind(StrEnum):
    SCRIPTED_SOLUTION = "scripted-solution"
    HOW_TO = "how-to"
    KNOWN_ERROR = "known-error"
    FAQ = "faq"


class ActorRole(StrEnum):
    """Who performs a change: the customer's contact, support staff, or the system itself."""

    CONTACT = "contact"
    ENGINEER = "engineer"
    SYSTEM = "system"


class ClosureCode(StrEnum):
    """Why a ticket was completed; some codes mean no work was done."""

    RESOLVED = "resolved"
    WORKAROUND = "workaround"
    FULFILLED = "fulfilled"
    DUPLICATE = "duplicate"
    CANCELLED_BY_CUSTOMER = "cancelled_by_customer"
    INVALID_REQUEST = "invalid_request"

    @property
    def without_work(self) -> bool:
        """True when the ticket may be completed although work never started."""
        return self in _NO_WORK_CODES


_NO_WORK_CODES = frozenset(
    {ClosureCode.DUPLICATE, ClosureCode.CANCELLED_BY_CUSTOMER, ClosureCode.INVALID_REQUEST}
)
