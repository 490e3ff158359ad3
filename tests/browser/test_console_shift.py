"""A whole ticket through the console and the widget in Chromium: L1 takes it and asks the
customer, the customer answers in the widget, L1 escalates to L2 (who could only watch
it before: the actions shown disabled), L2 completes it, the customer confirms: Closed."""

from datetime import date

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, expect
from widget_page import Server, Widget, ticket

from selfservice.cli import main
from selfservice.domain.enums import Line, Status

pytestmark = pytest.mark.browser

PASSWORD = "a long shift password"


def _password(server: Server, email: str) -> None:
    result = CliRunner().invoke(
        main, ["engineer", "passwd", email, "--password-stdin"], input=PASSWORD + "\n",
        env={"SELFSERVICE_DATABASE_URL": server.database_url},
    )
    assert result.exit_code == 0, result.output


def _sign_in(page: Page, server: Server, email: str) -> None:
    page.goto(f"{server.base}/console/login?lang=en")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def _customer_opens_the_ticket(widget: Widget, number: str) -> None:
    widget.goto_demo()
    widget.open()
    widget.ui.locator(".tab", has_text="My tickets").click()
    widget.ui.locator(f"[data-ticket='{number}']").click()


def test_an_l1_shift_from_queue_to_closed(
    page: Page, widget: Widget, server: Server, browser: Browser
) -> None:
    for email in ("l1@demo.example", "l2@demo.example"):
        _password(server, email)
    fields = {"vm_name": "db-02", "os": "linux", "symptoms": ["no_ping"],
              "started_on": date.today().isoformat()}
    filed = server.api("POST", "tickets", {"form": "vm-not-responding", "fields": fields,
                                           "description": "db-02 froze after the kernel update"},
                       server.demo_token())
    number = str(filed["number"])

    l1 = browser.new_page()
    _sign_in(l1, server, "l1@demo.example")
    l1.get_by_role("row").filter(has_text=number).get_by_role("link", name=number).click()
    l1.get_by_role("button", name="Take").click()
    expect(l1.get_by_role("status")).to_have_text("You took the ticket.")
    l1.get_by_text("Information needed", exact=True).first.click()
    l1.get_by_label("Question to the customer").fill("Which zone is db-02 in?")
    l1.get_by_role("button", name="Information needed").click()
    expect(l1.get_by_role("status")).to_contain_text("the SLA clock is paused")

    # the customer answers in the widget's My tickets
    _customer_opens_the_ticket(widget, number)
    ui = widget.ui
    expect(ui.locator(".tickets-view")).to_contain_text("Which zone is db-02 in?")
    ui.get_by_label("Your reply").fill("It is in ru-1b")
    ui.get_by_role("button", name="Send reply").click()
    expect(ui.get_by_text("Your reply was added.")).to_be_visible()
    assert ticket(server.engine, number).status is not Status.INFORMATION_NEEDED

    # L2 watches L1's ticket: every working action is there, disabled, with the reason
    l2 = browser.new_page()
    _sign_in(l2, server, "l2@demo.example")
    l2.goto(f"{server.base}/console/tickets/{number}")
    expect(l2.get_by_role("button", name="Take")).to_be_disabled()
    expect(l2.locator("#why-take")).to_have_text("You watch this line read-only.")

    l1.reload()
    expect(l1.locator(".comment.public").last).to_contain_text("It is in ru-1b")
    l1.get_by_text("Escalate", exact=True).first.click()
    l1.locator("#escalate-group").select_option(label="System administrators (Linux)")
    l1.locator("#escalate-reason").fill("Kernel panic on boot: needs L2")
    l1.get_by_role("button", name="Escalate").click()
    expect(l1.get_by_role("status")).to_contain_text(number)
    assert ticket(server.engine, number).line is Line.L2

    l2.reload()
    l2.get_by_role("button", name="Take").click()
    expect(l2.get_by_role("status")).to_have_text("You took the ticket.")
    l2.get_by_role("button", name="Start work").click()
    expect(l2.get_by_role("status")).to_have_text("Work started.")
    l2.get_by_text("Complete", exact=True).first.click()
    l2.get_by_label("Closure code").select_option("resolved")
    l2.get_by_label("Resolution (the customer sees it)").fill(
        "Booted the previous kernel and pinned it; db-02 answers again.")
    l2.get_by_role("button", name="Complete").click()
    expect(l2.get_by_role("status")).to_have_text("Completed; the customer is asked to confirm.")

    _customer_opens_the_ticket(widget, number)
    expect(widget.ui.locator(".tickets-view")).to_contain_text("pinned it")
    widget.ui.get_by_role("button", name="Yes, close the ticket").click()
    expect(widget.ui.get_by_text("Thank you! The ticket is closed.")).to_be_visible()
    assert ticket(server.engine, number).status is Status.CLOSED
    l1.close()
    l2.close()


def test_a_managers_dashboard_shows_the_metrics_apis_numbers(
    page: Page, server: Server
) -> None:
    env = {"SELFSERVICE_DATABASE_URL": server.database_url}
    added = CliRunner().invoke(main, ["engineer", "add", "--name", "Head of Support",
                                      "--email", "head@demo.example", "--role", "manager"],
                               env=env)  # fmt: skip
    assert added.exit_code == 0, added.output
    token = next(word for word in added.output.split() if word.startswith("sse_"))
    _password(server, "head@demo.example")
    fields = {"vm_name": "app-07", "os": "linux", "symptoms": ["no_ping"],
              "started_on": date.today().isoformat()}
    server.api("POST", "tickets", {"form": "vm-not-responding", "fields": fields},
               server.demo_token())  # at least one open ticket: the backlog has a row
    backlog = server.api("GET", "engineer/metrics/backlog", None, token)["rows"]
    _sign_in(page, server, "head@demo.example")
    page.get_by_role("link", name="Dashboard").click()
    table = page.locator("#table-backlog")
    expect(table).to_be_visible()
    for row in backlog:
        cells = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=str(row[0]), exact=True))
        expect(cells.locator("td")).to_have_text([str(n) for n in row[1:]])
    # a form posted without the session's token is refused, in the page's language
    page.evaluate("""() => { const f = document.querySelector('form[action="/console/logout"]');
                             f.querySelector('input[name=csrf]').value = 'forged'; f.submit(); }""")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
