"""The staff console in Chromium: an L1 engineer signs in, opens the queue, takes a
ticket and asks the customer for information; screenshots of the three pages in both
languages land in docs/screenshots/."""

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect
from widget_page import Server, ticket

from selfservice.cli import main
from selfservice.domain.enums import Status

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "a long shift password"
L1 = "l1@demo.example"


def _set_password(server: Server, email: str) -> None:
    result = CliRunner().invoke(
        main, ["engineer", "passwd", email, "--password-stdin"], input=PASSWORD + "\n",
        env={"SELFSERVICE_DATABASE_URL": server.database_url},
    )
    assert result.exit_code == 0, result.output


def _file(server: Server, description: str) -> str:
    fields = {"vm_name": "web-01", "os": "linux", "symptoms": ["no_ping"],
              "started_on": date.today().isoformat()}
    body = {"form": "vm-not-responding", "fields": fields, "description": description}
    return str(server.api("POST", "tickets", body, server.demo_token())["number"])


def test_l1_signs_in_takes_a_ticket_and_asks_for_information(page: Page,
                                                             server: Server) -> None:
    _set_password(server, L1)
    number = _file(server, "web-01 stopped answering after the night backup")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server.base}/console/queue")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-login-en.png"))
    page.get_by_label("E-mail").fill(L1)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue of line L1")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("unassigned")
    page.screenshot(path=str(SCREENSHOTS / "console-queue-en.png"))
    row.get_by_role("link", name=number).click()
    expect(page.locator(".words")).to_have_text("web-01 stopped answering after the night backup")
    page.get_by_role("button", name="Take").click()
    expect(page.get_by_role("status")).to_have_text("You took the ticket.")
    page.get_by_text("Information needed", exact=True).first.click()
    page.get_by_label("Question to the customer").fill("Which region is web-01 in?")
    page.get_by_role("button", name="Information needed").click()
    expect(page.get_by_role("status")).to_contain_text("the SLA clock is paused")
    expect(page.locator(".comment.public")).to_contain_text("Which region is web-01 in?")
    assert ticket(server.engine, number).status is Status.INFORMATION_NEEDED
    page.screenshot(path=str(SCREENSHOTS / "console-ticket-en.png"), full_page=True)

    page.get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", name="Слова клиента")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-ticket-ru.png"), full_page=True)
    page.get_by_role("link", name="Очередь").click()
    expect(page.get_by_role("heading", name="Очередь линии L1")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-queue-ru.png"))
    page.get_by_role("button", name="Выйти", exact=True).click()
    page.goto(f"{server.base}/console/login?lang=ru")
    expect(page.get_by_role("heading", name="Вход для сотрудников")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-login-ru.png"))
