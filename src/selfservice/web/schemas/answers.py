"""What the API answers, as pydantic models: they write the answers' part of the OpenAPI
document (schemathesis checks every answer against it). The answers themselves are built
by the endpoints' ``*_json`` functions; a property listed here without a default is one
every answer has.
"""

from typing import Any, Literal

from pydantic import BaseModel, Field

from selfservice.domain.enums import Language, Priority, Urgency

NullableText = str | None
Kind = Literal["article", "form"]


class Answer(BaseModel):
    """Answers may carry more than documented; clients ignore what they do not know."""


class FieldError(Answer):
    field: str | None = None
    error: str = ""
    message: str = ""


class Error(Answer):
    """An error: {error, field, message}."""

    error: str = Field(description="stable machine-readable code")
    field: str | None = Field(description="the parameter at fault")
    message: str = Field(description="in the caller's language (en/ru)")
    errors: list[FieldError] = Field(
        [], description="per-field errors of a refused request form")


class Health(Answer):
    status: Literal["ok"]
    articles: int = 0
    forms: int = 0
    #: ``building`` while a new index answers by words and its vectors are computed.
    search_meaning: Literal["ready", "building", "off"] = "off"


class SearchResult(Answer):
    type: Kind
    id: str
    title: str
    snippet: str = Field(description="HTML: escaped text, matches in <mark>")
    score: float = Field(description="raw BM25F, comparable within one query")
    confidence: float = Field(0, ge=0, le=1)
    confident: bool = Field(description="good enough to show as the answer")
    lang: Language | None = None
    kind: str = Field("", description="article kind, or the form's ticket type")
    service: str = ""
    url: str = Field(description="KB site page, or the form in this API")


class SearchResults(Answer):
    """Hits, best first. `confident` marks hits good enough to offer as the answer;
    `snippet` is HTML (escaped text, matches in <mark>)."""

    results: list[SearchResult]
    meaning: bool = Field(
        description="the meaning model ranked these results as well as the words; false "
        "when it is off, still building its vectors, or skipped because the server was "
        "busy (every search thread taken past SELFSERVICE_SEARCH_MEANING_MAX_WAIT_MS, or "
        "the process already encoding its share of the cores' queries)"
    )


class Suggestion(Answer):
    type: Kind
    id: str
    title: str
    lang: Language
    url: str


class Suggestions(Answer):
    """First the confident hits the chat would offer for the same text (in the same
    order: by confidence), then titles that complete the last word, the caller's
    language first."""

    suggestions: list[Suggestion]


class StepRoute(Answer):
    """Where an answer on the step leads (the script's routes, defaults resolved)."""

    answer: Literal["yes", "no", "next"]
    to: Literal["step", "solved", "form", "end"] = Field(
        description="another step, solved, a request form with `prefill`, or the end of the "
        "script (the customer says whether it helped)"
    )
    step: str | None = None
    form: str | None = None
    prefill: dict[str, Any] | None = None


class Step(Answer):
    id: str
    text: str
    check: str | None
    branch: bool = Field(description="the check is answered Yes / No (it routes its answers)")
    routes: list[StepRoute]


class Article(Answer):
    id: str
    title: str
    lang: Language
    service: str
    kind: Literal["scripted-solution", "how-to", "known-error"]
    tags: list[str]
    symptoms: list[str] = []
    summary: NullableText = None
    updated: str | None = Field(None, json_schema_extra={"format": "date"})
    body: str = Field(description="Markdown")
    html: str = Field(description="the body rendered to HTML")
    steps: list[Step]
    translation: NullableText = Field(None, description="id of the twin in the other language")
    url: str


class Form(Answer):
    id: str
    type: Literal["incident", "request"]
    service: str
    service_name: NullableText = None
    title: str
    description: str
    customer_sets_urgency: bool = False
    default_urgency: str = ""
    keywords: list[str] = []
    url: str
    schema_: dict[str, Any] = Field(
        alias="schema", description="JSON Schema draft 2020-12 of the answers; UI hints under x-ui")


class Forms(Answer):
    forms: list[Form]


class Message(Answer):
    """One widget message: text, articles (cards), step, article, forms, form, actions
    (buttons), sign_in_required, confirmation or outcome."""

    type: str
    text: str = ""
    actions: list[str] = []
    html: str = Field("", description="step: `text` (Markdown) as HTML; raw HTML in the "
                      "Markdown is escaped and links are http(s) or mailto only")
    check_html: NullableText = Field(None, description="step: `check` as HTML, rendered "
                                     "like `html`")


class Conversation(Answer):
    id: str
    lang: Language
    signed_in: bool
    phase: Literal["searching", "walking", "choosing_form", "filling_form", "closed"]
    outcome: Literal["deflected", "ticket_filed", "abandoned"] | None
    messages: list[Message]


class FeedbackStored(Answer):
    article: str
    helped: bool
    stored: bool


class Ticket(Answer):
    number: str = Field(description="INC-000123 or REQ-000124")
    type: Literal["incident", "request"]
    service: str
    form: NullableText = None
    subject: str = ""
    description: str = ""
    fields: dict[str, Any] = {}
    status: str
    priority: Priority
    urgency: Urgency
    urgency_confirmed: bool
    impact: str = ""
    channel: str = ""
    closure_code: NullableText = None
    self_service_tried: list[dict[str, Any]] = []
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    updated_at: str = Field("", json_schema_extra={"format": "date-time"})
    completed_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    closed_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    url: str


class Tickets(Answer):
    tickets: list[Ticket]


class TicketComment(Answer):
    id: int
    at: str = Field(json_schema_extra={"format": "date-time"})
    author: Literal["contact", "support", "system"]
    mine: bool
    body: str


class Attachment(Answer):
    """A file of the ticket: uploaded by a contact (`upload`) or from an e-mail (`email`);
    `comment` is the reply it came with (null: with the ticket). `url` downloads it."""

    id: str
    name: str
    size: int
    content_type: str
    source: Literal["upload", "email"]
    comment: int | None = None
    at: str = Field(json_schema_extra={"format": "date-time"})
    url: str


class Uploaded(Answer):
    """The stored file; name its `id` in `attachments` of a new ticket or a reply."""

    id: str
    name: str
    size: int
    content_type: str


class AttachmentLimits(Answer):
    """The limits the server applies to attachments (the widget checks them first)."""

    max_file_bytes: int
    max_total_bytes: int
    max_count: int
    extensions: list[str] = []
    content_types: list[str] = []
    any_type: bool = False


class PhoneConfirmation(Answer):
    """High urgency from the portal or widget must be confirmed by phone."""

    required: bool
    phone: NullableText
    message: NullableText = Field(description="in the caller's language")


class FiledTicket(Ticket):
    phone_confirmation: PhoneConfirmation
    message: str = ""
    messages: list[Message] = []


class Sla(Answer):
    response_due: str | None = Field(None, json_schema_extra={"format": "date-time"})
    resolution_due: str | None = Field(None, json_schema_extra={"format": "date-time"})
    paused: bool = False
    responded: bool = False
    sentence: NullableText = None


class Submitted(Answer):
    id: str = ""
    label: str = ""
    value: str = ""


class StatusChange(Answer):
    at: str = Field("", json_schema_extra={"format": "date-time"})
    from_: NullableText = Field(None, alias="from")
    to: str = ""


class TicketDetails(Ticket):
    """`actions` lists what the contact may do now. `sla`: the response and resolution
    due times in the organisation's time zone (null once met or done), `paused` while
    support waits for the contact, and `sentence`, a plain promise in the request's
    language ("We will respond by 14:30 today"). `form_name` and `submitted` (each value
    with its label) are in the request's language; `history` lists the public status
    changes, oldest first."""

    comments: list[TicketComment]
    actions: list[Literal["comment", "urgency", "confirm", "reject"]]
    sla: Sla | None = None
    form_name: NullableText = None
    submitted: list[Submitted] = []
    history: list[StatusChange] = []
    attachments: list[Attachment] = []


class Promise(Answer):
    en: str = ""
    ru: str = ""


class Support(Answer):
    """The organisation's support hours and first-response target for critical problems,
    from its contract level's SLA, in en and ru (`text` joins them: "24/7 · first
    response within 15 min for critical problems")."""

    hours: Promise = Promise()
    first_response: Promise = Promise()
    text: Promise = Promise()


class Me(Answer):
    org: str
    email: str
    expires_at: str = Field(json_schema_extra={"format": "date-time"})
    support: Support | None = None
    attachments: AttachmentLimits | None = None
    telegram: bool = Field(False, description="a Telegram bot is configured: the contact "
                           "can link their account (POST /telegram/link-code)")


class AlertOutcome(Answer):
    alert: str = ""
    state: Literal["firing", "resolved", "update"] = "firing"
    outcome: Literal["opened", "repeated", "grouped", "resolved", "completed", "updated",
                     "duplicate", "ignored"] = "opened"
    ticket: NullableText = None
    reason: str = ""


class AlertsApplied(Answer):
    """Applied; one outcome per alert, in order."""

    tickets: list[str]
    ticket: NullableText = Field(description="the first of tickets")
    outcomes: list[AlertOutcome]


class TelegramReceived(Answer):
    """Stored; the bot answers the chat shortly."""

    ok: bool
    duplicate: bool = Field(description="this update_id was received before (a retry)")


class TelegramLinkCode(Answer):
    code: str = Field(description="8 characters; send it to the bot as /start CODE")
    command: str
    expires_at: str = Field(json_schema_extra={"format": "date-time"})
    link: NullableText = Field(description="https://t.me/<bot>?start=<code>, when the "
                               "bot's user name is configured")


class TelegramUpdateBody(Answer):
    """Telegram's Update object (https://core.telegram.org/bots/api#update)."""

    update_id: int = Field(ge=0)
    message: dict[str, Any] | None = None
    callback_query: dict[str, Any] | None = None


class AlertmanagerBody(Answer):
    """The standard webhook body (any version); ``channels.alerts`` reads it."""

    groupKey: Any = Field(None, description="a string; anything else is ignored "
                          "(groupLabels then group the alerts)")
    status: Any = Field(None, description="firing or resolved; each alert's own status "
                        "comes first")
    alerts: list[dict[str, Any]]


class ZabbixBody(Answer):
    """The parameters of integrations/zabbix/selfservice_media_type.js (all strings;
    numbers are taken as their text, as Zabbix versions differ)."""

    event_id: Any = Field(description="{EVENT.ID}; a number is taken as its text")
    event_value: Any = Field(json_schema_extra={"enum": ["0", "1", 0, 1]})
    event_update_status: Any = Field(None, description='"1" for an update; a number is '
                                     "taken as its text")
