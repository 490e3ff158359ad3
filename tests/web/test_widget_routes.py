"""Serving the widget: the loader, the frame's files, the demo page (demo mode only), and
the widget's copy of the server's validation messages."""

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.db.migrate import upgrade_engine
from selfservice.services.admin import sync_support_groups
from selfservice.services.demo import seed_demo
from selfservice.text.catalogue import catalogue
from selfservice.web.backend import make_backend
from selfservice.web.hardening import static_origins
from selfservice.web.widget_routes import add_demo_page, default_widget_dir, render_demo

AppFactory = Callable[..., Starlette]
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_shipped_widget_is_the_repositorys_in_a_source_checkout() -> None:
    assert default_widget_dir() == ROOT / "widget"
    for name in ("widget.js", "frame.html", "frame.css", "app.js", "demo.html"):
        assert (ROOT / "widget" / name).is_file(), name


def test_loader_is_javascript_revalidated_with_its_etag(client: TestClient) -> None:
    answer = client.get("/widget.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    assert "window.SelfService" in answer.text
    again = client.get("/widget.js", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_a_revalidated_frame_keeps_the_policy_that_lets_the_portal_frame_it(
    client: TestClient,
) -> None:
    """A 304 updates the headers the browser stored with the frame: a policy meant for JSON
    (``frame-ancestors 'none'``) on it blocked the cached frame after a reload."""
    for encoding in ("gzip", "identity"):
        first = client.get("/widget/frame.html", headers={"Accept-Encoding": encoding})
        assert "frame-ancestors 'self'" in first.headers["content-security-policy"]
        again = client.get("/widget/frame.html", headers={
            "Accept-Encoding": encoding, "If-None-Match": first.headers["etag"]})  # fmt: skip
        assert again.status_code == 304
        assert "content-security-policy" not in again.headers, encoding


def test_widget_files_travel_gzipped_to_browsers_that_accept_it(client: TestClient) -> None:
    for path in ("/widget.js", "/widget/app.js", "/widget/frame.css"):
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip", path
        assert "content-encoding" not in plain.headers, path
        assert zipped.text == plain.text  # the client undid the gzip
        assert int(zipped.headers["content-length"]) < len(plain.content) / 2, path


def test_frame_may_be_framed_only_by_the_organisations_portal(make_app: AppFactory) -> None:
    origins = static_origins({"acme": ["https://portal.acme.example"]})
    with TestClient(make_app(origins_for=origins)) as client:
        answer = client.get("/widget/frame.html?org=acme&lang=en&host=https://x")
        other = client.get("/widget/frame.html?org=globex")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    policy = answer.headers["content-security-policy"]
    assert policy == "frame-ancestors 'self' https://portal.acme.example"
    assert other.headers["content-security-policy"] == "frame-ancestors 'self'"
    # The frame's own policy: scripts, styles and API calls from its origin only.
    assert "script-src 'self'; style-src 'self'; connect-src 'self'" in answer.text


@pytest.mark.parametrize(
    "path",
    ["/widget/demo.html", "/widget/missing.js", "/widget/..%2Fsrc%2Fsettings.py",
     "/widget/sub/app.js", "/widget/App.JS", "/widget/notes.txt", "/demo"],
)  # fmt: skip
def test_only_the_widgets_files_are_served(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_widget_dir_setting_replaces_the_shipped_files(
    make_app: AppFactory, tmp_path: Path
) -> None:
    (tmp_path / "widget.js").write_text("/* ours */", encoding="utf-8")
    with TestClient(make_app(settings=Settings(widget_dir=tmp_path))) as client:
        assert client.get("/widget.js").text == "/* ours */"
        assert client.get("/widget/frame.html").status_code == 404


def test_widget_messages_are_the_servers() -> None:
    source = (ROOT / "widget" / "validation.js").read_text(encoding="utf-8")
    block = re.search(r"// BEGIN MESSAGES \(JSON\)\n(.*?)\n// END MESSAGES", source, re.S)
    assert block is not None
    table = block.group(1).removeprefix("export const MESSAGES = ").removesuffix(";")
    texts = catalogue()
    assert json.loads(table) == {
        key.removeprefix("form."): [texts.template(key, "en"), texts.template(key, "ru")]
        for key in texts.keys("form.")
    }


def test_demo_template_values_are_escaped() -> None:
    page = render_demo('<meta content="{{token}}"><b>{{user}}</b>{{nothing}}',
                       token='a"b<c>', lang="en")
    assert page == '<meta content="a&quot;b&lt;c&gt;"><b>demo@example.com</b>'


# --- the demo page, over a seeded database ---------------------------------------------------


@pytest.fixture
def demo_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade_engine(engine)
    config = load_support_config()
    sync_support_groups(engine, config=config)
    seed_demo(engine, config=config, now=NOW)
    yield engine
    engine.dispose()


@pytest.fixture
def demo(make_app: AppFactory, content: Content, demo_engine: Engine) -> Iterator[TestClient]:
    backend = make_backend(demo_engine, content=content, config=load_support_config(),
                           clock=lambda: NOW)
    app = make_app(store=backend, directory=backend.directory, clock=lambda: NOW)
    with TestClient(add_demo_page(app)) as client:
        yield client


def _token(page: str) -> str:
    found = re.search(r'name="selfservice-demo-token" content="([^"]*)"', page)
    assert found is not None
    return found.group(1)


def test_demo_page_signs_in_the_demo_contact(demo: TestClient) -> None:
    answer = demo.get("/demo")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert '<script src="/widget.js" data-org="demo" data-lang="" async>' in answer.text
    me = demo.get("/api/v1/me", headers={"Authorization": f"Bearer {_token(answer.text)}"})
    assert me.json()["email"] == "demo@example.com"
    assert me.json()["org"] == "demo"


def test_demo_page_for_an_anonymous_visitor_and_in_russian(demo: TestClient) -> None:
    anonymous = demo.get("/demo?anonymous=1")
    assert _token(anonymous.text) == ""
    assert 'data-signed-in="false"' in anonymous.text
    russian = demo.get("/demo?lang=ru")
    assert 'data-lang="ru"' in russian.text
    odd = demo.get("/demo", params={"lang": '"><script>alert(1)</script>'})
    assert "alert(1)" not in odd.text
