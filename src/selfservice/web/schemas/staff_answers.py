"""What the engineers' API answers (``/api/v1/engineer/``), as pydantic models that write
the OpenAPI document; see ``answers.py``."""

from typing import Literal

from pydantic import Field

from selfservice.domain.enums import Line, Priority, Urgency
from selfservice.web.schemas.answers import Answer, Attachment, NullableText, Ticket

DateTime = Field(None, json_schema_extra={"format": "date-time"})


class QueueItem(Answer):
    number: str
    subject: str = ""
    type: Literal["incident", "request"]
    service: str = ""
    status: str
    priority: Priority
    urgency: Urgency
    urgency_confirmed: bool = False
    impact: str = ""
    line: Line
    group: NullableText = None
    assignee_id: int | None = None
    response_due: str | None = DateTime
    due: str | None = DateTime


class Queue(Answer):
    """The queue, the nearest SLA deadline first."""

    line: Line | None
    group: NullableText
    tickets: list[QueueItem]


class StaffTicket(Ticket):
    """The ticket as support sees it: the customer's view plus the queue's fields."""

    line: Line
    group: NullableText = None
    assignee_id: int | None = None
    response_due: str | None = DateTime
    due: str | None = DateTime
    org: str
    contact_id: int


class StaffComment(Answer):
    id: int
    at: str = Field(json_schema_extra={"format": "date-time"})
    author_kind: Literal["contact", "engineer", "system"]
    author_id: NullableText = None
    public: bool
    body: str


class Change(Answer):
    at: str = Field(json_schema_extra={"format": "date-time"})
    actor_kind: Literal["contact", "engineer", "system"]
    actor_id: NullableText = None
    field: str
    from_: NullableText = Field(None, alias="from")
    to: NullableText = None
    reason: NullableText = None


class StaffTicketDetails(StaffTicket):
    """The ticket with its full history and all comments (internal ones too)."""

    comments: list[StaffComment]
    history: list[Change]
    attachments: list[Attachment] = []
    known_problem: int | None = Field(None, description="a child of this known problem: "
                                      "not in the queue, its SLA follows the incident's")


class StaffHit(Answer):
    type: Literal["article", "form"]
    id: str
    title: str
    snippet: str = ""
    confidence: float = 0
    confident: bool = False
    lang: str = ""
    kind: str = ""
    service: str = ""
    path: str = ""
    internal: bool = Field(False, description="an internal runbook, never shown to customers")


class StaffHits(Answer):
    """Hits, best first."""

    results: list[StaffHit]


class ArticleUse(Answer):
    article: str
    shown: int
    helped: int
    not_helped: int


class Unanswered(Answer):
    query: str
    count: int


class Metrics(Answer):
    """Conversations of the period: outcomes, deflection rate (deflected / conversations
    with an outcome), per-article shown / helped / not helped, and the top queries that
    found nothing confident."""

    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    conversations: int
    deflected: int
    ticket_filed: int
    abandoned: int
    deflection_rate: float | None
    articles: list[ArticleUse]
    unanswered_queries: list[Unanswered]


class Phrasing(Answer):
    """A customer's words proposed as a symptom of the article that solved their chat."""

    id: int
    article: str
    lang: str
    text: str
    status: str
    seen: int = Field(description="conversations that brought these words")
    first_at: str = Field(json_schema_extra={"format": "date-time"})
    last_at: str = Field(json_schema_extra={"format": "date-time"})
    decided_at: str | None = Field(json_schema_extra={"format": "date-time"})
    decided_by: str | None


class Phrasings(Answer):
    phrasings: list[Phrasing]
