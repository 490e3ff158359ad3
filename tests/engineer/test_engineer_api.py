"""The engineers' API: the whole lifecycle, role rules, phone registration, search."""

from typing import Any

from engineer_helpers import Desk, file_ticket, ok, outbox_kinds, ticket_row
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from selfservice.db.models import OutboxMessage

BASE = "/api/v1/engineer"


def act(client: TestClient, desk: Desk, role: str, number: str, what: str,
        status: int = 200, **body: Any) -> dict[str, Any]:
    response = client.post(f"{BASE}/tickets/{number}/{what}", json=body, headers=desk.staff(role))
    return ok(response, status)


def test_full_lifecycle_through_the_apis(api: TestClient, engine: Engine, desk: Desk) -> None:
    number = file_ticket(api, desk)
    queue = ok(api.get(f"{BASE}/queue", headers=desk.staff("L1")))
    assert queue["line"] == "L1"
    item = next(t for t in queue["tickets"] if t["number"] == number)
    assert (item["status"], item["priority"], item["urgency_confirmed"]) == (
        "registered", "P4", True)
    assert item["due"] is not None

    taken = act(api, desk, "L1", number, "assign")
    assert (taken["status"], taken["assignee_id"]) == ("assigned", desk.id("L1"))
    assert act(api, desk, "L1", number, "transition", to="in_progress")["status"] == "in_progress"
    asked = act(api, desk, "L1", number, "transition", to="information_needed",
                comment="Which region is the VM in?")
    assert asked["status"] == "information_needed"
    assert ticket_row(engine, number).paused_since is not None  # the clocks pause

    # The contact answers with a comment through the customer API: back to work.
    answer = api.post(f"/api/v1/tickets/{number}/comments", json={"text": "eu-west"},
                      headers=desk.contact())
    assert answer.status_code == 201, answer.text
    row = ticket_row(engine, number)
    assert (row.status.value, row.paused_since) == ("in_progress", None)
    assert row.resolution_paused_seconds >= 0

    act(api, desk, "L1", number, "comments", 201, body="Hypervisor looks fine.", public=False)
    escalated = act(api, desk, "L1", number, "escalate", line="L2", group="l2-linux",
                    reason="Kernel panic on boot: needs a Linux administrator")
    assert (escalated["line"], escalated["group"], escalated["status"]) == (
        "L2", "l2-linux", "registered")
    # Now L1 may neither read nor act on it.
    refused = api.post(f"{BASE}/tickets/{number}/transition", json={"to": "in_progress"},
                       headers=desk.staff("L1"))
    assert (refused.status_code, refused.json()["error"]) == (403, "engineer_wrong_line")
    l2_queue = ok(api.get(f"{BASE}/queue", headers=desk.staff("L2")))
    assert number in [t["number"] for t in l2_queue["tickets"]]

    act(api, desk, "L2", number, "assign")
    act(api, desk, "L2", number, "transition", to="in_progress")
    done = act(api, desk, "L2", number, "transition", to="completed", closure_code="resolved",
               comment="Rebuilt the initramfs.")
    assert (done["status"], done["closure_code"]) == ("completed", "resolved")

    rejected = api.post(f"/api/v1/tickets/{number}/reject", json={"reason": "Still down"},
                        headers=desk.contact())
    assert rejected.json()["status"] == "rejected_by_user", rejected.text
    act(api, desk, "L2", number, "transition", to="in_progress")
    act(api, desk, "L2", number, "transition", to="completed", closure_code="resolved",
        comment="Replaced the broken kernel.")
    closed = api.post(f"/api/v1/tickets/{number}/confirm", json={}, headers=desk.contact())
    assert closed.json()["status"] == "closed", closed.text

    detail = ok(api.get(f"{BASE}/tickets/{number}", headers=desk.staff("L2")))
    statuses = [h["to"] for h in detail["history"] if h["field"] == "status"]
    assert statuses == [
        "registered", "assigned", "in_progress", "information_needed", "in_progress",
        "registered", "assigned", "in_progress", "completed", "rejected_by_user",
        "in_progress", "completed", "closed",
    ]
    assert [h["to"] for h in detail["history"] if h["field"] == "line"] == ["L2"]
    escalation = next(h for h in detail["history"] if h["field"] == "line")
    assert escalation["reason"].startswith("Kernel panic")
    internal = [c for c in detail["comments"] if not c["public"]]
    assert "Hypervisor looks fine." in [c["body"] for c in internal]
    # The contact never sees the internal comment.
    mine = ok(api.get(f"/api/v1/tickets/{number}", headers=desk.contact()))
    assert "Hypervisor looks fine." not in [c["body"] for c in mine["comments"]]

    row = ticket_row(engine, number)
    assert row.id is not None
    mail = outbox_kinds(engine, row.id)
    assert {to for _, to in mail} == {"anna@acme.example"}
    # The whole life took seconds: besides the registration, one mail (changes within 2
    # minutes are coalesced), naming the last status, with the question and the result.
    assert [k for k, _ in mail] == ["registered", "ticket_update"]
    with Session(engine) as session:
        [update] = session.exec(select(OutboxMessage).where(
            OutboxMessage.ticket_id == row.id, OutboxMessage.kind == "ticket_update")).all()
    assert update.subject.startswith(f"[{number}] Closed:")
    assert "Which region is the VM in?" in update.body
    assert "Replaced the broken kernel." in update.body
    assert "Hypervisor looks fine." not in update.body + (update.html_body or "")


def test_role_rules(api: TestClient, desk: Desk) -> None:
    number = file_ticket(api, desk)
    # L2 watches L1's queue and tickets, but may not act on them.
    assert ok(api.get(f"{BASE}/queue?line=L1", headers=desk.staff("L2")))["tickets"]
    ok(api.get(f"{BASE}/tickets/{number}", headers=desk.staff("L2")))
    refused = api.post(f"{BASE}/tickets/{number}/assign", json={}, headers=desk.staff("L2"))
    assert (refused.status_code, refused.json()["error"]) == (403, "engineer_read_only")
    assert "L2" in refused.json()["message"]
    # L3 neither reads nor acts on L1; L1 does not read L2's queue.
    for role, path in (("L3", f"/tickets/{number}"), ("L1", "/queue?line=L2"),
                       ("L3", "/queue?line=L1")):
        response = api.get(BASE + path, headers=desk.staff(role))
        assert (response.status_code, response.json()["error"]) == (403, "engineer_wrong_line")
    # Managers read everything and re-prioritise, but do not work the ticket.
    ok(api.get(f"{BASE}/queue?line=L1", headers=desk.staff("manager")))
    ok(api.get(f"{BASE}/queue", headers=desk.staff("manager")))
    changed = act(api, desk, "manager", number, "priority", urgency="very_high",
                  impact="significant", reason="Whole production down")
    assert (changed["priority"], changed["urgency_confirmed"]) == ("P1", True)
    detail = ok(api.get(f"{BASE}/tickets/{number}", headers=desk.staff("manager")))
    priority = [h for h in detail["history"] if h["field"] == "priority"]
    assert (priority[-1]["to"], priority[-1]["reason"]) == ("P1", "Whole production down")
    refused = api.post(f"{BASE}/tickets/{number}/transition", json={"to": "in_progress"},
                       headers=desk.staff("manager"))
    assert refused.status_code == 403
    for role in ("L1", "L2"):
        response = api.get(f"{BASE}/metrics?from=2026-01-01&to=2026-01-02",
                           headers=desk.staff(role))
        assert (response.status_code, response.json()["error"]) == (403, "managers_only")
    # No token, an unknown token, a customer's token: 401.
    for headers in ({}, {"Authorization": "Bearer sse_nope"}, desk.contact()):
        response = api.get(f"{BASE}/queue", headers=headers)
        assert response.status_code == 401
        assert set(response.json()) == {"error", "field", "message"}
    ru = api.get(f"{BASE}/queue?lang=ru")
    assert ru.json()["error"] == "engineer_token_required" and "токен" in ru.json()["message"]


def test_domain_errors_map_through_the_error_mapping(api: TestClient, desk: Desk) -> None:
    number = file_ticket(api, desk)
    # Completing without a closure code is refused before any use case runs.
    missing = api.post(f"{BASE}/tickets/{number}/transition", json={"to": "completed"},
                       headers=desk.staff("L1"))
    assert (missing.status_code, missing.json()["field"]) == (400, "closure_code")
    # Closing a registered ticket: the workflow refuses it.
    refused = api.post(f"{BASE}/tickets/{number}/transition",
                       json={"to": "closed", "comment": "confirmed by phone"},
                       headers=desk.staff("L1"))
    assert refused.status_code == 409, refused.text
    skip = api.post(f"{BASE}/tickets/{number}/escalate",
                    json={"line": "L3", "group": "l3-hardware", "reason": "skip"},
                    headers=desk.staff("L1"))
    assert skip.status_code == 422, skip.text
    unknown = api.get(f"{BASE}/tickets/INC-999999", headers=desk.staff("L1"))
    assert unknown.status_code == 404


def test_phone_registration_and_urgency(api: TestClient, engine: Engine, desk: Desk) -> None:
    filed = ok(api.post(f"{BASE}/tickets", headers=desk.staff("L1"), json={
        "org": "acme", "email": "anna@acme.example", "service": "compute",
        "urgency": "very_high", "description": "All our VMs are unreachable",
    }), 201)
    assert (filed["channel"], filed["urgency"], filed["urgency_confirmed"]) == (
        "phone", "very_high", True)
    row = ticket_row(engine, filed["number"])
    assert row.id is not None
    assert outbox_kinds(engine, row.id) == [("registered", "anna@acme.example")]
    detail = ok(api.get(f"{BASE}/tickets/{filed['number']}", headers=desk.staff("L1")))
    first = detail["history"][0]
    assert (first["actor_kind"], first["actor_id"]) == ("engineer", str(desk.id("L1")))
    unknown = api.post(f"{BASE}/tickets", headers=desk.staff("L1"), json={
        "org": "acme", "email": "nobody@acme.example", "service": "compute",
        "description": "x"})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "contact_not_found")

    # From the portal a high urgency waits for the phone confirmation.
    number = file_ticket(api, desk, urgency="high")
    assert ticket_row(engine, number).urgency_confirmed is False
    confirmed = act(api, desk, "L1", number, "confirm-urgency", comment="Anna called back")
    assert confirmed["urgency_confirmed"] is True


def test_search_includes_internal_runbooks(api: TestClient, desk: Desk) -> None:
    found = ok(api.get(f"{BASE}/search?q=unlock+portal+account", headers=desk.staff("L1")))
    runbook = next(r for r in found["results"] if r["id"] == "unlock-en")
    assert runbook["internal"] is True
    public = ok(api.get("/api/v1/search?q=unlock+portal+account"))
    assert "unlock-en" not in [r["id"] for r in public["results"]]
    assert api.get(f"{BASE}/search?q=unlock").status_code == 401
