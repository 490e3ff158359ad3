"""The automatic answers of the e-mail intake, in English and Russian.

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

__all__ = ["Answer", "attachments_rejected", "closed_ticket", "foreign_ticket", "unknown_sender"]


@dataclass(frozen=True)
class Answer:
    subject: str
    body: str
    language: Language


_SIGNATURE: Final = {
    Language.EN: "-- \nTechnical support (automatic message, please do not reply to it)\n",
    Language.RU: "-- \nТехническая поддержка (автоматическое сообщение, не отвечайте на него)\n",
}

_TEXTS: Final[dict[tuple[str, Language], tuple[str, str]]] = {
    ("unknown_sender", Language.RU): (
        "Ваше письмо не зарегистрировано",
        "Здравствуйте!\n\nМы получили письмо с адреса {address} ({received}), но не"
        " зарегистрировали его: этот адрес не числится среди контактных лиц наших"
        " клиентов, а обращения принимаются только от них.\n\nЧто можно сделать:\n"
        "- попросите ответственного за договор в вашей организации добавить вас в список"
        " контактных лиц и отправьте письмо ещё раз;\n"
        "- или создайте обращение на клиентском портале вашей организации;\n"
        "- если вы уже контактное лицо, напишите с того адреса, который указан у нас.\n\n"
        "Это сообщение отправляется не чаще раза в сутки.\n",
    ),
    ("unknown_sender", Language.EN): (
        "Your e-mail was not registered",
        "Hello,\n\nwe received an e-mail from {address} ({received}) but did not register"
        " it: this address is not one of our clients' contact persons, and only they can"
        " file tickets.\n\nWhat you can do:\n"
        "- ask the person responsible for the contract in your organisation to add you to"
        " the list of contact persons, then send your e-mail again;\n"
        "- or file a ticket on your organisation's client portal;\n"
        "- if you are a contact person already, write from the address registered with us.\n\n"
        "This message is sent at most once a day.\n",
    ),
    ("closed_ticket", Language.EN): (
        "[{number}] The ticket is closed: please file a new one",
        "Hello {name},\n\nyour e-mail \"{subject}\" refers to ticket {number}, which is"
        " closed, so it was not added to it. A closed ticket cannot be reopened: to"
        " continue, send a new e-mail without the ticket number in the subject, or file a"
        " new ticket on the portal, and mention {number} in it.\n",
    ),
    ("closed_ticket", Language.RU): (
        "[{number}] Обращение закрыто: создайте новое",
        "Здравствуйте, {name}!\n\nВаше письмо «{subject}» относится к обращению {number},"
        " которое уже закрыто, поэтому к нему не добавлено. Закрытое обращение нельзя"
        " открыть снова: отправьте новое письмо без номера обращения в теме или создайте"
        " обращение на портале и укажите в нём {number}.\n",
    ),
    ("foreign_ticket", Language.EN): (
        "[{number}] Your e-mail was not added to this ticket",
        "Hello {name},\n\nyour e-mail \"{subject}\" refers to ticket {number}, which belongs"
        " to another organisation, so it was not added to it. To file a ticket of your own,"
        " send a new e-mail without the ticket number in the subject.\n",
    ),
    ("foreign_ticket", Language.RU): (
        "[{number}] Письмо не добавлено к обращению",
        "Здравствуйте, {name}!\n\nВаше письмо «{subject}» относится к обращению {number}"
        " другой организации, поэтому к нему не добавлено. Чтобы создать своё обращение,"
        " отправьте новое письмо без номера обращения в теме.\n",
    ),
    ("attachments_rejected", Language.EN): (
        "[{number}] Some attachments were not added",
        "Hello {name},\n\nyour e-mail \"{subject}\" was added to ticket {number}, but not"
        " all of its attachments:\n{items}\nPlease send large files as a link.\n",
    ),
    ("attachments_rejected", Language.RU): (
        "[{number}] Часть вложений не добавлена",
        "Здравствуйте, {name}!\n\nВаше письмо «{subject}» добавлено к обращению {number},"
        " но не все вложения:\n{items}\nБольшие файлы пришлите, пожалуйста, ссылкой.\n",
    ),
}

#: Every template name (each exists in both languages).
TEMPLATES: Final = frozenset(name for name, _ in _TEXTS)


def _render(template: str, language: Language, **values: str) -> Answer:
    subject, body = _TEXTS[(template, language)]
    return Answer(subject.format(**values), body.format(**values) + "\n" + _SIGNATURE[language],
                  language)


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
