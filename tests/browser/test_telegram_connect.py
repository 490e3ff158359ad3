""""Connect Telegram" under My tickets: the contact gets a code, and sending it to the bot
(here: Telegram's webhook call, as Telegram would make it) links their account."""

import json
import re
import time
import urllib.request
from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select
from widget_page import TELEGRAM_SECRET, Server, Widget

from selfservice.db.models import Contact, TelegramLink

pytestmark = pytest.mark.browser


def _post_update(server: Server, update: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        f"{server.base}/telegram/webhook", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def _linked(db: Engine, user_id: int) -> int | None:
    with Session(db) as session:
        link = session.get(TelegramLink, user_id)
        return link.contact_id if link is not None else None


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_connect_telegram_gives_a_code_that_links_the_account(
    widget: Widget, server: Server, db: Engine, shot: Callable[[str], None], lang: str
) -> None:
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    ui = widget.ui
    ui.locator(".tab", has_text="My tickets" if lang == "en" else "Мои заявки").click()
    ui.locator("[data-action='connect-telegram']").click()
    code = ui.locator(".telegram-code code")
    expect(code).to_have_text(re.compile(r"^/start [A-Z2-9]{8}$"))
    value = code.get_attribute("data-code")
    opened = ui.locator(".telegram-code a")
    expect(opened).to_have_attribute("href", f"https://t.me/selfservice_demo_bot?start={value}")
    expect(opened).to_have_text("Open the bot in Telegram" if lang == "en"
                                else "Открыть бота в Telegram")
    shot(lang)

    user_id = 880_000 + (1 if lang == "ru" else 0)
    stored = _post_update(server, {"update_id": user_id, "message": {
        "message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "D"},
        "text": f"/start {value}"}})
    assert stored == {"ok": True, "duplicate": False}
    deadline = time.monotonic() + 20
    while _linked(db, user_id) is None and time.monotonic() < deadline:
        time.sleep(0.1)  # the server's pump links the account within a pass
    with Session(db) as session:
        contact = session.exec(select(Contact).where(Contact.id == _linked(db, user_id))).one()
    assert contact.email == "demo@example.com"
