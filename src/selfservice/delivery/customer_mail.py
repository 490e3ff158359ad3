"""The contact's e-mails about a ticket: plain text and HTML from Jinja2 templates.

The sentences are ``mail.customer.*`` of the text catalogue
(``selfservice/text/languages/<lang>.yml``); the layout lives in
``mail_templates/ticket.txt`` and ``ticket.html`` (HTML autoescaped: a comment cannot
inject markup). Every mail names the ticket number in the subject and the body, the
current status, the SLA due time (or that the clock is paused) and, when known, a link
to the ticket in the client portal.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from selfservice.delivery.notify_templates import CLOSURE_LABELS, STATUS_LABELS
from selfservice.domain.enums import ClosureCode, Language, Status
from selfservice.domain.workflow import is_waiting_for_customer
from selfservice.text.catalogue import catalogue

_ENV: Final = Environment(
    loader=PackageLoader("selfservice.delivery", "mail_templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class MailContent:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class TicketFacts:
    """What every mail says about the ticket, as it is when the mail is written."""

    number: str
    title: str
    name: str
    language: Language
    status: Status
    due: datetime | None = None
    time_zone: str = "UTC"
    link: str | None = None


@dataclass(frozen=True)
class Note:
    """Something support wrote the contact: ``question`` (Information needed),
    ``resolution`` (Completed) or ``comment``."""

    kind: str
    text: str


@dataclass(frozen=True)
class Changes:
    """What happened since the last mail: ``from_status`` is the status before the first
    change (``None``: the status did not change), ``notes`` in the order written."""

    from_status: Status | None = None
    notes: tuple[Note, ...] = field(default_factory=tuple)
    closure_code: ClosureCode | None = None


#: The sentences of the contact's mails per language (``mail.customer.*`` of the catalogue).
_WORDS: Final[dict[Language, dict[str, str]]] = {
    lang: {key.removeprefix("mail.customer."): catalogue().template(key, lang)
           for key in catalogue().keys("mail.customer.")}
    for lang in Language
}

#: Statuses after which no SLA due time is shown: the work is done.
_DONE: Final = frozenset({Status.COMPLETED, Status.CLOSED, Status.REJECTED_BY_USER})


def portal_link(template: str | None, number: str) -> str | None:
    """The ticket's address in the portal: ``{number}`` in ``template`` becomes the number
    (any other text is kept as it is); ``None`` without a template."""
    if not template:
        return None
    return template.replace("{number}", number)


def registered(
    facts: TicketFacts, *, urgency_unconfirmed: bool = False, support_phone: str | None = None
) -> MailContent:
    words = _WORDS[facts.language]
    values = _values(facts)
    paragraphs = [words["registered_lead"].format(**values)]
    if urgency_unconfirmed:
        phone = f" {support_phone}" if support_phone else ""
        paragraphs.append(words["confirm_urgency"].format(phone=phone))
    return _render(facts, words["registered_subject"].format(**values), paragraphs, [], None)


def update(facts: TicketFacts, changes: Changes) -> MailContent:
    """One mail for everything in ``changes``; it names the status the ticket has now."""
    words = _WORDS[facts.language]
    values = _values(facts)
    labels = STATUS_LABELS[facts.language]
    if changes.from_status is not None:
        subject = words["status_subject"].format(**values)
        lead = words["status_lead"].format(old=labels[changes.from_status], **values)
    else:
        subject = words["comment_subject"].format(**values)
        lead = words["comment_lead"].format(**values)
    sections = [(words[note.kind], note.text) for note in changes.notes]
    action = None
    if facts.status is Status.INFORMATION_NEEDED:
        action = words["ask_answer"]
    elif facts.status is Status.COMPLETED:
        if changes.closure_code is not None:
            closure = CLOSURE_LABELS[facts.language][changes.closure_code]
            sections.append((words["resolution"], words["closure"].format(closure=closure)))
        action = words["ask_confirm"]
    elif facts.status is Status.CLOSED:
        action = words["closed"]
    return _render(facts, subject, [lead], _merge(sections), action)


def _merge(sections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive sections under one heading become one (the resolution and its result)."""
    merged: list[tuple[str, str]] = []
    for heading, text in sections:
        if merged and merged[-1][0] == heading:
            merged[-1] = (heading, f"{merged[-1][1]}\n\n{text}")
        else:
            merged.append((heading, text))
    return merged


def _values(facts: TicketFacts) -> dict[str, str]:
    return {"number": facts.number, "title": facts.title, "name": facts.name,
            "status": STATUS_LABELS[facts.language][facts.status]}


def _due(facts: TicketFacts) -> str | None:
    words = _WORDS[facts.language]
    if facts.status in _DONE:
        return None
    if is_waiting_for_customer(facts.status):
        return words["paused"]
    if facts.due is None:
        return None
    local = facts.due.astimezone(ZoneInfo(facts.time_zone))
    return f"{local:%Y-%m-%d %H:%M} ({facts.time_zone})"


def _render(
    facts: TicketFacts, subject: str, paragraphs: list[str], sections: list[tuple[str, str]],
    action: str | None,
) -> MailContent:
    words = _WORDS[facts.language]
    rows = [(words["ticket"], facts.number),
            (words["status"], STATUS_LABELS[facts.language][facts.status])]
    due = _due(facts)
    if due is not None:
        rows.append((words["due"], due))
    context = {
        "lang": facts.language.value, "subject": subject,
        "greeting": words["hello"].format(name=facts.name), "paragraphs": paragraphs,
        "sections": sections, "action": action, "rows": rows, "link": facts.link,
        "open": words["open"], "signature": words["signature"],
        # A reply to a closed ticket is refused: the mail does not invite one.
        "reply": None if facts.status is Status.CLOSED else words["reply"],
    }
    return MailContent(
        subject=subject,
        text=_ENV.get_template("ticket.txt").render(context),
        html=_ENV.get_template("ticket.html").render(context),
    )
