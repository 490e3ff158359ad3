"""A ticket whose answer is lost on the way back is not filed twice when the widget retries."""

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select
from widget_page import Widget

from selfservice.db.models import Ticket

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Request, Route

pytestmark = pytest.mark.browser

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _is_filing(url: str) -> bool:
    return urlsplit(url).path == "/api/v1/tickets"


def test_a_ticket_whose_answer_was_lost_is_filed_once(
    widget: Widget, context: "BrowserContext", db: Engine
) -> None:
    widget.goto_demo()
    widget.open()
    widget.say("My virtual machine is not responding, please help")
    widget.ui.locator(".cards [data-article]").first.wait_for()
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    form = widget.ui.locator(".form-view form")
    form.wait_for()
    form.locator("[data-field='vm_name'] input").fill("db-07")
    form.locator("[data-field='os'] select").select_option("linux")
    form.locator("[data-field='symptoms']").get_by_label("The VM does not answer ping").check()
    form.locator("[data-field='started_on'] input").fill("2026-11-20")

    sent: list[dict[str, str]] = []

    def record(request: "Request") -> None:
        if request.method == "POST" and _is_filing(request.url):
            sent.append(request.headers)

    context.on("request", record)
    lost: dict[str, str] = {}

    def lose_the_answer(route: "Route") -> None:
        # The server receives the request and files the ticket; the answer never arrives.
        answer = route.fetch()
        lost["status"] = str(answer.status)
        lost["number"] = answer.json()["number"]
        route.abort("connectionreset")

    context.route(_is_filing, lose_the_answer, times=1)
    form.locator("button[type=submit]").click()

    confirmation = widget.ui.locator(".entry.success .ticket-number strong")
    expect(confirmation).to_have_text(re.compile(r"[A-Z]+-\d{6}"))
    assert lost["status"] == "201"
    expect(confirmation).to_have_text(lost["number"])
    assert len(sent) == 2, "the widget retried once"
    keys = [headers.get("idempotency-key", "") for headers in sent]
    assert UUID.fullmatch(keys[0]) and keys[1] == keys[0]
    with Session(db) as session:
        tickets = list(session.exec(select(Ticket)))
    filed = [t.number for t in tickets if t.fields.get("vm_name") == "db-07"]
    assert filed == [lost["number"]]
