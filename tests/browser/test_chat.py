"""The customer's paths through the widget on the demo portal, checked in the database."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from widget_page import (
    TICKET_NUMBER,
    Server,
    Widget,
    conversation,
    expect,
    outbox,
    ticket,
)

from selfservice.config.support_config import load_support_config
from selfservice.db.models import ArticleFeedback, ConversationEvent, Engineer
from selfservice.domain.enums import ClosureCode, Status
from selfservice.services import tickets
from selfservice.services.common import Actor

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Route

pytestmark = pytest.mark.browser


def test_deflection_suggested_article_walked_to_solved(
    widget: Widget, db: Engine, shot: Callable[[str], None]
) -> None:
    widget.goto_demo()
    widget.open()
    composer = widget.ui.locator(".composer input")
    composer.press_sequentially("reset password", delay=25)
    suggestion = widget.ui.locator(".suggestions [data-id='reset-password-en']")
    suggestion.wait_for()
    shot("suggestions")
    suggestion.click()

    step = widget.ui.locator(".step").last
    step.wait_for()
    expect(step.locator(".step-count")).to_have_text("Step 1 of 5")
    for index in (2, 3):
        widget.ui.locator("[data-action='next_step']:not([disabled])").click()
        widget.ui.locator(f".step[data-step='{index}']").wait_for()
    shot("step-3")
    widget.ui.locator("[data-action='solved']:not([disabled])").click()
    widget.ui.locator(".entry.divider").wait_for()
    expect(widget.ui.locator(".composer input")).to_be_disabled()
    expect(widget.ui.locator(".restart button")).to_be_visible()

    conversation_id = widget.conversation_id()
    row = conversation(db, conversation_id)
    assert row.outcome == "deflected"
    assert row.contact_id is not None  # the demo contact was signed in
    with Session(db) as session:
        feedback = session.exec(
            select(ArticleFeedback).where(ArticleFeedback.conversation_id == conversation_id)
        ).all()
        kinds = [e.kind for e in session.exec(
            select(ConversationEvent).where(ConversationEvent.conversation_id == conversation_id)
        )]  # fmt: skip
    assert [(f.article_id, f.helped) for f in feedback] == [("reset-password-en", True)]
    assert "deflected" in kinds


def test_ticket_from_the_suggested_form(
    widget: Widget, context: "BrowserContext", db: Engine, shot: Callable[[str], None]
) -> None:
    widget.goto_demo()
    widget.open()
    widget.say("My virtual machine is not responding since this morning")
    widget.ui.locator(".cards [data-article]").first.wait_for()
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    form = widget.ui.locator(".form-view form")
    form.wait_for()

    def field(name: str) -> "Locator":
        return form.locator(f"[data-field='{name}']")

    conditional = field("restart_result")
    expect(conditional).to_be_hidden()
    form.locator("[data-field='vm_name'] input").fill("web_01!")
    form.locator("button[type=submit]").click()
    # The widget's own check, with the server's texts, next to the fields.
    expect(field("vm_name").locator(".field-error")).to_have_text(
        "Enter a host name such as vm-01 or vm-01.example.com."
    )
    expect(field("os").locator(".field-error")).to_have_text("This field is required.")
    expect(field("vm_name").locator("input")).to_have_attribute("aria-invalid", "true")
    expect(widget.ui.locator(".form-summary")).to_have_text(
        re.compile(r"^Please correct the highlighted fields \(4\)")
    )
    shot("client-errors")

    field("vm_name").locator("input").fill("web-01")
    field("os").locator("select").select_option("linux")
    field("symptoms").get_by_label("The VM does not answer ping").check()
    field("started_on").locator("input").fill("2026-11-20")
    field("restarted").get_by_label("We already restarted the VM").check()
    conditional.wait_for(state="visible")
    conditional.locator("textarea").fill("It hangs again after two minutes.")
    urgency = form.locator("select[name='urgency']")
    urgency.select_option("high")
    expect(form.locator(".urgency .notice")).to_contain_text("confirmed by phone")

    # The server has the last word: a value the widget would never send gets its 422,
    # and the server's message is shown next to the field.
    def tamper(route: "Route") -> None:
        body = json.loads(route.request.post_data or "{}")
        body["fields"]["started_on"] = "2026-02-30"
        route.continue_(post_data=json.dumps(body))

    context.route(lambda url: urlsplit(url).path == "/api/v1/tickets", tamper, times=1)
    form.locator("button[type=submit]").click()
    server_error = field("started_on").locator(".field-error")
    expect(server_error).to_have_text("Enter a date as YYYY-MM-DD.")
    shot("server-error")

    form.locator("button[type=submit]").click()
    shown_number = widget.ui.locator(".entry.success .ticket-number strong")
    expect(shown_number).to_have_text(TICKET_NUMBER)
    number = shown_number.inner_text()  # read once it is there, to look the ticket up
    # the demo organisation's support phone
    expect(widget.ui.locator(".entry.notice").last).to_contain_text("+1 555 0100")
    shot("filed")

    filed = ticket(db, number)
    assert filed.form_id == "vm-not-responding"
    assert filed.fields["vm_name"] == "web-01"
    assert filed.fields["restart_result"] == "It hangs again after two minutes."
    assert filed.urgency.value == "high" and not filed.urgency_confirmed
    assert filed.channel.value == "widget"
    assert "not responding since this morning" in filed.description
    assert conversation(db, widget.conversation_id()).outcome == "ticket_filed"
    assert filed.id is not None
    mail = outbox(db, filed.id)
    assert [m.to_addr for m in mail] == ["demo@example.com"]
    assert number in mail[0].subject + mail[0].body


def test_russian_interface(widget: Widget, shot: Callable[[str], None]) -> None:
    widget.goto_demo("?lang=ru")
    widget.open()
    ui = widget.ui
    expect(ui.locator("h1")).to_have_text("Поддержка")
    expect(ui.locator(".tab")).to_have_text(["Помощь", "Мои заявки"])
    expect(widget.bot_message()).to_have_text(re.compile(r"а я поищу решение\.$"))
    expect(ui.locator(".composer input")).to_have_attribute("placeholder", "Опишите проблему…")
    widget.say("не отвечает виртуальная машина")
    need_help = ui.locator("[data-action='need_help']").last
    expect(need_help).to_have_text("Мне всё ещё нужна помощь")
    need_help.click()
    ui.locator("[data-form='vm-not-responding']").last.click()
    form = ui.locator(".form-view form")
    expect(form.locator("[data-field='vm_name'] label")).to_contain_text("Имя виртуальной машины")
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-field='os'] .field-error")).to_have_text("Обязательное поле.")
    expect(form.locator("button[type=submit]")).to_have_text("Отправить заявку")
    shot("form")


def test_without_data_lang_the_browser_language_is_used(
    browser: "Browser", server: Server, artifacts: Path
) -> None:
    context = browser.new_context(locale="ru-RU")
    try:
        page = context.new_page()
        widget = Widget(page, server)
        widget.goto_demo()  # the demo page's tag has data-lang=""
        widget.open()
        expect(widget.ui.locator("h1")).to_have_text("Поддержка")
        expect(widget.bot_message()).to_have_text(re.compile(r"^Здравствуйте!"))
        page.screenshot(path=str(artifacts / "test_without_data_lang_the_browser_language.png"))
    finally:
        context.close()


def test_language_switch_through_the_page_api(widget: Widget) -> None:
    widget.goto_demo()
    widget.open()
    expect(widget.bot_message()).to_have_text(re.compile(r"^Hello!"))
    widget.page.evaluate("() => window.SelfService.setLanguage('ru')")
    expect(widget.ui.locator(".log .entry.bot", has_text="Здравствуйте!")).to_have_count(1)
    expect(widget.ui.locator("h1")).to_have_text("Поддержка")
    expect(widget.iframe).to_have_attribute("title", "Чат поддержки")


def test_anonymous_visitor_is_told_to_sign_in(widget: Widget) -> None:
    widget.goto_demo("?anonymous=1")
    widget.open()
    expect(widget.ui.locator(".tab", has_text="My tickets")).to_be_hidden()
    widget.say("my virtual machine is not responding")
    widget.ui.locator("[data-action='need_help']").last.click()
    expect(widget.ui.locator(".entry.notice")).to_contain_text("sign in to the client portal")


def _completed_ticket(server: Server, db: Engine, description: str) -> str:
    token = server.demo_token()
    number = str(server.api("POST", "tickets", {"description": description}, token)["number"])
    filed = ticket(db, number)
    assert filed.id is not None
    config = load_support_config(None)
    with Session(db) as session:
        engineer = session.exec(select(Engineer).where(Engineer.email == "l1@demo.example")).one()
    assert engineer.id is not None
    actor, now = Actor.engineer(engineer.id), filed.created_at
    tickets.start_work(db, ticket_id=filed.id, actor=actor, now=now, config=config)
    tickets.complete(db, ticket_id=filed.id, actor=actor, now=now, config=config,
                     closure_code=ClosureCode.RESOLVED, comment="Restarted the service.")
    return number


def test_my_tickets_reply_and_confirm(
    widget: Widget, server: Server, db: Engine, shot: Callable[[str], None]
) -> None:
    first = _completed_ticket(server, db, "Mail to partner.example bounces since Monday")
    second = _completed_ticket(server, db, "The VPN drops every ten minutes")
    widget.goto_demo()
    widget.open()
    ui = widget.ui
    ui.locator(".tab", has_text="My tickets").click()
    ui.locator(f"[data-ticket='{first}']").click()
    status = ui.locator(".facts [data-status]")
    expect(status).to_have_attribute("data-status", "completed")
    expect(ui.locator(".comments li", has_text="Restarted the service.")).to_have_count(1)

    ui.get_by_label("Your reply").fill("Thanks, it works for us now.")
    ui.get_by_role("button", name="Send reply").click()
    ui.locator(".comments li.mine", has_text="Thanks, it works").wait_for()
    shot("completed")
    ui.locator("[data-action='confirm']").click()
    ui.locator(".notice.success", has_text="The ticket is closed").wait_for()
    expect(status).to_have_attribute("data-status", "closed")
    assert ticket(db, first).status is Status.CLOSED

    ui.get_by_role("button", name="All tickets").click()
    ui.locator(f"[data-ticket='{second}']").click()
    ui.locator("[data-action='reject']").click()
    ui.get_by_label("What is still wrong?").fill("It still drops every ten minutes.")
    ui.get_by_role("button", name="Send back to support").click()
    ui.locator(".notice.success", has_text="went back to support").wait_for()
    assert ticket(db, second).status is Status.REJECTED_BY_USER

    ui.get_by_label("Change urgency").select_option("very_high")
    ui.get_by_role("button", name="Change urgency").click()
    notice = ui.locator(".notice.success", has_text="The urgency was changed.")
    expect(notice).to_contain_text("+1 555 0100")
    assert ticket(db, second).urgency.value == "very_high"
