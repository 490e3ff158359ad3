"""The widget on other people's pages: isolation from host CSS, idempotent loading, the
postMessage origin checks, keyboard-only use, and a 360 px wide phone screen."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine
from widget_page import (
    EVIL_ORIGIN,
    LAUNCHER,
    PORTAL_ORIGIN,
    TICKET_NUMBER,
    Server,
    Widget,
    expect,
    host_page,
    ticket,
)

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Page

pytestmark = pytest.mark.browser

HOSTILE_CSS = """
* { all: unset !important; color: red !important; font-size: 40px !important;
    font-family: serif !important; line-height: 3 !important; }
html, body { background: #ff0 !important; }
iframe { display: none !important; position: static !important; width: 1px !important;
         height: 1px !important; opacity: 0 !important; border: 9px solid lime !important;
         transform: rotate(20deg) scale(0.3) !important; filter: invert(1) !important; }
button, input, div { border: 5px dashed blue !important; padding: 30px !important; }
"""

#: Computed styles that show whether anything from outside reached into the frame.
FRAME_STYLES = """() => {
  const pick = (selector, names) => {
    const style = getComputedStyle(document.querySelector(selector));
    return Object.fromEntries(names.map((name) => [name, style.getPropertyValue(name)]));
  };
  const text = ["color", "font-size", "font-family", "line-height", "background-color"];
  return {
    title: pick(".panel h1", text),
    greeting: pick(".log .entry", [...text, "border-top-width", "padding-top"]),
    composer: pick(".composer input", [...text, "border-top-width", "padding-top", "height"]),
    send: pick(".composer button", [...text, "border-top-width"]),
  };
}"""

SETTLED = """() => document.fonts.ready.then(() => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(resolve))))"""

#: Records, in a window, the markers posted to it after the forged messages.
RECORD_MARKERS = """() => {
  window.markers = [];
  addEventListener("message", (event) => {
    if (event.data && event.data.marker) window.markers.push(event.data.marker);
  });
}"""

IFRAME_STYLES = """() => {
  const style = getComputedStyle(document.querySelector("iframe[data-selfservice]"));
  return ["display", "position", "width", "height", "opacity", "border-top-width",
          "transform", "filter", "right", "bottom", "z-index", "visibility"]
    .map((name) => [name, style.getPropertyValue(name)]);
}"""


def _open_on_host(page: "Page", widget: Widget, url: str) -> dict[str, Any]:
    page.goto(url)
    widget.wait_ready()
    page.evaluate("() => window.SelfService.open()")
    widget.wait_greeting()
    # Measure only what has been painted: the fonts loaded and two frames rendered since.
    for target in (page, widget.frame()):
        target.evaluate(SETTLED)
    box = widget.iframe_box()
    inner: FloatRect = {"x": box["x"] + 28, "y": box["y"] + 28,
                        "width": box["width"] - 56, "height": box["height"] - 56}
    return {
        "box": box,
        "iframe": page.evaluate(IFRAME_STYLES),
        "frame": widget.frame().evaluate(FRAME_STYLES),
        "pixels": page.screenshot(clip=inner, animations="disabled", caret="hide"),
    }


def test_host_css_cannot_restyle_the_widget(
    page: "Page", widget: Widget, server: Server, host_pages: dict[str, str],
    shot: Callable[[str], None],
) -> None:
    host_pages[f"{PORTAL_ORIGIN}/plain"] = host_page(server)
    host_pages[f"{PORTAL_ORIGIN}/hostile"] = host_page(server, css=HOSTILE_CSS)
    plain = _open_on_host(page, widget, f"{PORTAL_ORIGIN}/plain")
    shot("plain")
    hostile = _open_on_host(page, widget, f"{PORTAL_ORIGIN}/hostile")
    shot("hostile")

    assert hostile["box"] == plain["box"]
    assert plain["box"]["width"] == 424  # the open panel, not the hostile 1 px
    assert hostile["iframe"] == plain["iframe"]
    assert dict(hostile["iframe"])["display"] == "block"
    assert hostile["frame"] == plain["frame"]
    assert hostile["frame"]["title"]["color"] == "rgb(255, 255, 255)"
    assert hostile["pixels"] == plain["pixels"], "the chat looks different on the hostile page"


def test_loader_included_twice_runs_once(
    page: "Page", widget: Widget, server: Server, host_pages: dict[str, str]
) -> None:
    tag = f'<script src="{server.base}/widget.js{{query}}" data-org="demo" async></script>'
    scripts = tag.format(query="") + tag.format(query="?again=1")
    host_pages[f"{PORTAL_ORIGIN}/twice"] = host_page(server, scripts=scripts)
    page.goto(f"{PORTAL_ORIGIN}/twice")
    widget.wait_ready()
    # A third copy added later, as a single-page app might do on navigation.
    page.evaluate("""(src) => new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = src + "?third=1";
        script.onload = resolve;
        document.body.append(script);
    })""", f"{server.base}/widget.js")
    loaded = page.evaluate("""() => performance.getEntriesByType("resource")
        .filter((entry) => entry.name.includes("/widget.js")).length""")
    assert loaded == 3  # all three copies were fetched and ran...
    expect(page.locator(LAUNCHER)).to_have_count(1)  # ...and there is one launcher
    expect(page.locator("iframe")).to_have_count(0)  # (the frame comes with the first opening)
    widget.open()
    expect(page.locator("iframe")).to_have_count(1)  # then one frame
    expect(page.locator(LAUNCHER)).to_have_count(0)
    expect(widget.ui.locator(".log .entry.bot")).to_have_count(1)  # and one conversation


def test_messages_from_other_origins_are_ignored(
    page: "Page", widget: Widget, server: Server, host_pages: dict[str, str]
) -> None:
    """Neither the loader (host side) nor the frame obey a message of a foreign origin."""
    host_pages[f"{EVIL_ORIGIN}/attacker"] = """<!doctype html><script>
      window.attack = () => {
        const toFrame = [
          {source: "selfservice-host", type: "layout", open: true, compact: true},
          {source: "selfservice-host", type: "identify", token: "forged"},
          {source: "selfservice-host", type: "init", open: true, lang: "ru", token: "forged"},
        ];
        for (let i = 0; i < parent.frames.length; i += 1) {
          for (const message of toFrame) parent.frames[i].postMessage(message, "*");
        }
        parent.postMessage({source: "selfservice-frame", type: "request-open"}, "*");
        // Messages from one window to another arrive in order: these come after the above.
        for (let i = 0; i < parent.frames.length; i += 1) {
          parent.frames[i].postMessage({marker: "attack"}, "*");
        }
        parent.postMessage({marker: "attack"}, "*");
      };
    </script>"""
    evil_frame = f'<iframe id="ad" src="{EVIL_ORIGIN}/attacker" title="ad"></iframe>'
    host_pages[f"{PORTAL_ORIGIN}/with-ad"] = host_page(server, body=evil_frame)
    page.goto(f"{PORTAL_ORIGIN}/with-ad")
    widget.wait_ready()
    # Opened once and closed, so the frame is there to be attacked.
    widget.open()
    page.evaluate("() => window.SelfService.close()")
    widget.ui.locator(".launcher").wait_for(state="visible")
    closed = widget.iframe_box()
    page.evaluate(RECORD_MARKERS)
    widget.frame().evaluate(RECORD_MARKERS)
    attacker = page.frame(url=f"{EVIL_ORIGIN}/attacker")
    assert attacker is not None
    attacker.evaluate("() => window.attack()")
    # The host page itself is not the backend either: the loader ignores it too.
    page.evaluate("""() => {
        window.postMessage({source: "selfservice-frame", type: "request-open"}, "*");
        window.postMessage({marker: "host"}, "*");
    }""")
    # Not a pause: wait until every forged message has been delivered, then look.
    page.wait_for_function("() => ['attack', 'host'].every((m) => window.markers.includes(m))")
    widget.frame().wait_for_function("() => window.markers.includes('attack')")

    assert widget.iframe_box() == closed
    expect(widget.ui.locator(".panel")).to_be_hidden()
    assert widget.app("[app.isOpen, app.api.token, app.lang]") == [False, None, "en"]

    page.evaluate("() => window.SelfService.open()")  # the real page API still works
    widget.wait_greeting()
    assert widget.iframe_box()["width"] == 424


def _tab_to(page: "Page", widget: Widget, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` in the frame has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = widget.frame().evaluate(
            "(selector) => document.hasFocus() && document.activeElement.matches(selector)",
            selector,
        )
        if focused:
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_ticket_filed_with_the_keyboard_alone(
    page: "Page", widget: Widget, db: Engine, shot: Callable[[str], None]
) -> None:
    widget.goto_demo()
    keys = page.keyboard
    for _ in range(80):  # the loader's launcher, in the page until the first opening
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches('{LAUNCHER}')"):
            break
    outline = page.evaluate("""() => getComputedStyle(
        document.activeElement.shadowRoot.activeElement).outlineStyle""")
    assert outline == "solid", "the focused launcher shows no focus ring"
    keys.press("Enter")
    widget.wait_greeting()
    assert widget.frame().evaluate("() => document.activeElement.matches('.composer input')")
    expect(widget.ui.get_by_role("dialog", name="Support")).to_be_visible()
    expect(widget.ui.get_by_role("log")).to_have_attribute("aria-live", "polite")

    keys.type("my virtual machine is not responding")
    keys.press("Enter")
    widget.ui.locator(".cards").first.wait_for()
    _tab_to(page, widget, "[data-action='need_help']")
    keys.press("Enter")
    widget.ui.locator("[data-form='vm-not-responding']").first.wait_for()
    _tab_to(page, widget, "[data-form='vm-not-responding']")
    keys.press("Space")
    widget.ui.locator(".form-view form").wait_for()

    _tab_to(page, widget, "[data-field='vm_name'] input")
    keys.type("web-01")
    _tab_to(page, widget, "[data-field='os'] select")
    keys.type("Linux")  # a select's type-ahead
    _tab_to(page, widget, "[data-field='symptoms'] input[value='no_ping']")
    keys.press("Space")
    _tab_to(page, widget, "[data-field='started_on'] input")
    keys.type("11202026")  # the date field's own segments: mm dd yyyy (en-US)
    _tab_to(page, widget, "[data-field='restarted'] input")
    keys.press("Space")
    _tab_to(page, widget, "[data-field='restart_result'] textarea")
    keys.type("No change after the restart.")
    shot("form")
    _tab_to(page, widget, "button[type='submit']")
    keys.press("Enter")

    shown_number = widget.ui.locator(".entry.success .ticket-number strong")
    expect(shown_number).to_have_text(TICKET_NUMBER)
    number = shown_number.inner_text()  # read once it is there, to look the ticket up
    filed = ticket(db, number)
    assert filed.fields["os"] == "linux"
    assert filed.fields["symptoms"] == ["no_ping"]
    assert filed.fields["started_on"] == "2026-11-20"
    assert filed.fields["restart_result"] == "No change after the restart."

    keys.press("Escape")  # closes the chat; the focus returns to the launcher
    widget.ui.locator(".launcher").wait_for(state="visible")
    assert widget.frame().evaluate("() => document.activeElement.matches('.launcher')")


def test_readable_on_a_360px_phone(
    page: "Page", widget: Widget, shot: Callable[[str], None]
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    widget.goto_demo()
    widget.open()
    assert widget.iframe_box() == {"x": 0, "y": 0, "width": 360, "height": 740}
    widget.say("my virtual machine is not responding")
    widget.ui.locator(".cards").first.wait_for()
    fits = """() => [...document.querySelectorAll(".panel, .log, .entry, .card, .composer")]
        .every((element) => element.scrollWidth <= element.clientWidth + 1)"""
    assert widget.frame().evaluate(fits), "something is wider than the phone's screen"
    font = widget.frame().evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.entry p')).fontSize)")
    assert font >= 14
    shot("chat")
    widget.ui.locator("[data-action='need_help']").last.click()
    widget.ui.locator("[data-form='vm-not-responding']").last.click()
    widget.ui.locator(".form-view form").wait_for()
    assert widget.frame().evaluate(fits.replace(".panel, .log, .entry, .card, .composer",
                                                ".form-view, .field, input, select"))
