"""What the API takes in: every JSON body and query string, as pydantic models.

A model is both the check (``web/validation.py`` reads each request through it) and the
document (``web/openapi.py`` writes its JSON Schema), so a limit is written once.
Optional fields are nullable (``X | None``: ``null`` counts as absent) unless they say
``NotNull`` (left out, fine; ``null``, 400 ``not_null``). Alert webhooks are not here:
their bodies are read by ``channels.alerts`` (see ``answers.AlertmanagerBody``).
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from selfservice.conversation.engine import Action
from selfservice.domain.enums import (
    ClosureCode,
    Impact,
    Language,
    Line,
    Status,
    TicketType,
    Urgency,
)
from selfservice.web.schemas.fields import (
    BLANK,
    NOT_BLANK,
    QUERY_INT,
    STRIP,
    Absent,
    AnyComment,
    AnyDescription,
    AnyId,
    AnyRef,
    Flag,
    NotNull,
    RowId,
    SearchText,
    SomeComment,
    SomeDescription,
    SomeId,
    Subject,
)

#: Text the customer types into the chat, and a comment on an article.
MAX_CHAT = 2_000
#: Days a metrics period may span.
MAX_METRICS_DAYS = 366


class Model(BaseModel):
    """Unknown properties are ignored (clients may send more than we read)."""

    model_config = ConfigDict(extra="ignore")


# --- query strings ------------------------------------------------------------------------


class LangQuery(Model):
    lang: Language | Absent = Field(
        None, description="language of the answer and of error messages "
        "(default: Accept-Language, else en)")


class SearchQuery(LangQuery):
    q: SearchText
    limit: Annotated[int, Field(ge=1, le=20), QUERY_INT] = 10


class SuggestQuery(LangQuery):
    q: SearchText
    limit: Annotated[int, Field(ge=1, le=20), QUERY_INT] = 8


class FormsQuery(LangQuery):
    service: Annotated[str, Field(min_length=1, max_length=64,
                                  description="Only the forms of this service."),
                       NOT_BLANK] | Absent = None


class TicketsQuery(LangQuery):
    status: Status | Absent = None
    limit: Annotated[int, Field(ge=1, le=100), QUERY_INT] = 50


class QueueQuery(Model):
    line: Line | Absent = None
    group: SomeId | Absent = None
    limit: Annotated[int, Field(ge=1, le=500), QUERY_INT] = 200


class StaffSearchQuery(LangQuery):
    q: SearchText
    limit: Annotated[int, Field(ge=1, le=50), QUERY_INT] = 10


class PhrasingsQuery(LangQuery):
    status: Literal["proposed", "accepted", "rejected"] = Field(
        "proposed", description="which proposals to list")
    article_lang: Language | Absent = Field(
        None, description="only proposals for articles in this language")


def _day(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if BLANK.fullmatch(value):
        raise PydanticCustomError("blank", "must not be blank")
    if len(value) > 10:
        raise PydanticCustomError("string_too_long", "too long")
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise PydanticCustomError("invalid_date", "not a date") from None


#: A day of the query string: YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_day), Field(json_schema_extra={"maxLength": 10})]


class MetricsQuery(Model):
    """Conversations started from ``from`` to ``to``, both days included (UTC)."""

    start: Day = Field(alias="from")
    end: Day = Field(alias="to")


# --- the customer's bodies ---------------------------------------------------------------


#: Ids of uploads (``POST /attachments``) to attach to a new ticket or a reply.
Attachments = Annotated[list[AnyId], Field(max_length=100, description=(
    "ids of the contact's uploads (POST /attachments), not yet attached elsewhere"))]


class FileTicket(Model):
    form: AnyId | None = Field(None, description="request form id")
    fields: NotNull[dict[str, Any]] = Field(None, description="the form's answers, by field id")
    urgency: Urgency | None = None
    subject: Subject | None = None
    description: NotNull[AnyDescription] = None
    conversation: AnyId | None = None
    attachments: NotNull[Attachments] = None


class NewComment(Model):
    text: Annotated[SomeComment, Field(min_length=1)]
    attachments: NotNull[Attachments] = None


class UploadQuery(LangQuery):
    name: Annotated[str, Field(min_length=1, max_length=255, description="the file's name")]


class NewUrgency(Model):
    urgency: Urgency
    reason: AnyComment | None = None


class Confirmation(Model):
    comment: AnyComment | None = None


class TelegramLinkRequest(Model):
    """Nothing to send: the code is for the signed-in contact (an empty body is fine)."""


class Rejection(Model):
    reason: Annotated[SomeComment, Field(min_length=1)]


class StartConversation(Model):
    lang: NotNull[Language] = Field(None, description="default: ?lang=, else Accept-Language")


class ChatInput(Model):
    """Exactly one of ``text`` or ``action`` (a button of the previous messages)."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"anyOf": [{"required": ["text"]},
                                                     {"required": ["action"]}]})

    text: NotNull[Annotated[str, Field(min_length=1, max_length=MAX_CHAT), NOT_BLANK]] = None
    action: NotNull[Action] = None
    article: AnyRef | None = None
    form: AnyRef | None = None


class ArticleFeedback(Model):
    helped: Flag
    comment: Annotated[str, Field(max_length=MAX_CHAT), STRIP] | None = None
    conversation: AnyId | None = None


# --- the engineers' bodies ---------------------------------------------------------------


class PhoneCall(Model):
    org: SomeId
    email: Annotated[str, Field(max_length=254), NOT_BLANK]
    service: SomeId
    type: TicketType | None = TicketType.INCIDENT
    urgency: Urgency | None = None
    impact: Impact | None = None
    subject: Subject | None = None
    description: Annotated[SomeDescription, Field(min_length=1)]


class Assignment(Model):
    engineer_id: RowId | None = Field(None, description="absent or null: the caller")
    comment: AnyComment | None = None


#: The statuses an engineer may move a ticket to with ``transition``.
Target = Literal["in_progress", "information_needed", "external_processing", "assigned",
                 "completed", "closed"]


class Transition(Model):
    to: Target
    comment: AnyComment | None = Field(
        None, description="required for information_needed and external_processing")
    closure_code: ClosureCode | None = Field(None, description="required for completed")
    public: NotNull[Flag] = Field(None, description="the contact sees the comment; "
                                  "absent: the default")

    @property
    def target(self) -> Status:
        return Status(self.to)


class StaffComment(Model):
    body: Annotated[SomeComment, Field(min_length=1)]
    public: NotNull[Flag] = False


class Reprioritisation(Model):
    urgency: Urgency | None = None
    impact: Impact | None = None
    reason: Annotated[SomeComment, Field(min_length=1)]


class Escalation(Model):
    line: Line
    group: SomeId
    reason: Annotated[SomeComment, Field(min_length=1)]
    engineer_id: RowId | None = None


class UrgencyConfirmation(Model):
    comment: AnyComment | None = None
