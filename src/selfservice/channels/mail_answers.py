"""The automatic answers of the e-mail intake, in English and Russian (``mail.answer.*`` of
the text catalogue, ``selfservice/text/languages/<lang>.yml``).

Only people get these (``mail_kind`` keeps robots out), and each is sent at most once a
day per address and topic (``mail_auto_replies``). An answer to a contact carries the
original subject so they can tell which message it is about. A sender we do not know gets
both languages in one message (we cannot know which one they read) and never the subject
or text of their message: a forged sender would otherwise make us carry a spammer's words
to an innocent address (backscatter).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from selfservice.domain.enums import Language
from selfservice.text.catalogue import catalogue, text

__all__ = ["Answer", "attachments_rejected", "closed_ticket", "foreign_ticket", "unknown_sender"]


@dataclass(frozen=True)
class Answer:
    subject: str
    body: str
    language: Language


#: Every template name (each exists in every language: ``mail.answer.<name>.subject|body``).
TEMPLATES: Final = frozenset(
    key.split(".")[2] for key in catalogue().keys("mail.answer.") if key.count(".") == 3
)


def _render(template: str, language: Language, **values: str) -> Answer:
    key = f"mail.answer.{template}"
    return Answer(text(f"{key}.subject", language, **values),
                  text(f"{key}.body", language, **values) + "\n"
                  + text("mail.answer.signature", language), language)


def _shown(subject: str) -> str:
    return (subject or "").strip()[:200] or "(no subject)"


def unknown_sender(*, address: str, received: datetime) -> Answer:
    """To an address that is no authorised contact: Russian first, then English. Only the
    address and the time: nothing the sender wrote."""
    when = received.strftime("%Y-%m-%d %H:%M UTC")
    ru = _render("unknown_sender", Language.RU, address=address, received=when)
    en = _render("unknown_sender", Language.EN, address=address, received=when)
    return Answer(f"{ru.subject} / {en.subject}", f"{ru.body}\n{en.body}", Language.RU)


def closed_ticket(*, language: Language, name: str, number: str, subject: str) -> Answer:
    return _render("closed_ticket", language, name=name, number=number, subject=_shown(subject))


def foreign_ticket(*, language: Language, name: str, number: str, subject: str) -> Answer:
    return _render("foreign_ticket", language, name=name, number=number, subject=_shown(subject))


def attachments_rejected(
    *, language: Language, name: str, number: str, subject: str, reasons: list[str]
) -> Answer:
    """``reasons``: the rejections in ``language`` (``Rejection.en`` / ``.ru``)."""
    items = "".join(f"- {reason}\n" for reason in reasons)
    return _render("attachments_rejected", language, name=name, number=number,
                   subject=_shown(subject), items=items)
