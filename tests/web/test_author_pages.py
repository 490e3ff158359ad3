"""The author's preview pages (``selfservice kb preview``): kb check problems of the files
as they are now, every scripted solution in both languages, the walk in the real widget,
and the status the pages reload on."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from selfservice.content.live import LiveContent
from selfservice.web.author_pages import AUTHOR_POLICY, author_routes


def _client(kb: Path, tmp_path: Path) -> TestClient:
    live = LiveContent(tmp_path / "index", kb)  # nothing published: the kb/ itself
    return TestClient(Starlette(routes=author_routes(live, kb, None, "/kb/")))


def test_the_preview_lists_scripted_solutions_in_both_languages(
    kb_min: Path, tmp_path: Path
) -> None:
    client = _client(kb_min, tmp_path)
    page = client.get("/author/?lang=ru")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == AUTHOR_POLICY
    assert 'data-problems="0"' in page.text and "kb check: проблем нет" in page.text
    assert 'href="/author/walk/reset-en?lang=ru"' in page.text
    assert 'href="/author/walk/reset-ru?lang=ru"' in page.text
    assert 'href="/kb/ru/articles/identity/reset/"' in page.text  # the site page


def test_a_broken_file_shows_on_the_page_and_changes_the_status(
    kb_min: Path, tmp_path: Path
) -> None:
    client = _client(kb_min, tmp_path)
    before = client.get("/author/status.json").json()
    article = kb_min / "articles" / "identity" / "reset.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "service: identity", "service: identiti"), encoding="utf-8")
    after = client.get("/author/status.json").json()
    assert before["problems"] == []
    assert after["problems"] == [f"{article}:6: unknown service 'identiti'"]
    page = client.get("/author/", headers={"Accept-Language": "en"})
    assert 'role="alert" data-problems="1"' in page.text
    # the page carries the status it shows: its script reloads when status.json differs
    assert before["stamp"] != after["stamp"]
    assert f'data-status="{after["stamp"]}"' in page.text
    assert "unknown service &#39;identiti&#39;" in page.text
    assert "keeps the last good publication" in page.text


def test_the_walk_frames_the_widget_once_per_language(kb_min: Path, tmp_path: Path) -> None:
    client = _client(kb_min, tmp_path)
    page = client.get("/author/walk/reset-ru")
    assert page.status_code == 200
    assert 'src="/widget/frame.html?lang=en&amp;article=reset-en&amp;title=' in page.text
    assert 'src="/widget/frame.html?lang=ru&amp;article=reset-ru&amp;title=' in page.text
    missing = client.get("/author/walk/no-such-article?lang=ru")
    assert missing.status_code == 404
    assert "Среди опубликованных пошаговых решений такого нет." in missing.text
