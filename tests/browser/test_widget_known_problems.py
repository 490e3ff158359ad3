"""A known problem in the widget, from a real Alertmanager payload to the live server:
the demo organisation's zone has a host outage; its contact sees the banner, the chat
answers with the problem before any article, "Notify me" subscribes, "My problem is
different" shows the articles; the status page lists it; the resolved payload ends it."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from support.host_outage import host_outage
from widget_page import Server, Widget, expect

from selfservice.db.models import (
    Contact,
    KnownProblem,
    KnownProblemContact,
    Organisation,
    OutboxMessage,
)
from selfservice.services import admin, alert_sources

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ZONE = "ru-1b"
TITLE = {"en": "VMs in zone ru-1b are not responding",
         "ru": "Виртуальные машины в зоне ru-1b не отвечают"}
SAY = {"en": "My virtual machine is not responding",
       "ru": "Не отвечает виртуальная машина"}


def post_alert(server: Server, token: str, payload: dict[str, Any]) -> Any:
    return server.api("POST", "alerts/alertmanager", payload, token=token)


@dataclass
class Outage:
    problem: KnownProblem
    resolve: Callable[[], None]


@pytest.fixture
def outage(server: Server, db: Engine) -> Iterator[Outage]:
    """A customer-visible host outage in the demo organisation's zone; resolved by the
    test or after it (the server is shared: no other test may meet it)."""
    now = datetime.now(UTC)
    with Session(db) as session:
        have_provider = session.get(Organisation, "provider") is not None
    if not have_provider:
        admin.add_organisation(db, id="provider", name="Cloud provider", contract_number="-",
                               now=now)
    source = alert_sources.add_source(db, name=f"prom-{now.timestamp():.0f}",
                                      kind="alertmanager", org_id="provider", now=now)
    admin.set_locations(db, org_id="demo", locations=["ru-1", ZONE])
    started = now - timedelta(minutes=5)
    host = f"hv-{now.microsecond}"
    answer = post_alert(server, source.token, host_outage("firing", zone=ZONE, host=host,
                                                          starts_at=started))
    assert [o["outcome"] for o in answer["outcomes"]] == ["opened"]
    with Session(db) as session:
        problem = session.exec(select(KnownProblem).where(KnownProblem.status == "open")).one()

    def resolve() -> None:
        done = post_alert(server, source.token, host_outage("resolved", zone=ZONE, host=host,
                                                            starts_at=started))
        assert [o["outcome"] for o in done["outcomes"]] == ["resolved"]

    try:
        yield Outage(problem, resolve)
    finally:
        if state(db, problem.id or 0) == "open":
            resolve()
        admin.set_locations(db, org_id="demo", locations=[])
    assert state(db, problem.id or 0) == "resolved"


def state(db: Engine, problem_id: int) -> str | None:
    with Session(db) as session:
        found = session.get(KnownProblem, problem_id)
        return found.status if found is not None else None


def frame_shot(widget: Widget, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.iframe.screenshot(path=str(SCREENSHOTS / name))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_widget_tells_an_affected_customer_first(
    widget: Widget, db: Engine, outage: Outage, lang: str, shot: Callable[[str], None],
) -> None:
    widget.goto_demo(f"?lang={lang}")
    widget.open()
    banner = widget.ui.locator(".kp-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(TITLE[lang])
    frame_shot(widget, f"widget-known-problem-banner-{lang}.png")

    widget.say(SAY[lang])
    told = widget.ui.locator(".entry.known-problem")
    told.wait_for(timeout=60_000)  # the first search of a cold server loads its models
    expect(told).to_contain_text(TITLE[lang])
    expect(told).to_contain_text({"en": "We know:", "ru": "Мы знаем:"}[lang])
    expect(widget.ui.locator(".known-problem ~ .entry .cards")).to_have_count(0)
    notify = told.locator("[data-action='kp_notify']")
    expect(notify).to_be_focused()
    notify.click()
    expect(told.locator(".kp-subscribed")).to_be_visible()
    frame_shot(widget, f"widget-known-problem-chat-{lang}.png")
    row = subscription(db, outage.problem.id or 0)
    assert row is not None and row.noticed_at is not None and row.subscribed_at is not None

    told.locator("[data-action='kp_different']").click()
    expect(widget.ui.locator(".known-problem ~ .entry .cards .card").first).to_be_visible()
    shot("different")


def test_the_status_page_lists_the_outage_and_the_subscriber_is_mailed_once(
    page: "Page", server: Server, db: Engine, outage: Outage,
) -> None:
    problem_id = outage.problem.id or 0
    for lang in ("en", "ru"):
        page.goto(f"{server.base}/status?lang={lang}")
        expect(page.locator(f"#problem-{problem_id}")).to_contain_text(TITLE[lang])
        page.screenshot(path=str(SCREENSHOTS / f"status-page-{lang}.png"), full_page=True)
    subscribed = server.api("POST", f"known-problems/{problem_id}/subscribe", {},
                            token=server.demo_token())
    assert subscribed == {"id": problem_id, "subscribed": True}
    before = len(mails(db))
    outage.resolve()
    [mail] = mails(db)[before:]
    assert mail.to_addr == "demo@example.com" and TITLE["en"] in mail.subject
    page.goto(f"{server.base}/status?lang=en")
    expect(page.locator(f"#problem-{problem_id}.resolved")).to_contain_text("Resolved")


def subscription(db: Engine, problem_id: int) -> KnownProblemContact | None:
    with Session(db) as session:
        contact = session.exec(select(Contact).where(Contact.email == "demo@example.com")).one()
        return session.exec(select(KnownProblemContact).where(
            KnownProblemContact.problem_id == problem_id,
            KnownProblemContact.contact_id == contact.id)).first()


def mails(db: Engine) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.exec(select(OutboxMessage)
                                 .where(OutboxMessage.kind == "known_problem_resolved")
                                 .order_by(col(OutboxMessage.id))))
