"""A screenshot attached on the request form, listed and downloaded in "My tickets",
and a log attached to a reply, in English and Russian."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from widget_page import Widget, expect

from selfservice.db.models import Ticket, TicketAttachment

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
TEXTS = {
    "en": {"tab": "My tickets", "problem": "Our VM app-02 stopped responding",
           "bad": "cannot be attached", "help": "Up to 10 MB a file", "listed": "Attachments",
           "choose": "Choose files…"},
    "ru": {"tab": "Мои заявки", "problem": "Не отвечает виртуальная машина app-02",
           "bad": "прикрепить нельзя", "help": "До 10 МБ на файл", "listed": "Вложения",
           "choose": "Выбрать файлы…"},
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_screenshot_on_the_form_is_listed_in_my_tickets(
    widget: Widget, db: Engine, lang: str, shot: Callable[[str], None],
) -> None:
    text = TEXTS[lang]
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    widget.say(text["problem"])
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    form = widget.ui.locator(".form-view form")
    form.wait_for()
    form.locator("[data-field='vm_name'] input").fill("app-02")
    form.locator("[data-field='os'] select").select_option("linux")
    form.locator("[data-field='symptoms'] input[value='no_ping']").check()
    form.locator("[data-field='started_on'] input").fill("2026-11-20")

    picker = form.locator(".attachments")
    expect(picker.locator(".help")).to_contain_text(text["help"])
    files = picker.locator("input[type=file]")
    # Refused in the browser already: the server's own type rule.
    files.set_input_files([{"name": "page.html", "mimeType": "text/html",
                            "buffer": b"<html></html>"}])
    expect(picker.locator(".field-error")).to_contain_text(text["bad"])
    expect(picker.locator(".chosen-files li")).to_have_count(0)
    # From the keyboard: the "choose files" button opens the browser's file chooser.
    with widget.page.expect_file_chooser() as chooser:
        picker.locator("button.choose-files").press("Enter")
    chooser.value.set_files([{"name": "screen.png", "mimeType": "image/png", "buffer": PNG},
                             {"name": "extra.log", "mimeType": "", "buffer": b"noise\n"}])
    expect(picker.locator(".chosen-files li")).to_have_count(2)
    expect(picker.locator("[data-file='screen.png']")).to_contain_text(
        "2 KB" if lang == "en" else "2 КБ")
    # Removable from the keyboard: the remove button is a real button.
    picker.locator("[data-file='extra.log'] button.remove").press("Enter")
    expect(picker.locator(".chosen-files li")).to_have_count(1)
    expect(picker.locator("button.choose-files")).to_be_focused()
    expect(picker.locator("button.choose-files")).to_have_text(text["choose"])
    picker.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.iframe.screenshot(path=str(SCREENSHOTS / f"widget-attach-form-{lang}.png"))
    form.locator("button[type=submit]").click()

    confirmation = widget.ui.locator(".entry.success .ticket-number strong")
    expect(confirmation).to_have_text(re.compile(r"[A-Z]+-\d{6}"))
    number = confirmation.inner_text()
    with Session(db) as session:
        ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).one()
        stored = session.exec(select(TicketAttachment).where(
            TicketAttachment.ticket_id == ticket_id)).all()
    assert [(a.filename, a.data) for a in stored] == [("screen.png", PNG)]

    widget.ui.locator(".tab", has_text=text["tab"]).click()
    widget.ui.locator(f"[data-ticket='{number}']").click()
    listed = widget.ui.locator(".attachments-list")
    expect(listed.locator("h3")).to_have_text(text["listed"])
    expect(listed.locator("li")).to_have_count(1)
    with widget.page.expect_download() as download:
        listed.locator("[data-attachment='screen.png'] button").click()
    assert download.value.suggested_filename == "screen.png"
    assert Path(download.value.path()).read_bytes() == PNG

    # A reply with a log attached.
    reply = widget.ui.locator("form.reply")
    reply.locator("textarea").fill("The log from this morning")
    reply.locator("input[type=file]").set_input_files(
        [{"name": "boot.log", "mimeType": "text/plain", "buffer": b"kernel: panic\n"}])
    expect(reply.locator(".chosen-files li")).to_have_count(1)
    reply.locator("button[type=submit]").click()
    expect(widget.ui.locator("p.notice.success")).to_be_visible()  # the view is rebuilt
    expect(listed.locator("li")).to_have_count(2)  # with the reply's log
    expect(listed.locator("[data-attachment='boot.log']")).to_be_visible()
    listed.scroll_into_view_if_needed()
    shot("listed")
    widget.iframe.screenshot(path=str(SCREENSHOTS / f"widget-ticket-attachments-{lang}.png"))
