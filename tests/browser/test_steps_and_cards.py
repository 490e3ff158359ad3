"""What the customer sees of articles in the chat: every scripted step of kb/ rendered from
its Markdown (code blocks with a copy button, nothing of the Markdown syntax left over),
the article cards, and the keyboard focus while walking the steps."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from widget_page import Widget

from selfservice.content import flow
from selfservice.content.loader import load_content
from selfservice.content.model import Article

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

pytestmark = pytest.mark.browser

KB = Path(__file__).resolve().parents[2] / "kb"
FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*([\w+-]*)", re.MULTILINE)
FENCED_BLOCK = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`]+`")  # a code span may run over a line break

#: What a step shows: its prose without code, its code blocks, the copy buttons, and
#: on how many lines the "Check:" label stands.
STEP_VIEW = """(step) => {
  const prose = (selector) => {
    const part = step.querySelector(selector);
    if (!part) { return null; }
    const copy = part.cloneNode(true);
    copy.querySelectorAll("code, .code-tools").forEach((code) => code.remove());
    return copy.textContent;
  };
  const label = step.querySelector(".step-check strong");
  let labelLines = null;
  if (label) {
    const range = document.createRange();
    range.selectNodeContents(label);
    labelLines = range.getClientRects().length;
  }
  return {
    prose: prose(".step-text"),
    check: prose(".step-check"),
    blocks: [...step.querySelectorAll(".step-text .code-block pre")].map((p) => p.innerText),
    copies: step.querySelectorAll(".step-text .code-block button.copy").length,
    inlineCode: step.querySelectorAll(".step-text code:not(pre code)").length,
    checkCode: step.querySelectorAll(".step-check code").length,
    labelLines,
    asked: Boolean(step.querySelector("p.question.step-check")), // a branching step's question
  };
}"""


def scripted(lang: str) -> list[Article]:
    content = load_content(KB)
    return sorted(
        (a for a in content.articles.values()
         if a.is_public and a.steps and a.lang.value == lang),
        key=lambda a: a.id,
    )  # fmt: skip


def open_article(widget: Widget, article: Article) -> None:
    """A new conversation with ``article`` open, as after pressing its card's button."""
    widget.app(
        f"app.chat.startNew().then(() => app.chat.act('open_article', "
        f"{{article: {json.dumps(article.id)}}}, {json.dumps(article.title)}))"
    )


def assert_rendered(view: dict[str, Any], text: str, check: str | None, where: str) -> None:
    languages = FENCE.findall(text)[0::2]
    assert len(view["blocks"]) == len(languages), f"{where}: a code block is missing"
    assert view["copies"] == len(languages), f"{where}: a code block has no copy button"
    for shown in (view["prose"], view["check"] or ""):
        assert "`" not in shown, f"{where}: a backtick is visible: {shown!r}"
        assert "**" not in shown, f"{where}: ** is visible: {shown!r}"
    for language, block in zip(languages, view["blocks"], strict=True):
        if language:
            lines = [line.strip() for line in view["prose"].splitlines()]
            assert language not in lines, f"{where}: the language tag {language} is visible"
            assert not block.startswith(language), f"{where}: {language} shown in the code"
    prose_source = FENCED_BLOCK.sub("", text)
    assert view["inlineCode"] == len(INLINE_CODE.findall(prose_source)), where
    if check:
        assert view["checkCode"] == len(INLINE_CODE.findall(check)), where
        if not view["asked"]:  # a branching step asks its check as the question instead
            assert view["labelLines"] == 1, f"{where}: the Check label breaks inside the word"


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("ru", 360)])
def test_every_scripted_step_of_kb_shows_its_markdown_rendered(
    page: "Page", widget: Widget, shot: Callable[[str], None], lang: str, width: int
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 800 if width > 360 else 740})
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    articles = scripted(lang)
    assert len(articles) >= 20  # every scripted solution of kb/ in this language
    walked = 0
    for article in articles:
        for walk in covering_walks(article):  # branching scripts: paths that see every step
            open_article(widget, article)
            for position, (step_id, answer) in enumerate(walk.answers):
                index = next(i for i, s in enumerate(article.steps, start=1) if s.id == step_id)
                step = article.steps[index - 1]
                card = widget.ui.locator(f".step[data-step='{index}']")
                expect(card).to_be_visible()
                view = card.evaluate(STEP_VIEW)
                assert_rendered(view, step.text, step.check, f"{article.id}#{step.id}")
                walked += 1
                if position < len(walk.answers) - 1:  # on the way only "no" or "next"
                    button = answer if step.branches else "next_step"
                    widget.ui.locator(f"[data-action='{button}']:not([disabled])").click()
        if article.id.startswith("rdp-cannot-connect"):
            open_article(widget, article)
            expect(widget.ui.locator(".step .code-block")).to_be_visible()
            shot("code-block")
    assert walked >= sum(len(a.steps) for a in articles)


def covering_walks(article: Article) -> list[flow.Walk]:
    """Few paths of the script that together show every one of its steps."""
    chosen: list[flow.Walk] = []
    seen: set[str] = set()
    for walk in flow.walks(article):
        steps = {step for step, _ in walk.answers}
        if not steps <= seen:
            chosen.append(walk)
            seen |= steps
    assert seen == {s.id for s in article.steps}, article.id
    return chosen


def test_the_copy_button_puts_the_command_on_the_clipboard(
    page: "Page", context: "BrowserContext", widget: Widget, shot: Callable[[str], None]
) -> None:
    from playwright.sync_api import expect

    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=widget.server.base)
    widget.goto_demo()
    widget.open()
    article = next(a for a in scripted("en") if a.id == "rdp-cannot-connect-en")
    open_article(widget, article)
    block = widget.ui.locator(".step .code-block").first
    block.get_by_role("button", name="Copy").click()
    expect(block.get_by_role("button", name="Copied")).to_be_visible()
    shot("copied")
    pasted = widget.frame().evaluate("() => navigator.clipboard.readText()")
    assert pasted == "Test-NetConnection 203.0.113.10 -Port 3389"
    expect(block.get_by_role("button", name="Copy")).to_be_visible(timeout=5000)


def _cards(widget: Widget) -> "Locator":
    return widget.ui.locator(".entry ul.cards:not(.forms)").last.locator("article.card")


@pytest.mark.parametrize(
    ("lang", "query"),
    [("en", "rdp"), ("en", "cannot connect"), ("en", "reset password"),
     ("ru", "диск заполнен"), ("ru", "сброс пароля")],
)  # fmt: skip
def test_cards_show_summaries_in_confidence_order_as_the_list_did_while_typing(
    page: "Page", widget: Widget, shot: Callable[[str], None], lang: str, query: str
) -> None:
    from playwright.sync_api import expect

    content = load_content(KB)
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    composer = widget.ui.locator(".composer input")
    composer.press_sequentially(query, delay=20)
    box = widget.ui.locator(f".suggestions[data-query={json.dumps(query, ensure_ascii=False)}]")
    expect(box).to_be_visible()  # the list answers the whole text, not a part of it
    listed = box.locator("button.suggestion")
    typed = [b.get_attribute("data-id") for b in listed.all()
             if b.get_attribute("data-type") == "article"]  # fmt: skip
    shot(f"typing-{lang}")
    composer.press("Enter")
    cards = _cards(widget)
    expect(cards.first).to_be_visible()
    shown = [c.get_attribute("data-id") for c in cards.all()]
    assert shown == typed[: len(shown)], "the cards differ from the list shown while typing"

    found = widget.server.api("GET", f"search?q={quote(query)}&lang={lang}&limit=10")["results"]
    confidence = {r["id"]: r["confidence"] for r in found}
    ranks = [confidence[i] for i in shown if i is not None]
    assert ranks == sorted(ranks, reverse=True), f"not in confidence order: {shown} {ranks}"
    for card in cards.all():
        article = content.articles[str(card.get_attribute("data-id"))]
        assert article.summary is not None
        expect(card.locator(".snippet")).to_have_text(article.summary.strip())
        snippet = card.locator(".snippet").inner_text()
        assert "; ".join(article.symptoms[:2]).lower() not in snippet.lower()
    shot(f"cards-{lang}")


def test_the_focus_moves_to_the_step_and_stays_in_the_open_panel(
    page: "Page", widget: Widget, shot: Callable[[str], None]
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 360, "height": 740})
    widget.goto_demo()
    widget.open()
    composer = widget.ui.locator(".composer input")
    composer.press_sequentially("rdp cannot connect", delay=20)
    widget.ui.locator(".suggestions [data-id='rdp-cannot-connect-en']").click()
    step = widget.ui.locator(".step[data-step='1']")
    expect(step).to_be_focused()
    keys = page.keyboard
    reached: list[str] = []
    for _ in range(4):  # the copy button, then the step's answers, in reading order
        keys.press("Tab")
        reached.append(
            widget.frame().evaluate(
                "() => document.activeElement.dataset.action || document.activeElement.className"
            )
        )
    assert reached == ["copy", "solved", "next_step", "need_help"], reached
    shot("step-focused")

    focusable = widget.frame().evaluate(
        """() => [...document.querySelectorAll(
          ".panel button, .panel input, .panel [href], .panel [tabindex]")]
          .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length).length"""
    )
    inside = (
        "() => document.hasFocus() && document.querySelector('.panel').contains("
        "document.activeElement)"
    )
    for _ in range(focusable + 2):  # once round the whole panel and further
        keys.press("Tab")
        assert widget.frame().evaluate(inside), "Tab left the open chat"
    for _ in range(3):
        keys.press("Shift+Tab")
        assert widget.frame().evaluate(inside), "Shift+Tab left the open chat"
    keys.press("Escape")
    expect(widget.ui.locator(".launcher")).to_be_visible()
    expect(widget.ui.locator(".launcher")).to_be_focused()
