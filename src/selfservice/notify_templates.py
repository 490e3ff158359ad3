"""E-mail texts in English and Russian. The ticket number is always in the subject.

Plain ``str.format`` templates keyed by (template, language); every template exists in
both languages (``tests/tickets/test_templates.py`` checks it).
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
    ("registered", Language.EN): (
        "[{number}] Your ticket is registered: {title}",
        "Hello {name},\n\nyour ticket {number} \"{title}\" is registered.\n"
        "You will receive an e-mail every time its status changes.\n{extra}\n"
        "-- \nTechnical support\n",
    ),
    ("registered", Language.RU): (
        "[{number}] Обращение зарегистрировано: {title}",
        "Здравствуйте, {name}!\n\nВаше обращение {number} «{title}» зарегистрировано.\n"
        "Мы будем сообщать вам по почте о каждом изменении его статуса.\n{extra}\n"
        "-- \nТехническая поддержка\n",
    ),
    ("status_changed", Language.EN): (
        "[{number}] Status: {status}",
        "Hello {name},\n\nthe status of your ticket {number} \"{title}\" changed"
        " from \"{old_status}\" to \"{status}\".\n{extra}\n-- \nTechnical support\n",
    ),
    ("status_changed", Language.RU): (
        "[{number}] Статус: {status}",
        "Здравствуйте, {name}!\n\nСтатус вашего обращения {number} «{title}» изменился:"
        " «{old_status}» → «{status}».\n{extra}\n-- \nТехническая поддержка\n",
    ),
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

_EXTRA: Final[dict[tuple[str, Language], str]] = {
    ("confirm_urgency", Language.EN): "\nYou marked the urgency as high. Please confirm it by"
    " phone{phone}; until then the ticket is handled as \"urgency unconfirmed\".\n",
    ("confirm_urgency", Language.RU): "\nВы указали высокую срочность. Подтвердите её по"
    " телефону{phone}; до подтверждения обращение считается «срочность не подтверждена».\n",
    ("information_needed", Language.EN): "\nWe need information from you:\n{comment}\n"
    "Please answer on the portal or reply to this e-mail.\n",
    ("information_needed", Language.RU): "\nНам нужна информация от вас:\n{comment}\n"
    "Ответьте, пожалуйста, на портале или ответом на это письмо.\n",
    ("completed", Language.EN): "\nResult: {closure}.\nPlease confirm or reject the result;"
    " without a reaction the ticket closes automatically in 3 days.\n",
    ("completed", Language.RU): "\nРезультат: {closure}.\nПодтвердите или отклоните результат;"
    " без ответа обращение будет закрыто автоматически через 3 дня.\n",
    ("comment", Language.EN): "\nComment:\n{comment}\n",
    ("comment", Language.RU): "\nКомментарий:\n{comment}\n",
    ("closed", Language.EN): "\nThe ticket is closed. Further work needs a new ticket.\n",
    ("closed", Language.RU): "\nОбращение закрыто. Для новых работ потребуется новое обращение.\n",
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


def registered(
    *, language: Language | str, number: str, title: str, name: str,
    urgency_unconfirmed: bool = False, support_phone: str | None = None,
) -> Rendered:
    lang = _lang(language)
    extra = ""
    if urgency_unconfirmed:
        phone = f" {support_phone}" if support_phone else ""
        extra = _EXTRA[("confirm_urgency", lang)].format(phone=phone)
    subject, body = _TEMPLATES[("registered", lang)]
    values = {"number": number, "title": title, "name": name, "extra": extra}
    return Rendered(subject.format(**values), body.format(**values))


def status_changed(
    *, language: Language | str, number: str, title: str, name: str,
    old_status: Status, new_status: Status, comment: str | None = None,
    closure_code: ClosureCode | None = None,
) -> Rendered:
    """``comment``: a public comment that came with the change (the caller leaves out
    internal ones); the question of Information needed is framed as one."""
    lang = _lang(language)
    extra = ""
    if new_status is Status.INFORMATION_NEEDED and comment:
        extra = _EXTRA[("information_needed", lang)].format(comment=comment)
    elif comment:
        extra = _EXTRA[("comment", lang)].format(comment=comment)
    if new_status is Status.COMPLETED and closure_code is not None:
        extra += _EXTRA[("completed", lang)].format(closure=CLOSURE_LABELS[lang][closure_code])
    elif new_status is Status.CLOSED:
        extra += _EXTRA[("closed", lang)]
    labels = STATUS_LABELS[lang]
    subject, body = _TEMPLATES[("status_changed", lang)]
    values = {
        "number": number, "title": title, "name": name, "extra": extra,
        "old_status": labels[old_status], "status": labels[new_status],
    }
    return Rendered(subject.format(**values), body.format(**values))


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
