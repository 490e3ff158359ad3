"""The widget in a real browser: Debian's Chromium driven by Playwright (sync API) against
``selfservice serve --demo`` on loopback, with a temporary SQLite database and index.

One server and one browser per session; each test gets a fresh browser context. Host
pages of other origins (``https://portal.test``, ``https://evil.test``) are served by
Playwright's request routing, so no DNS or second server is needed. Every test leaves a
screenshot in ``tmp/artifacts/browser/`` (``SELFSERVICE_BROWSER_ARTIFACTS`` overrides).

``SELFSERVICE_BROWSER_INDEX_SEED`` names a search index folder built earlier from the same
kb/ (by ``selfservice serve`` or a previous run), copied in to shorten the server's start.

Without Chromium (``SELFSERVICE_CHROMIUM``, default ``/usr/bin/chromium``) or Playwright
the tests are skipped, except in CI (``CI=true``), where that is a failure.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine
from support.host_outage import mapping
from support.processes import free_port, start_serve, stop
from widget_page import EVIL_ORIGIN, PORTAL_ORIGIN, TELEGRAM_SECRET, Server, Widget

from selfservice.db.engine import make_engine

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SELFSERVICE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("SELFSERVICE_BROWSER_ARTIFACTS", ROOT / "tmp/artifacts/browser"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The first start builds the index, meaning vectors included: minutes on a busy 2-core machine
# (with the passage vectors more than the 240 s this once allowed, twice on 2026-12-07).
STARTUP_TIMEOUT_S = 600.0


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)




@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``selfservice serve --demo`` on a free loopback port; mail only goes to the outbox."""
    workdir = tmp_path_factory.mktemp("widget-server")
    # Host outages (alertname HypervisorDown) are customer-visible: test_widget_known_problems.py.
    alert_mapping = workdir / "alert_mapping.yml"
    alert_mapping.write_text(mapping("l1@demo.example"), encoding="utf-8")
    database_url = f"sqlite:///{workdir / 'selfservice.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFSERVICE_")}
    env.update({
        "SELFSERVICE_DATABASE_URL": database_url,
        "SELFSERVICE_KB_DIR": str(ROOT / "kb"),
        "SELFSERVICE_INDEX_DIR": str(workdir / "index"),
        "SELFSERVICE_SITE_DIR": str(workdir / "site"),
        "SELFSERVICE_ALERT_MAPPING": str(alert_mapping),
        "SELFSERVICE_SMTP_HOST": "127.0.0.1",
        "SELFSERVICE_SMTP_PORT": str(free_port()),  # nothing listens: `serve` only queues
        "SELFSERVICE_CORS_ORIGINS": PORTAL_ORIGIN,
        "SELFSERVICE_RATE_LIMIT_PER_MINUTE": "100000",
        "SELFSERVICE_RATE_LIMIT_BURST": "10000",
        # A Telegram bot, so "Connect Telegram" shows; its Bot API is a port where nothing
        # listens (the widget only asks the service for a link code).
        "SELFSERVICE_TELEGRAM_BOT_TOKEN": "123456:BROWSER",
        "SELFSERVICE_TELEGRAM_BOT_USERNAME": "selfservice_demo_bot",
        "SELFSERVICE_TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}",
        "SELFSERVICE_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "NO_MKDOCS_2_WARNING": "1",
    })  # fmt: skip
    seed = os.environ.get("SELFSERVICE_BROWSER_INDEX_SEED")
    if seed:
        # A search index built earlier from the same kb/: the server syncs it instead of
        # spending minutes on the meaning vectors of a busy machine.
        shutil.copytree(seed, workdir / "index")
    # The public site the service serves at /kb/ (its search box asks the service).
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"),
         "-d", str(workdir / "site")],
        env=env, cwd=ROOT, check=True, timeout=300,
    )  # fmt: skip
    served = start_serve(workdir, env, "--demo", "--no-build-site", timeout=STARTUP_TIMEOUT_S)
    engine = make_engine(database_url)
    try:
        yield Server(base=served.base, database_url=database_url, engine=engine,
                     site_dir=workdir / "site")
    finally:
        engine.dispose()
        stop(served.process)


# Module scope, not session: while Playwright's sync API runs, its event loop counts as
# running in this thread, and later tests that call asyncio.run() would fail.
@pytest.fixture(scope="module")
def playwright() -> Iterator["Playwright"]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: "Playwright") -> Iterator["Browser"]:
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def host_pages() -> dict[str, str]:
    """HTML served at ``https://portal.test/<path>`` and ``https://evil.test/<path>``."""
    return {}


@pytest.fixture
def context(
    browser: "Browser", host_pages: dict[str, str]
) -> Iterator["BrowserContext"]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    # The test server is on loopback, the host pages play public portals: Chromium's
    # Local Network Access would block public -> loopback requests, which never happen
    # in production (portal and backend are both public), so allow them here.
    context.grant_permissions(["local-network-access"])

    def serve_host_page(route: "Route") -> None:
        url = route.request.url
        body = host_pages.get(url)
        if body is None:
            route.fulfill(status=404, body="not found", content_type="text/plain")
        else:
            route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8")

    context.route(f"{PORTAL_ORIGIN}/**", serve_host_page)
    context.route(f"{EVIL_ORIGIN}/**", serve_host_page)
    yield context
    context.close()


@pytest.fixture
def page(
    context: "BrowserContext", artifacts: Path, request: pytest.FixtureRequest
) -> Iterator["Page"]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)
    yield page
    page.screenshot(path=str(artifacts / f"{request.node.name}.png"))
    assert not errors, f"uncaught errors in the page or the widget: {errors}"


@pytest.fixture
def shot(page: "Page", artifacts: Path, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``shot("step")`` saves ``<test>-step.png`` next to the final screenshot."""

    def save(name: str) -> None:
        page.screenshot(path=str(artifacts / f"{request.node.name}-{name}.png"))

    return save


@pytest.fixture
def widget(page: "Page", server: Server) -> Widget:
    return Widget(page, server)


@pytest.fixture
def db(server: Server) -> Engine:
    return server.engine
