"""The contact's e-mails about a ticket: plain text and HTML from Jinja2 templates.

The sentences live here, in English and Russian; the layout lives in
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


_WORDS: Final[dict[Language, dict[str, str]]] = {
    Language.EN: {
        "hello": "Hello {name},",
        "registered_subject": "[{number}] Your ticket is registered: {title}",
        "registered_lead": "Your ticket {number} \u201c{title}\u201d is registered. We will "
        "write to you when its status changes or support has something to tell you.",
        "status_subject": "[{number}] {status}: {title}",
        "comment_subject": "[{number}] New comment: {title}",
        "status_lead": "The status of your ticket {number} \u201c{title}\u201d is now "
        "\u201c{status}\u201d (it was \u201c{old}\u201d).",
        "comment_lead": "Support wrote about your ticket {number} \u201c{title}\u201d.",
        "question": "We need information from you",
        "resolution": "Resolution",
        "comment": "Comment from support",
        "closure": "Result: {closure}.",
        "ask_answer": "Please answer on the portal or reply to this e-mail. Until then the "
        "SLA clock is paused.",
        "ask_confirm": "Please confirm or reject the result on the portal or by replying to "
        "this e-mail; without a reaction the ticket closes automatically in 3 days.",
        "closed": "The ticket is closed. Further work needs a new ticket.",
        "confirm_urgency": "You marked the urgency as high. Please confirm it by phone"
        "{phone}; until then the ticket is handled as \u201curgency unconfirmed\u201d.",
        "ticket": "Ticket", "status": "Status", "due": "Resolution due",
        "paused": "paused while we wait for your answer",
        "open": "Open the ticket in the portal",
        "reply": "Reply to this e-mail to add a comment to the ticket.",
        "signature": "Technical support",
    },
    Language.RU: {
        "hello": "Здравствуйте, {name}!",
        "registered_subject": "[{number}] Обращение зарегистрировано: {title}",
        "registered_lead": "Ваше обращение {number} «{title}» зарегистрировано. Мы напишем "
        "вам, когда изменится его статус или у поддержки будет что вам сообщить.",
        "status_subject": "[{number}] {status}: {title}",
        "comment_subject": "[{number}] Новый комментарий: {title}",
        "status_lead": "Статус вашего обращения {number} «{title}» теперь «{status}» "
        "(был «{old}»).",
        "comment_lead": "Поддержка написала по вашему обращению {number} «{title}».",
        "question": "Нам нужна информация от вас",
        "resolution": "Решение",
        "comment": "Комментарий поддержки",
        "closure": "Результат: {closure}.",
        "ask_answer": "Ответьте, пожалуйста, на портале или ответом на это письмо. До "
        "ответа срок SLA приостановлен.",
        "ask_confirm": "Подтвердите или отклоните результат на портале или ответом на это "
        "письмо; без ответа обращение будет закрыто автоматически через 3 дня.",
        "closed": "Обращение закрыто. Для новых работ потребуется новое обращение.",
        "confirm_urgency": "Вы указали высокую срочность. Подтвердите её по телефону"
        "{phone}; до подтверждения обращение считается «срочность не подтверждена».",
        "ticket": "Обращение", "status": "Статус", "due": "Срок решения",
        "paused": "приостановлен, пока мы ждём вашего ответа",
        "open": "Открыть обращение на портале",
        "reply": "Ответьте на это письмо, чтобы добавить комментарий к обращению.",
        "signature": "Техническая поддержка",
    },
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
