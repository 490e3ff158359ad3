"""Driving the widget from a test: the server handle, host pages, and a page object."""

import json
import re
import urllib.request
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from selfservice.db.models import Conversation, OutboxMessage, Ticket

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Frame, FrameLocator, Locator, Page
    from playwright.sync_api._generated import LocatorAssertions

#: Host pages on other origins are served by Playwright's routing (see conftest).
PORTAL_ORIGIN = "https://portal.test"
EVIL_ORIGIN = "https://evil.test"
FRAME = "iframe[data-selfservice]"
TICKET_NUMBER = re.compile(r"^[A-Z]+-\d{6}$")


def expect(locator: "Locator") -> "LocatorAssertions":
    """Playwright's retrying ``expect``: it waits for the DOM to agree (5 s) instead of
    reading it once. Imported late so that without Playwright the tests skip (conftest)
    rather than fail to load."""
    from playwright.sync_api import expect as retrying

    return retrying(locator)
LAUNCHER = "div[data-selfservice=launcher]"


#: The webhook secret of the test server's Telegram bot.
TELEGRAM_SECRET = "browser-webhook-secret"


@dataclass(frozen=True)
class Server:
    base: str
    database_url: str
    engine: Engine
    site_dir: Path

    def demo_token(self) -> str:
        """The demo contact's portal token, as the /demo page hands it to the widget."""
        with urllib.request.urlopen(f"{self.base}/demo", timeout=5) as answer:
            page = answer.read().decode()
        found = re.search(r'name="selfservice-demo-token" content="([^"]+)"', page)
        assert found, "the demo page carries no token"
        return found.group(1)

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.base}/api/v1/{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {token}"} if token else {})},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())


def host_page(
    server: Server, *, css: str = "", scripts: str | None = None, body: str = "", lang: str = "en"
) -> str:
    """A portal page that embeds the widget with the documented one-line snippet."""
    tag = (f'<script src="{server.base}/widget.js" data-org="demo" data-lang="{lang}" async>'
           "</script>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Portal</title>"
        f"<style>{css}</style></head><body><h1>ACME portal</h1>"
        "<p>Welcome back. <a href='#orders'>Orders</a> <button>Profile</button></p>"
        f"{body}{tag if scripts is None else scripts}</body></html>"
    )


class Widget:
    """The widget embedded in ``page``: the iframe, and locators inside it."""

    def __init__(self, page: "Page", server: Server) -> None:
        self.page = page
        self.server = server

    @property
    def iframe(self) -> "Locator":
        return self.page.locator(FRAME)

    @property
    def ui(self) -> "FrameLocator":
        return self.page.frame_locator(FRAME)

    def frame(self) -> "Frame":
        handle = self.iframe.element_handle()
        frame = handle.content_frame() if handle is not None else None
        assert frame is not None, "the widget's frame is not there"
        return frame

    def goto_demo(self, query: str = "") -> None:
        self.page.goto(f"{self.server.base}/demo{query}")
        self.wait_ready()

    @property
    def launcher(self) -> "Locator":
        """The loader's own launcher, in the page until the chat is first opened."""
        return self.page.locator(LAUNCHER).locator("button")

    def wait_ready(self) -> None:
        """The loader ran and shows its launcher (the frame loads on the first opening)."""
        self.page.wait_for_function("() => window.SelfService && window.SelfService.loaded")
        self.page.locator(f"{LAUNCHER}, {FRAME}").first.wait_for(state="attached")

    def wait_frame_ready(self) -> None:
        """The frame said "ready" and got the loader's "init"."""
        self.ui.locator(".shell[data-open]").wait_for(state="attached")

    def open(self) -> None:
        if self.page.locator(FRAME).count() == 0:
            self.launcher.click()
        else:
            self.ui.locator(".launcher").click()
        self.wait_greeting()

    def wait_greeting(self) -> None:
        self.ui.locator(".panel").wait_for(state="visible")
        self.ui.locator(".log .entry.bot").first.wait_for()

    def app(self, expression: str) -> Any:
        """Evaluate ``expression`` with ``app`` bound to the frame's application object."""
        return self.frame().evaluate(f"() => {{ const app = window.selfserviceApp; "
                                     f"return {expression}; }}")

    def conversation_id(self, *, other_than: str | None = None) -> str:
        """The frame's conversation id, waited for (like ``expect``): one that is set and,
        with ``other_than``, a different one."""
        handle = self.frame().wait_for_function(
            """(other) => { const app = window.selfserviceApp;
                const id = app && app.chat && app.chat.id;
                return id && id !== other ? id : null; }""",
            arg=other_than,
        )
        value = handle.json_value()
        assert isinstance(value, str) and value
        return value

    def expect_conversation(self, expected: str) -> None:
        """Wait until the frame continues conversation ``expected`` (fails after 30 s)."""
        self.frame().wait_for_function(
            "(id) => window.selfserviceApp && window.selfserviceApp.chat.id === id",
            arg=expected,
        )

    def say(self, text: str) -> None:
        composer = self.ui.locator(".composer input")
        composer.fill(text)
        composer.press("Enter")

    def last_bot(self) -> "Locator":
        return self.ui.locator(".log .entry.bot:not(.pending)").last

    def bot_message(self) -> "Locator":
        """The last bot message's text (without the "Support:" said to screen readers)."""
        return self.last_bot().locator("p").first

    def iframe_box(self) -> "FloatRect":
        box = self.iframe.bounding_box()
        assert box is not None
        return box


def html_text(value: str) -> str:
    return escape(value, quote=True)


# --- the database, as the server left it ------------------------------------------------------


def conversation(engine: Engine, conversation_id: str) -> Conversation:
    with Session(engine) as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None, f"no conversation {conversation_id}"
        return row


def ticket(engine: Engine, number: str) -> Ticket:
    with Session(engine) as session:
        row = session.exec(select(Ticket).where(Ticket.number == number)).first()
        assert row is not None, f"no ticket {number}"
        return row


def outbox(engine: Engine, ticket_id: int) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
        return list(session.exec(query.order_by(col(OutboxMessage.id))))
