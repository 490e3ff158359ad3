"""The author's loop in the browser: ``serve --author`` (what ``kb preview`` runs) shows a
scripted solution walked in the real widget in both languages, and a saved edit appears
without a restart or a click."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.processes import Served, serving
from widget_page import Server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def preview(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``serve --author`` over a copy of kb/, starting from the session server's index."""
    home = tmp_path_factory.mktemp("author-preview")
    shutil.copytree(ROOT / "kb", home / "kb")
    shutil.copytree(server.site_dir.parent / "index", home / "index")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFSERVICE_")}
    env.update({
        "SELFSERVICE_DATABASE_URL": f"sqlite:///{home / 'preview.db'}",
        "SELFSERVICE_KB_DIR": str(home / "kb"),
        "SELFSERVICE_INDEX_DIR": str(home / "index"),
        "SELFSERVICE_SITE_DIR": str(home / "site"),
        "NO_MKDOCS_2_WARNING": "1",
    })  # fmt: skip
    with serving(home, env, "--author", timeout=600) as served:
        yield served


def test_a_scripted_solution_walks_in_both_languages_and_an_edit_shows_by_itself(
    page: "Page", preview: Served
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{preview.base}/author/?lang=en")
    expect(page.locator("[data-problems]")).to_have_attribute("data-problems", "0")
    page.get_by_role("link", name="Reset a forgotten portal password", exact=True).click()
    english = page.frame_locator("iframe[data-article=reset-password-en]")
    russian = page.frame_locator("iframe[data-article=reset-password-ru]")
    expect(english.get_by_text("Step 1 of 5")).to_be_visible()
    expect(russian.get_by_text("Шаг 1 из 5")).to_be_visible()
    english.get_by_role("button", name="Next step").click()
    expect(english.get_by_text("Step 2 of 5")).to_be_visible()

    article = Path(preview.log).parent / "kb" / "articles" / "identity" / "reset-password.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Reset a forgotten portal password",
                                    "Reset a forgotten portal password now", 1),
                       encoding="utf-8")  # fmt: skip
    # the page notices the publication and reloads: the frame walks the new text
    expect(page.locator("iframe[data-article=reset-password-en]")).to_have_attribute(
        "title", "English: Reset a forgotten portal password now", timeout=90_000
    )

    article.write_text(text.replace("service: identity", "service: identiti"), encoding="utf-8")
    expect(page.locator("[data-problems]")).to_have_attribute(
        "data-problems", "1", timeout=30_000
    )
    expect(page.get_by_role("alert")).to_contain_text("unknown service 'identiti'")


def test_a_save_while_the_page_loads_still_reloads_it(page: "Page", preview: Served) -> None:
    """The page's script starts from what the page shows, not from its own first look: a
    file saved after the page was rendered but before its script's first poll reloads it."""
    from playwright.sync_api import Route, expect

    article = Path(preview.log).parent / "kb" / "articles" / "identity" / "reset-password.md"
    good = (ROOT / "kb" / "articles" / "identity" / "reset-password.md").read_text("utf-8")
    article.write_text(good, encoding="utf-8")
    page.goto(f"{preview.base}/author/?lang=en")
    # the good text is published (an earlier edit may have left another title live)
    expect(page.get_by_role("link", name="Reset a forgotten portal password", exact=True))\
        .to_be_visible(timeout=90_000)  # fmt: skip
    expect(page.locator("[data-problems]")).to_have_attribute("data-problems", "0")

    def save_then_serve(route: Route) -> None:
        # the page is rendered (its script is asked for only after), the script not yet run
        article.write_text(good.replace("service: identity", "service: identiti"), "utf-8")
        route.continue_()

    page.route("**/author/live.js", save_then_serve)
    try:
        page.reload()
        expect(page.locator("[data-problems]")).to_have_attribute(
            "data-problems", "1", timeout=30_000
        )
        expect(page.get_by_role("alert")).to_contain_text("unknown service 'identiti'")
    finally:
        page.unroute("**/author/live.js")
        article.write_text(good, encoding="utf-8")


def test_the_walk_still_shows_after_the_page_reloads(page: "Page", preview: Served) -> None:
    """The page reloads itself at every publication; the browser then revalidates the
    widget's frame (a 304), and the frame must still be allowed to show."""
    from playwright.sync_api import expect

    page.goto(f"{preview.base}/author/walk/reset-password-en?lang=ru")
    russian = page.frame_locator("iframe[data-article=reset-password-ru]")
    english = page.frame_locator("iframe[data-article=reset-password-en]")
    # the widget keeps its conversation: an earlier walk may be on the page as well
    expect(russian.get_by_text("Шаг 1 из 5").last).to_be_visible()
    page.reload()
    expect(russian.get_by_text("Шаг 1 из 5").last).to_be_visible()
    expect(english.get_by_text("Step 1 of 5").last).to_be_visible()
