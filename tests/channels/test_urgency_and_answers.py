"""The urgency cues of free text, and the intake's automatic answers in both languages."""

from datetime import UTC, datetime

import pytest

from selfservice.channels import mail_answers
from selfservice.channels.urgency import urgency_from_text
from selfservice.domain.enums import Language, Urgency


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("The VPN does not connect", Urgency.MEDIUM),
        ("URGENT: VPN does not connect", Urgency.HIGH),
        ("This is critical for our release", Urgency.HIGH),
        ("Please fix ASAP", Urgency.HIGH),
        ("Production is down since 9:00", Urgency.VERY_HIGH),
        ("Total outage of the portal", Urgency.VERY_HIGH),
        ("Срочно! Не работает почта", Urgency.HIGH),
        ("Критично: бэкап не прошёл", Urgency.HIGH),
        ("Всё лежит, ничего не открывается", Urgency.VERY_HIGH),
        ("всё лежит", Urgency.VERY_HIGH),
        ("Ничего не работает с утра", Urgency.VERY_HIGH),
        ("Not urgent: please add a DNS record", Urgency.LOW),
        ("Не срочно, добавьте запись DNS", Urgency.LOW),
        ("несрочно", Urgency.LOW),
    ],
)
def test_urgency_from_text(text: str, urgency: Urgency) -> None:
    found = urgency_from_text(text)
    assert found.urgency is urgency
    assert (found.cue is None) == (urgency is Urgency.MEDIUM)


def test_every_answer_exists_in_both_languages() -> None:
    for language in Language:
        for render in (mail_answers.closed_ticket, mail_answers.foreign_ticket):
            answer = render(language=language, name="Anna", number="INC-000001",
                            subject="Re: VPN")
            assert "INC-000001" in answer.subject and "Re: VPN" in answer.body
            assert answer.language is language
        rejected = mail_answers.attachments_rejected(
            language=language, name="Anna", number="INC-000001", subject="logs",
            reasons=["too big"])
        assert "- too big" in rejected.body
    assert set(mail_answers.TEMPLATES) == {
        "unknown_sender", "closed_ticket", "foreign_ticket", "attachments_rejected"}


def test_the_unknown_sender_answer_speaks_both_languages() -> None:
    answer = mail_answers.unknown_sender(address="x@example.org",
                                         received=datetime(2025, 3, 3, 10, 0, tzinfo=UTC))
    assert "Your e-mail was not registered" in answer.subject
    assert "Ваше письмо не зарегистрировано" in answer.subject
    assert "x@example.org" in answer.body and "2025-03-03 10:00 UTC" in answer.body
    assert "once a day" in answer.body and "раза в сутки" in answer.body
