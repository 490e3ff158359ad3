"""E-mail texts in English and Russian: status and closure labels, and the support
manager's SLA alert. The ticket number is always in the subject.

The texts are ``mail.status.*``, ``mail.closure.*``, ``mail.sla.*`` and ``mail.sla_alert.*``
of the text catalogue (``selfservice/text/languages/<lang>.yml``). The contact's mails are
``selfservice.delivery.customer_mail`` (HTML and plain text from Jinja2 templates).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from selfservice.domain.enums import ClosureCode, Language, Status
from selfservice.text.catalogue import text


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


STATUS_LABELS: Final[dict[Language, dict[Status, str]]] = {
    lang: {status: text(f"mail.status.{status.value}", lang) for status in Status}
    for lang in Language
}

CLOSURE_LABELS: Final[dict[Language, dict[ClosureCode, str]]] = {
    lang: {code: text(f"mail.closure.{code.value}", lang) for code in ClosureCode}
    for lang in Language
}


def _lang(language: Language | str) -> Language:
    return Language(str(language))


def sla_alert(
    *, language: Language | str, number: str, breached: bool, clock: str, due: datetime,
    priority: str, line: str, group: str | None, assignee: str | None, status: Status,
) -> Rendered:
    """To the support manager: ``clock`` is ``response`` or ``resolution``."""
    lang = _lang(language)
    what = "breach" if breached else "near_breach"
    values = {
        "number": number, "what": text(f"mail.sla.{what}", lang),
        "what_long": text(f"mail.sla.{what}_long", lang),
        "clock": text(f"mail.sla.{clock}", lang), "due": due.strftime("%Y-%m-%d %H:%M UTC"),
        "priority": priority, "line": line, "group": group or "-",
        "assignee": assignee or text("mail.sla.nobody", lang),
        "status": STATUS_LABELS[lang][status],
    }
    return Rendered(text("mail.sla_alert.subject", lang, **values),
                    text("mail.sla_alert.body", lang, **values))
