"""What the customer sees in "My tickets" and in the header, in English and Russian."""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select
from widget_page import Server, Widget, ticket

from selfservice.config.support_config import load_support_config
from selfservice.db.models import Engineer
from selfservice.domain.enums import ClosureCode
from selfservice.services import tickets
from selfservice.services.common import Actor

pytestmark = pytest.mark.browser

VM_FIELDS: dict[str, Any] = {
    "vm_name": "web-01", "os": "linux", "symptoms": ["no_ping"],
    "started_on": date.today().isoformat(),
}


def _file(server: Server, body: dict[str, Any]) -> str:
    return str(server.api("POST", "tickets", body, server.demo_token())["number"])


def _close(server: Server, db: Engine, number: str) -> None:
    filed = ticket(db, number)
    assert filed.id is not None
    config = load_support_config(None)
    with Session(db) as session:
        engineer = session.exec(select(Engineer).where(Engineer.email == "l1@demo.example")).one()
    assert engineer.id is not None
    actor, now = Actor.engineer(engineer.id), filed.created_at
    tickets.start_work(db, ticket_id=filed.id, actor=actor, now=now, config=config)
    tickets.complete(db, ticket_id=filed.id, actor=actor, now=now, config=config,
                     closure_code=ClosureCode.RESOLVED, comment="Restarted the VM.")
    server.api("POST", f"tickets/{number}/confirm", {}, server.demo_token())


def test_my_ticket_shows_the_promise_the_values_and_the_timeline(
    widget: Widget, server: Server, shot: Callable[[str], None]
) -> None:
    number = _file(server, {"form": "vm-not-responding", "fields": VM_FIELDS,
                            "description": "web-01 is down since the night backup"})
    widget.goto_demo()
    widget.open()
    ui = widget.ui
    # The header: the demo contract's real hours and first-response target.
    expect(ui.locator("header .subtitle")).to_have_text(
        "24/7 · first response within 15 min for critical problems")
    ui.locator(".tab", has_text="My tickets").click()
    expect(ui.locator(f"[data-ticket='{number}']")).to_contain_text(
        "web-01 is down since the night backup")
    ui.locator(f"[data-ticket='{number}']").click()
    expect(ui.locator("[data-sla='sentence']")).to_have_text(
        re.compile(r"^We will respond by \d\d:\d\d (today|tomorrow|on \d+ \w+)\.$"))
    submitted = ui.locator(".submitted")
    expect(submitted).to_contain_text("Virtual machine is not responding")
    expect(submitted.locator("[data-field='os']")).to_have_text("Linux")
    expect(submitted.locator("[data-field='vm_name']")).to_have_text("web-01")
    expect(ui.locator(".timeline li")).to_have_text([re.compile(r"· Registered$")])
    shot("en")


def test_a_closed_ticket_asks_for_no_phone_call(
    widget: Widget, server: Server, db: Engine
) -> None:
    number = _file(server, {"form": "vm-not-responding", "fields": VM_FIELDS,
                            "urgency": "very_high"})
    assert ticket(db, number).urgency_confirmed is False
    _close(server, db, number)
    widget.goto_demo()
    widget.open()
    ui = widget.ui
    ui.locator(".tab", has_text="My tickets").click()
    ui.locator(f"[data-ticket='{number}']").click()
    expect(ui.locator(".facts [data-status]")).to_have_attribute("data-status", "closed")
    expect(ui.locator(".tickets-view")).not_to_contain_text("by phone")
    expect(ui.locator("[data-sla='sentence']")).to_have_count(0)


def test_russian_my_tickets_has_no_english_form_titles(
    widget: Widget, server: Server, shot: Callable[[str], None]
) -> None:
    number = _file(server, {"form": "vm-not-responding", "fields": VM_FIELDS})
    widget.goto_demo("?lang=ru")
    widget.open()
    ui = widget.ui
    expect(ui.locator("header .subtitle")).to_have_text(
        "24/7 · первый ответ в течение 15 мин для критичных проблем")
    ui.locator(".tab", has_text="Мои заявки").click()
    row = ui.locator(f"[data-ticket='{number}']")
    expect(row).to_contain_text("Виртуальная машина не отвечает")
    expect(ui.locator(".tickets-view")).not_to_contain_text("Virtual machine is not responding")
    row.click()
    expect(ui.locator("[data-sla='sentence']")).to_have_text(re.compile(r"^Ответим до \d\d:\d\d"))
    expect(ui.locator(".submitted")).to_contain_text("Форма: Виртуальная машина не отвечает")
    expect(ui.locator(".timeline li")).to_have_text([re.compile(r"· Зарегистрирована$")])
    expect(ui.locator(".tickets-view")).not_to_contain_text("Virtual machine is not responding")
    shot("ru")
