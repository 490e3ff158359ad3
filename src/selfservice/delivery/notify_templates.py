"""E-mail texts in English and Russian: status and closure labels, and the support
manager's SLA alert. The ticket number is always in the subject.

Plain ``str.format`` templates keyed by (template, language); every template exists in
both languages (``tests/tickets/test_templates.py`` checks it). The contact's mails are
``selfservice.delivery.customer_mail`` (HTML and plain text from Jinja2 templates).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from selfservice.domain.enums import ClosureCode, Language, Status


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


STATUS_LABELS: Final[dict[Language, dict[Status, str]]] = {
    Language.EN: {
        Status.REGISTERED: "Registered",
        Status.ASSIGNED: "Assigned",
        Status.IN_PROGRESS: "In progress",
        Status.COMPLETED: "Completed",
        Status.CLOSED: "Closed",
        Status.REJECTED_BY_USER: "Rejected by user",
        Status.INFORMATION_NEEDED: "Information needed",
        Status.EXTERNAL_PROCESSING: "External processing",
    },
    Language.RU: {
        Status.REGISTERED: "Зарегистрировано",
        Status.ASSIGNED: "Назначено",
        Status.IN_PROGRESS: "В работе",
        Status.COMPLETED: "Работы завершены",
        Status.CLOSED: "Закрыто",
        Status.REJECTED_BY_USER: "Отклонено пользователем",
        Status.INFORMATION_NEEDED: "Требуется информация",
        Status.EXTERNAL_PROCESSING: "Внешняя обработка",
    },
}

CLOSURE_LABELS: Final[dict[Language, dict[ClosureCode, str]]] = {
    Language.EN: {
        ClosureCode.RESOLVED: "resolved",
        ClosureCode.WORKAROUND: "resolved with a workaround",
        ClosureCode.FULFILLED: "request fulfilled",
        ClosureCode.DUPLICATE: "duplicate of another ticket",
        ClosureCode.CANCELLED_BY_CUSTOMER: "cancelled by the customer",
        ClosureCode.INVALID_REQUEST: "invalid request, no work done",
    },
    Language.RU: {
        ClosureCode.RESOLVED: "решено",
        ClosureCode.WORKAROUND: "решено обходным путём",
        ClosureCode.FULFILLED: "запрос выполнен",
        ClosureCode.DUPLICATE: "дубликат другого обращения",
        ClosureCode.CANCELLED_BY_CUSTOMER: "отменено клиентом",
        ClosureCode.INVALID_REQUEST: "некорректное обращение, работы не проводились",
    },
}

_TEMPLATES: Final[dict[tuple[str, Language], tuple[str, str]]] = {
    ("sla_alert", Language.EN): (
        "[{number}] SLA {what}: {clock} due {due}",
        "Ticket {number} ({priority}, {line}/{group}) {what_long}: the {clock} target"
        " is {due}.\nAssignee: {assignee}. Status: {status}.\n",
    ),
    ("sla_alert", Language.RU): (
        "[{number}] SLA {what}: срок {clock} {due}",
        "Обращение {number} ({priority}, {line}/{group}) {what_long}: срок {clock}"
        " — {due}.\nИсполнитель: {assignee}. Статус: {status}.\n",
    ),
}

_SLA_WORDS: Final[dict[Language, dict[str, str]]] = {
    Language.EN: {
        "near_breach": "near breach", "breach": "BREACHED",
        "near_breach_long": "is about to breach its SLA", "breach_long": "has breached its SLA",
        "response": "response", "resolution": "resolution", "nobody": "nobody",
    },
    Language.RU: {
        "near_breach": "под угрозой", "breach": "НАРУШЕН",
        "near_breach_long": "близко к нарушению SLA", "breach_long": "нарушило SLA",
        "response": "реакции", "resolution": "решения", "nobody": "не назначен",
    },
}


def _lang(language: Language | str) -> Language:
    return Language(str(language))


def sla_alert(
    *, language: Language | str, number: str, breached: bool, clock: str, due: datetime,
    priority: str, line: str, group: str | None, assignee: str | None, status: Status,
) -> Rendered:
    """To the support manager: ``clock`` is ``response`` or ``resolution``."""
    lang = _lang(language)
    words = _SLA_WORDS[lang]
    what = "breach" if breached else "near_breach"
    subject, body = _TEMPLATES[("sla_alert", lang)]
    values = {
        "number": number, "what": words[what], "what_long": words[f"{what}_long"],
        "clock": words[clock], "due": due.strftime("%Y-%m-%d %H:%M UTC"),
        "priority": priority, "line": line, "group": group or "-",
        "assignee": assignee or words["nobody"], "status": STATUS_LABELS[lang][status],
    }
    return Rendered(subject.format(**values), body.format(**values))
