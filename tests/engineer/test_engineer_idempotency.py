"""``Idempotency-Key`` on the engineers' API (SQLite and PostgreSQL): a retried phone
registration, comment or status change is answered from the first, not done twice."""

from typing import Any

from engineer_helpers import Desk, file_ticket, ok, ticket_row
from sqlalchemy import Engine, func, select
from sqlmodel import Session
from starlette.testclient import TestClient

from selfservice.db.models import Comment, Ticket, TicketHistory

BASE = "/api/v1/engineer"
CALL = {"org": "acme", "email": "anna@acme.example", "service": "compute",
        "urgency": "high", "description": "The database VM rebooted twice tonight"}


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def test_a_retried_phone_registration_files_one_ticket(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    headers = keyed(desk.staff("L1"), "call-1")
    first = ok(api.post(f"{BASE}/tickets", json=CALL, headers=headers), 201)
    again = api.post(f"{BASE}/tickets", json=CALL, headers=headers)
    assert (again.status_code, again.json()) == (201, first)
    assert again.headers["idempotent-replayed"] == "true"
    assert count(engine, Ticket) == 1
    # Another engineer's key is another key.
    other = ok(api.post(f"{BASE}/tickets", json=CALL, headers=keyed(desk.staff("L2"), "call-1")),
               201)
    assert other["number"] != first["number"]


def test_a_retried_status_change_answers_as_the_first_did(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    number = file_ticket(api, desk)
    ok(api.post(f"{BASE}/tickets/{number}/assign", json={}, headers=desk.staff("L1")))
    path = f"{BASE}/tickets/{number}/transition"
    headers = keyed(desk.staff("L1"), "start-work")
    first = ok(api.post(path, json={"to": "in_progress"}, headers=headers))
    # Done again it would be refused (already in progress); the retry gets the answer.
    again = api.post(path, json={"to": "in_progress"}, headers=headers)
    assert (again.status_code, again.json()) == (200, first)
    without_key = api.post(path, json={"to": "in_progress"}, headers=desk.staff("L1"))
    assert without_key.status_code == 409

    comments = f"{BASE}/tickets/{number}/comments"
    note = {"body": "Checked the hypervisor logs", "public": False}
    commented = keyed(desk.staff("L1"), "note-1")
    assert api.post(comments, json=note, headers=commented).status_code == 201
    assert api.post(comments, json=note, headers=commented).headers["idempotent-replayed"]
    assert count(engine, Comment) == 1
    ticket_id = ticket_row(engine, number).id
    with Session(engine) as session:
        moves = session.execute(
            select(func.count()).select_from(TicketHistory).where(
                TicketHistory.ticket_id == ticket_id, TicketHistory.to_value == "in_progress")
        ).scalar_one()
    assert moves == 1


def test_a_retried_escalation_is_not_escalated_again(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    number = file_ticket(api, desk)
    body = {"line": "L2", "group": "l2-linux", "reason": "Kernel panic: needs Linux admins"}
    headers = keyed(desk.staff("L1"), "escalate-1")
    first = ok(api.post(f"{BASE}/tickets/{number}/escalate", json=body, headers=headers))
    assert (first["line"], first["group"]) == ("L2", "l2-linux")
    # L1 may no longer touch the ticket, yet its retry still gets its answer.
    again = api.post(f"{BASE}/tickets/{number}/escalate", json=body, headers=headers)
    assert (again.status_code, again.json()) == (200, first)
