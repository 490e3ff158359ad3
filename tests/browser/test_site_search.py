"""The public site's search box: the service's search when the service serves the site,
Material's own search when the same files are published as plain static files."""

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest
from widget_page import Server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _search(page: "Page", query: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("data-selfservice-search", "on")
    box = page.locator("input[name=query]")
    box.click()
    box.fill(query)


def test_russian_query_on_the_russian_site_finds_the_right_article_first(
    page: "Page", server: Server
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.base}/kb/ru/")
    _search(page, "забыл пароль от портала, не могу войти")
    results = page.locator("[data-selfservice-results] .md-search-result__link")
    expect(page.locator("[data-selfservice-results]")).to_have_attribute(
        "data-query", "забыл пароль от портала, не могу войти"
    )
    expect(results.first).to_have_attribute("data-result-id", "reset-password-ru")
    expect(page.locator(".md-search-result__meta")).to_have_text("Ответы на ваш вопрос")
    results.first.click()
    expect(page).to_have_url(f"{server.base}/kb/ru/articles/identity/reset-password/")
    expect(page.locator("h1").first).to_contain_text("парол")


def test_english_query_gives_english_answers_and_enter_opens_the_first(
    page: "Page", server: Server
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.base}/kb/")
    _search(page, "my website says the ssl certificate has expired")
    first = page.locator("[data-selfservice-results] .md-search-result__link").first
    expect(first).to_have_attribute("data-result-id", "certificate-expired-en")
    page.locator("input[name=query]").press("Enter")
    expect(page).to_have_url(f"{server.base}/kb/articles/certificates/certificate-expired/")


def test_nothing_confident_says_so_and_points_to_the_request_forms(
    page: "Page", server: Server
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.base}/kb/ru/")
    _search(page, "рецепт борща со сметаной")
    expect(page.locator(".md-search-result__meta")).to_have_text(
        "Точного ответа на этот вопрос здесь нет."
    )
    forms = page.locator("[data-selfservice-results] a", has_text="Формы заявок")
    expect(forms).to_have_attribute("href", f"{server.base}/kb/ru/catalog/")


@pytest.fixture
def static_site(server: Server) -> Iterator[str]:
    """The same built site served as plain files on loopback (no service beside it)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(server.site_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_static_site_keeps_materials_own_search(page: "Page", static_site: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{static_site}/")
    box = page.locator("input[name=query]")
    box.click()
    box.fill("certificate")
    expect(page.locator("[data-md-component=search-result] .md-search-result__item").first) \
        .to_be_visible()
    expect(page.locator("html")).not_to_have_attribute("data-selfservice-search", "on")


def test_the_home_pages_search_prompt_opens_the_search_from_the_keyboard(
    page: "Page", server: Server
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.base}/kb/ru/")
    expect(page.locator("html")).to_have_attribute("data-selfservice-search", "on")
    page.locator(".home-search").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".md-search__form input[name=query]")).to_be_focused()
    page.keyboard.type("не подключается vpn")
    first = page.locator("[data-selfservice-results] .md-search-result__link").first
    expect(first).to_have_attribute("data-result-id", "vpn-does-not-connect-ru")
