"""What a portal owner pays for the widget (bytes on the wire, time to a usable panel),
and the form the chat fills in from the customer's own words, in both languages.

The budget test prints its figures; the README's "Size budget" quotes them. Transfer
sizes are Chromium's own counts of the bytes received (headers plus the encoded,
i.e. gzipped, body), taken from the network log.
"""

import statistics
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from widget_page import Server, Widget, expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
LOADER_BUDGET = 5 * 1024
OPENED_BUDGET = 60 * 1024
CLICK_TO_USABLE_BUDGET_MS = 300
TIMED_RUNS = 5


def _wire_bytes(request: "Request") -> int:
    sizes = request.sizes()
    return int(sizes["responseHeadersSize"]) + int(sizes["responseBodySize"])


def _path(request: "Request", server: Server) -> str:
    return request.url.removeprefix(server.base).split("?", 1)[0]


def _widgets(requests: list["Request"], server: Server) -> list["Request"]:
    # The demo page and its own demo.css/demo.js play the portal: not the widget's bytes.
    return [r for r in requests
            if _path(r, server) != "/demo" and not _path(r, server).startswith("/widget/demo.")]


CLICK_TO_USABLE = """() => new Promise((resolve) => {
  const button = document.querySelector("div[data-selfservice=launcher]")
    .shadowRoot.querySelector("button");
  const started = performance.now();
  button.click();
  const check = () => {
    const frame = document.querySelector("iframe[data-selfservice]");
    const doc = frame && frame.contentDocument;
    const input = doc && doc.querySelector(".composer input");
    if (input && !input.disabled && doc.querySelector(".log .entry.bot")
        && frame.getBoundingClientRect().width > 88) {
      resolve(performance.now() - started);
    } else {
      requestAnimationFrame(check);
    }
  };
  check();
})"""


def test_size_and_speed_budget(browser: "Browser", server: Server) -> None:
    # Contexts of its own: the shared one routes the fake portal origins, and with any
    # route set Playwright holds every request for a round trip to this process, which
    # would be counted as the widget's time. Each run is a first visit (empty cache);
    # the median of several keeps one hiccup of a busy machine from deciding.
    timings: list[float] = []
    for run in range(TIMED_RUNS):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        try:
            timings.append(_measure_budget(context.new_page(), server, report=run == 0))
        finally:
            context.close()
    median = statistics.median(timings)
    print(f"click to usable panel: median {median:.0f} ms of "
          f"{', '.join(f'{t:.0f}' for t in timings)}")
    assert median <= CLICK_TO_USABLE_BUDGET_MS


def _measure_budget(page: "Page", server: Server, *, report: bool) -> float:
    """Checks and prints the sizes (when ``report``); returns the click-to-usable time."""
    widget = Widget(page, server)
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{server.base}/demo")
    widget.wait_ready()
    page.wait_for_load_state("networkidle")
    before_open = _widgets(finished, server)
    finished.clear()

    # Timed in the page (the demo page and the frame share the backend's origin), so
    # Playwright's own round trips do not count.
    click_to_usable_ms = page.evaluate(CLICK_TO_USABLE)
    page.wait_for_load_state("networkidle")

    loader = next(r for r in before_open if _path(r, server) == "/widget.js")
    loader_response = loader.response()
    assert loader_response is not None
    assert loader_response.header_value("content-encoding") == "gzip"
    after_open = _widgets(finished, server)
    widget_total = sum(_wire_bytes(r) for r in before_open + after_open)
    loaded_before = sorted({_path(r, server) for r in before_open})
    if not report:
        return float(click_to_usable_ms)
    print(f"\nloader /widget.js: {_wire_bytes(loader)} B on the wire (gzip)"
          f"\nbefore opening: {len(before_open)} requests, "
          f"{sum(_wire_bytes(r) for r in before_open)} B: {', '.join(loaded_before)}"
          f"\nopened widget in all: {widget_total} B in {len(before_open + after_open)} requests")
    assert _wire_bytes(loader) <= LOADER_BUDGET
    assert loaded_before == ["/widget.js"]
    assert widget_total <= OPENED_BUDGET
    return float(click_to_usable_ms)


def test_nothing_but_the_loader_before_the_launcher_is_opened(
    page: "Page", widget: Widget, server: Server
) -> None:
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(f"{server.base}/demo")
    widget.wait_ready()
    page.wait_for_load_state("networkidle")
    assert [_path(r, server) for r in _widgets(finished, server)] == ["/widget.js"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-launcher.png"),
                    clip={"x": 1280 - 160, "y": 800 - 120, "width": 160, "height": 120})


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
    expect(form.locator("[data-field='vm_name'] input")).to_have_value("app-02")
    expect(form.locator("[data-field='vm_ip'] input")).to_have_value("10.20.0.15")
    expect(form.locator("[data-field='os'] select")).to_have_value("")
    intro = widget.ui.locator(".log .entry.bot", has_text=said)
    expect(intro).to_have_count(1)
    shot("prefilled")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.iframe.screenshot(path=str(SCREENSHOTS / f"widget-prefilled-form-{lang}.png"))
    # Back in the chat, the bot's sentence names the fields it filled.
    widget.ui.locator(".form-view button.back").click()
    intro = widget.ui.locator(".log .entry.bot", has_text=said)
    intro.scroll_into_view_if_needed()
    expect(intro).to_be_visible()
    widget.iframe.screenshot(path=str(SCREENSHOTS / f"widget-prefill-said-{lang}.png"))


def test_nothing_found_means_nothing_said_about_prefill(widget: Widget) -> None:
    widget.goto_demo()
    widget.open()
    widget.say("My virtual machine is not responding since this morning")
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    widget.ui.locator(".form-view form").wait_for()
    # the form is open, so the bot's sentence about it is already in the log
    bot = widget.ui.locator(".log .entry.bot")
    expect(bot.filter(has_text="Please fill in the form.")).to_have_count(1)
    expect(bot.filter(has_text="filled in")).to_have_count(0)
