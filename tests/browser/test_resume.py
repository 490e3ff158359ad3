"""A conversation survives the customer's move to another page of the portal: the same
conversation, the open step, until "Start a new conversation" or 24 hours of silence."""

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from widget_page import Widget, conversation

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from sqlalchemy import Engine

pytestmark = pytest.mark.browser

DAY_AND_AN_HOUR_MS = 25 * 60 * 60 * 1000


def next_page(widget: Widget, lang: str) -> None:
    """The customer follows a link to another page of the portal and opens the chat."""
    widget.goto_demo(f"?lang={lang}&page=orders")
    widget.open()


@pytest.mark.parametrize(("lang", "width", "query", "title"), [
    ("en", 1280, "rdp cannot connect", "rdp-cannot-connect-en"),
    ("ru", 360, "не подключается rdp", "rdp-cannot-connect-ru"),
])  # fmt: skip
def test_the_conversation_and_its_open_step_follow_the_customer(
    page: "Page", widget: Widget, db: "Engine", shot: Callable[[str], None],
    lang: str, width: int, query: str, title: str,
) -> None:  # fmt: skip
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 800 if width > 360 else 740})
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    widget.ui.locator(".composer input").press_sequentially(query, delay=20)
    widget.ui.locator(f".suggestions [data-id='{title}']").click()
    widget.ui.locator("[data-action='next_step']:not([disabled])").click()
    expect(widget.ui.locator(".step[data-step='2']")).to_be_visible()
    first = widget.conversation_id()

    next_page(widget, lang)
    step = widget.ui.locator(".step[data-step='2']")
    expect(step).to_be_in_viewport()
    widget.expect_conversation(first)
    expect(widget.ui.locator(".entry.user")).to_have_count(2)  # the article, "Next step"
    expect(widget.ui.locator(".step")).to_have_count(2)
    expect(widget.ui.locator(".step[data-step='1'] [data-action]:not([disabled])")).to_have_count(0)
    shot("back")
    step.locator("[data-action='next_step']").click()  # the walk goes on where it was
    expect(widget.ui.locator(".step[data-step='3']")).to_be_visible()
    widget.ui.locator(".step[data-step='3'] [data-action='solved']").click()
    expect(widget.ui.locator(".entry.divider")).to_be_visible()
    assert conversation(db, first).outcome == "deflected"

    next_page(widget, lang)  # a closed conversation stays until a new one is asked for
    expect(widget.ui.locator(".entry.divider")).to_be_visible()
    widget.expect_conversation(first)
    restart = widget.ui.locator(".restart button")
    expect(restart).to_be_focused()
    shot("closed")
    restart.click()
    expect(widget.ui.locator(".entry.divider")).to_have_count(0)
    expect(widget.ui.locator(".composer input")).to_be_enabled()
    second = widget.conversation_id(other_than=first)

    next_page(widget, lang)
    widget.expect_conversation(second)


def test_after_24_hours_of_silence_a_new_conversation_begins(page: "Page", widget: Widget) -> None:
    from playwright.sync_api import expect

    widget.goto_demo()
    widget.open()
    widget.say("my virtual machine is not responding")
    expect(widget.ui.locator(".cards").first).to_be_visible()
    first = widget.conversation_id()
    next_page(widget, "en")
    widget.expect_conversation(first)

    widget.frame().evaluate(
        """(age) => {
          const key = Object.keys(localStorage).find((k) => k.startsWith("selfservice."));
          const saved = JSON.parse(localStorage.getItem(key));
          localStorage.setItem(key, JSON.stringify({ ...saved, at: Date.now() - age }));
        }""",
        DAY_AND_AN_HOUR_MS,
    )
    next_page(widget, "en")
    widget.conversation_id(other_than=first)
    expect(widget.ui.locator(".entry.user")).to_have_count(0)
