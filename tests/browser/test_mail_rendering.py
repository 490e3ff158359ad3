"""The contact's HTML mails as a mail client shows them: each kind in English and Russian
rendered by Chromium, checked and saved under ``tmp/artifacts/mail/`` to look at."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from selfservice.delivery import customer_mail as m
from selfservice.domain.enums import ClosureCode, Language, Status

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "tmp/artifacts/mail"
LINK = "https://portal.acme.example/tickets/INC-000123"
DUE = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
TITLE = {Language.EN: "VPN does not connect", Language.RU: "Не подключается VPN"}
TEXT = {
    Language.EN: ("Please restart the VPN client & sign in again.\nDoes error 809 remain?",
                  "Which Windows version do you use?",
                  "The certificate on gateway vpn2 had expired; we renewed it."),
    Language.RU: ("Перезапустите VPN-клиент и войдите снова.\nОшибка 809 осталась?",
                  "Какая у вас версия Windows?",
                  "На шлюзе vpn2 истёк сертификат; мы его обновили."),
}


def facts(lang: Language, status: Status) -> m.TicketFacts:
    return m.TicketFacts(number="INC-000123", title=TITLE[lang], name="Иван" if lang == "ru"
                         else "John", language=lang, status=status, due=DUE,
                         time_zone="Europe/Moscow", link=LINK)


KINDS: dict[str, Callable[[Language], m.MailContent]] = {
    "registered": lambda lang: m.registered(facts(lang, Status.REGISTERED),
                                            urgency_unconfirmed=True,
                                            support_phone="+7 495 000-00-00"),
    "comment": lambda lang: m.update(facts(lang, Status.IN_PROGRESS),
                                     m.Changes(None, (m.Note("comment", TEXT[lang][0]),))),
    "information_needed": lambda lang: m.update(
        facts(lang, Status.INFORMATION_NEEDED),
        m.Changes(Status.REGISTERED, (m.Note("question", TEXT[lang][1]),))),
    "completed": lambda lang: m.update(
        facts(lang, Status.COMPLETED),
        m.Changes(Status.IN_PROGRESS, (m.Note("resolution", TEXT[lang][2]),),
                  ClosureCode.RESOLVED)),
    "closed": lambda lang: m.update(facts(lang, Status.CLOSED), m.Changes(Status.COMPLETED)),
}


@pytest.mark.parametrize("lang", list(Language))
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_mail_renders_in_a_browser(browser: "Browser", kind: str, lang: Language) -> None:
    from playwright.sync_api import expect

    mail = KINDS[kind](lang)
    assert "<script" not in mail.html and "src=" not in mail.html  # nothing to load
    page = browser.new_page(viewport={"width": 720, "height": 600})
    try:
        page.set_content(mail.html)
        expect(page.locator("body")).to_contain_text("INC-000123")
        expect(page.locator("body")).to_contain_text(TITLE[lang])
        button = page.get_by_role("link", name=m._WORDS[lang]["open"])
        expect(button).to_have_attribute("href", LINK)
        expect(button).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{kind}-{lang.value}.png"), full_page=True)
    finally:
        page.close()
