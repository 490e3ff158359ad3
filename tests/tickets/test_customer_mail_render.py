"""The contact's mail texts: both languages complete, every status named, HTML escaped."""

from datetime import UTC, datetime

import pytest

from selfservice.delivery import customer_mail as m
from selfservice.delivery.notify_templates import STATUS_LABELS
from selfservice.domain.enums import ClosureCode, Language, Status

DUE = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def facts(lang: Language, status: Status, **extra: object) -> m.TicketFacts:
    return m.TicketFacts(number="INC-000042", title="VPN", name="N", language=lang,
                         status=status, due=DUE, time_zone="Europe/Moscow",
                         link="https://p.example/t/INC-000042", **extra)  # type: ignore[arg-type]


def test_both_languages_have_every_sentence() -> None:
    assert set(m._WORDS[Language.EN]) == set(m._WORDS[Language.RU])
    assert set(m._WORDS) == set(Language)


@pytest.mark.parametrize("lang", list(Language))
@pytest.mark.parametrize("status", list(Status))
def test_a_status_mail_names_the_ticket_the_status_and_the_due_time(
    lang: Language, status: Status
) -> None:
    mail = m.update(facts(lang, status), m.Changes(Status.REGISTERED, (
        m.Note("comment", "why?"),), ClosureCode.RESOLVED))
    label = STATUS_LABELS[lang][status]
    assert mail.subject == f"[INC-000042] {label}: VPN"
    for body in (mail.text, mail.html):
        assert "INC-000042" in body and label in body and "why?" in body
        assert "https://p.example/t/INC-000042" in body
    shown = "2025-03-03 18:00 (Europe/Moscow)" in mail.text  # the org's time zone
    assert shown is (status not in {Status.COMPLETED, Status.CLOSED, Status.REJECTED_BY_USER}
                     and status is not Status.INFORMATION_NEEDED)


def test_html_is_escaped_and_text_is_not() -> None:
    mail = m.update(facts(Language.EN, Status.IN_PROGRESS),
                    m.Changes(None, (m.Note("comment", '<img src=x onerror="alert(1)">'),)))
    assert '<img src=x onerror="alert(1)">' in mail.text
    assert "<img" not in mail.html and "&lt;img src=x" in mail.html


def test_registration_asks_to_confirm_high_urgency_by_phone() -> None:
    mail = m.registered(facts(Language.RU, Status.REGISTERED), urgency_unconfirmed=True,
                        support_phone="+7 495 000-00-00")
    assert mail.subject == "[INC-000042] Обращение зарегистрировано: VPN"
    assert "по телефону +7 495 000-00-00" in mail.text and "+7 495 000-00-00" in mail.html


def test_the_portal_link_takes_the_number() -> None:
    assert m.portal_link("https://p/{number}?x=1", "REQ-1") == "https://p/REQ-1?x=1"
    assert m.portal_link("https://p/", "REQ-1") == "https://p/"
    assert m.portal_link(None, "REQ-1") is None
