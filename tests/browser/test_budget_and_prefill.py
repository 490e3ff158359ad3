"""What a portal owner pays for the widget (bytes on the wire, time to a usable panel),
and the form the chat fills in from the customer's own words, in both languages.

The budget test prints its figures; the README's "Size budget" quotes them. Transfer
sizes are Chromium's own counts of the bytes received (headers plus the encoded,
i.e. gzipped, body), taken from the network log.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from widget_page import Server, Widget

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
LOADER_BUDGET = 5 * 1024
OPENED_BUDGET = 60 * 1024
CLICK_TO_USABLE_BUDGET_MS = 300


def _wire_bytes(request: "Request") -> int:
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def _path(request: "Request", server: Server) -> str:
    return request.url.removeprefix(server.base).split("?", 1)[0]


def _widgets(requests: list["Request"], server: Server) -> list["Request"]:
    # The demo page and its own demo.css/demo.js play the portal: not the widget's bytes.
    return [r for r in requests
            if _path(r, server) != "/demo" and not _path(r, server).startswith("/widget/demo.")]


def test_size_and_speed_budget(page: "Page", widget: Widget, server: Server) -> None:
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{server.base}/demo")
    widget.wait_ready()
    page.wait_for_load_state("networkidle")
    before_open = _widgets(finished, server)
    finished.clear()

    started = time.perf_counter()
    widget.ui.locator(".launcher").click()
    widget.ui.locator(".log .entry.bot").first.wait_for()
    widget.ui.locator(".composer input:enabled").wait_for()
    click_to_usable_ms = (time.perf_counter() - started) * 1000
    page.wait_for_load_state("networkidle")

    loader = next(r for r in before_open if _path(r, server) == "/widget.js")
    loader_response = loader.response()
    assert loader_response is not None
    assert loader_response.header_value("content-encoding") == "gzip"
    after_open = _widgets(finished, server)
    widget_total = sum(_wire_bytes(r) for r in before_open + after_open)
    loaded_before = sorted({_path(r, server) for r in before_open})
    print(f"\nloader /widget.js: {_wire_bytes(loader)} B on the wire (gzip)"
          f"\nbefore opening: {len(before_open)} requests, "
          f"{sum(_wire_bytes(r) for r in before_open)} B: {', '.join(loaded_before)}"
          f"\nopened widget in all: {widget_total} B in {len(before_open + after_open)} requests"
          f"\nclick to usable panel: {click_to_usable_ms:.0f} ms (Playwright round trips included)")
    assert _wire_bytes(loader) <= LOADER_BUDGET
    assert widget_total <= OPENED_BUDGET
    assert click_to_usable_ms <= CLICK_TO_USABLE_BUDGET_MS


@pytest.mark.xfail(strict=True, reason="the launcher is drawn inside the frame, so the "
                   "frame and its modules load with the page (README, Size budget)")
def test_nothing_but_the_loader_before_the_launcher_is_opened(
    page: "Page", widget: Widget, server: Server
) -> None:
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{server.base}/demo")
    widget.wait_ready()
    page.wait_for_load_state("networkidle")
    assert [_path(r, server) for r in _widgets(finished, server)] == ["/widget.js"]


CONVERSATIONS = {
    "en": ("Server app-02 stopped responding, we connect to it at 10.20.0.15",
           "From your messages I filled in: VM name; IP address you connect to."),
    "ru": ("Не отвечает виртуальная машина app-02, подключаемся по адресу 10.20.0.15",
           "Из ваших сообщений я подставил: "),
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_form_comes_filled_from_the_conversation(
    widget: Widget, lang: str, shot: Callable[[str], None]
) -> None:
    message, said = CONVERSATIONS[lang]
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    widget.say(message)
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    form = widget.ui.locator(".form-view form")
    form.wait_for()
    assert form.locator("[data-field='vm_name'] input").input_value() == "app-02"
    assert form.locator("[data-field='vm_ip'] input").input_value() == "10.20.0.15"
    assert form.locator("[data-field='os'] select").input_value() == ""
    intro = widget.ui.locator(".log .entry.bot", has_text=said)
    assert intro.count() == 1
    shot("prefilled")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.iframe.screenshot(path=str(SCREENSHOTS / f"widget-prefilled-form-{lang}.png"))


def test_nothing_found_means_nothing_said_about_prefill(widget: Widget) -> None:
    widget.goto_demo()
    widget.open()
    widget.say("My virtual machine is not responding since this morning")
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    widget.ui.locator(".form-view form").wait_for()
    assert widget.ui.locator(".log .entry.bot", has_text="Please fill in the form.").count() == 1
    assert widget.ui.locator(".log .entry.bot", has_text="filled in").count() == 0
