"""The queue (order, filters, who reads what) and the ticket page's actions per role."""

import re

from console_helpers import csrf_of, sign_in
from engineer_helpers import Desk, file_ticket, ticket_row
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.domain.enums import Status

BASE = "/api/v1/engineer"


def numbers(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/console/tickets/([A-Z]+-\d+)"', html)


def test_unassigned_first_then_by_due_time_and_filters(app_client: TestClient,
                                                       desk: Desk) -> None:
    first, second, third = (file_ticket(app_client, desk) for _ in range(3))
    app_client.post(f"{BASE}/tickets/{first}/assign", json={}, headers=desk.staff("L1"))
    app_client.post(f"{BASE}/tickets/{third}/priority", headers=desk.staff("L1"),
                    json={"urgency": "very_high", "impact": "significant", "reason": "all down"})
    sign_in(app_client, "L1")
    assert numbers(app_client.get("/console/queue").text) == [third, second, first]
    assert numbers(app_client.get("/console/queue?priority=P1").text) == [third]
    assert numbers(app_client.get("/console/queue?mine=1").text) == [first]
    assert numbers(app_client.get("/console/queue?status=assigned").text) == [first]
    assert numbers(app_client.get("/console/queue?org=acme&channel=portal").text) == [
        third, second, first]
    assert numbers(app_client.get("/console/queue?channel=phone").text) == []
    rows = app_client.get("/console/queue?rows=1")
    assert numbers(rows.text) == [third, second, first] and "<html" not in rows.text


def test_l2_watches_the_l1_queue_read_only_and_reprioritises(
    app_client: TestClient, desk: Desk, engine: Engine,
) -> None:
    number = file_ticket(app_client, desk)
    csrf = sign_in(app_client, "L2")
    queue = app_client.get("/console/queue?line=L1")
    assert numbers(queue.text) == [number] and "read-only" in queue.text
    page = app_client.get(f"/console/tickets/{number}")
    take = re.search(r'<button class="primary"([^>]*)>Take</button>', page.text)
    assert take and "disabled" in take.group(1)
    assert "You watch this line read-only." in page.text
    refused = app_client.post(f"/console/tickets/{number}/take", data={"csrf": csrf})
    assert refused.status_code == 403
    assert "may only watch tickets of line L1" in refused.text
    changed = app_client.post(f"/console/tickets/{number}/priority", data={
        "csrf": csrf, "urgency": "high", "impact": "high", "reason": "whole office"})
    assert changed.status_code == 200 and "Priority changed." in changed.text
    assert ticket_row(engine, number).priority.value == "P2"
    assert "whole office" in changed.text  # the matrix's history


def test_l3_may_not_read_the_l1_queue(app_client: TestClient, desk: Desk) -> None:
    number = file_ticket(app_client, desk)
    sign_in(app_client, "L3")
    assert app_client.get("/console/queue?line=L1").status_code == 403
    assert app_client.get(f"/console/tickets/{number}").status_code == 403


def test_l1_takes_asks_and_escalates_from_the_page(app_client: TestClient, desk: Desk,
                                                   engine: Engine) -> None:
    number = file_ticket(app_client, desk)
    csrf = sign_in(app_client, "L1")
    page = app_client.get(f"/console/tickets/{number}")
    assert "web-01" in page.text  # the form's values
    assert '<option value="l2-linux">' in page.text  # groups offered, not typed
    assert '<option value="duplicate">' in page.text  # closure codes offered
    assert csrf_of(page.text) == csrf
    taken = app_client.post(f"/console/tickets/{number}/take", data={"csrf": csrf})
    assert "You took the ticket." in taken.text
    assert ticket_row(engine, number).assignee_id == desk.id("L1")
    asked = app_client.post(f"/console/tickets/{number}/information_needed",
                            data={"csrf": csrf, "comment": "Which region?"})
    assert asked.status_code == 200
    assert ticket_row(engine, number).status is Status.INFORMATION_NEEDED
    assert 'class="comment public"' in asked.text and "Which region?" in asked.text
    noted = app_client.post(f"/console/tickets/{number}/comment",
                            data={"csrf": csrf, "body": "Hypervisor fine."})
    assert 'class="comment internal"' in noted.text
    up = app_client.post(f"/console/tickets/{number}/escalate",
                         data={"csrf": csrf, "group": "l2-linux", "reason": "kernel panic"})
    assert up.url.path == "/console/queue" and f"{number} escalated" in up.text
    assert ticket_row(engine, number).line.value == "L2"
    blank = app_client.post(f"/console/tickets/{number}/comment", data={"csrf": csrf,
                                                                       "body": " "})
    assert blank.status_code == 403  # now L2's ticket: L1 no longer works it


def test_a_manager_reads_everything_and_works_nothing(app_client: TestClient,
                                                      desk: Desk) -> None:
    number = file_ticket(app_client, desk)
    csrf = sign_in(app_client, "manager")
    assert numbers(app_client.get("/console/queue").text) == [number]
    page = app_client.get(f"/console/tickets/{number}")
    assert "Managers do not work tickets." in page.text
    refused = app_client.post(f"/console/tickets/{number}/complete",
                              data={"csrf": csrf, "closure_code": "duplicate"})
    assert refused.status_code == 403


def test_the_ticket_page_in_russian(app_client: TestClient, desk: Desk) -> None:
    number = file_ticket(app_client, desk)
    csrf = sign_in(app_client, "L1")
    app_client.post("/console/language", data={"csrf": csrf, "lang": "ru"})
    page = app_client.get(f"/console/tickets/{number}")
    for words in ("Слова клиента", "Матрица приоритетов", "Часы SLA", "Взять"):
        assert words in page.text


def test_the_queue_shows_the_first_fifty_and_more_on_request(app_client: TestClient,
                                                              desk: Desk) -> None:
    for _ in range(51):
        file_ticket(app_client, desk)
    sign_in(app_client, "L1")
    first = app_client.get("/console/queue?line=L1", headers={"Accept-Language": "en"})
    assert first.text.count('<tr class="sla-') == 50
    more = re.search(r'<a href="([^"]+)">The first 50 are shown: show more</a>', first.text)
    assert more is not None and "limit=200" in more.group(1)
    everything = app_client.get(more.group(1).replace("&amp;", "&"))
    assert everything.text.count('<tr class="sla-') == 51
    assert "show more" not in everything.text


def test_the_ticket_page_lists_the_customers_files_and_serves_them(
    app_client: TestClient, desk: Desk
) -> None:
    uploaded = app_client.post("/api/v1/attachments?name=boot.log", content=b"kernel panic\n",
                               headers={**desk.contact(), "Content-Type": "text/plain"})
    assert uploaded.status_code == 201, uploaded.text
    number = file_ticket(app_client, desk, attachments=[uploaded.json()["id"]])
    sign_in(app_client, "L1")
    page = app_client.get(f"/console/tickets/{number}", headers={"Accept-Language": "en"})
    link = re.search(r'<a href="(/console/tickets/[^"]+/attachments/[^"]+)" download>boot.log</a>',
                     page.text)
    assert link is not None and "uploaded by the customer" in page.text
    got = app_client.get(link.group(1))
    assert got.status_code == 200 and got.content == b"kernel panic\n"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert app_client.get(f"/console/tickets/{number}/attachments/nope").status_code == 404


def test_a_known_problems_child_is_out_of_the_queue_and_says_whose_it_is(
        app_client: TestClient, desk: Desk) -> None:
    incident = file_ticket(app_client, desk)
    declared = app_client.post(f"{BASE}/known-problems", headers=desk.staff("L1"), json={
        "ticket": incident, "organisations": ["acme"],
        "title": {"en": "ACME's VMs are down", "ru": "ВМ ACME недоступны"},
        "text": {"en": "We are on it.", "ru": "Работаем."}})
    assert declared.status_code == 201, declared.text
    child = file_ticket(app_client, desk)  # the same form: the same service, filed anyway
    sign_in(app_client, "L1")
    assert numbers(app_client.get("/console/queue").text) == [incident]
    page = app_client.get(f"/console/tickets/{child}").text
    assert f"Child of known problem #{declared.json()['id']}" in page
