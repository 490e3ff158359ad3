"""Malformed input to the engineers' and managers' endpoints is a 400 naming the field,
never a 500 and never a silent default (SQLite and PostgreSQL, see ``conftest.py``)."""

from typing import Any

from engineer_helpers import Desk, file_ticket, ok, ticket_row
from sqlalchemy import Engine
from starlette.testclient import TestClient


def refused(response: Any, field: str, error: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["error"], body["field"]) == (error, field), body


def test_null_where_a_value_is_needed_is_refused_and_nothing_changes(
    api: TestClient, desk: Desk, engine: Engine
) -> None:
    number = file_ticket(api, desk)
    url = f"/api/v1/engineer/tickets/{number}"
    l1 = desk.staff("L1")
    before = ticket_row(engine, number)

    refused(api.post(f"{url}/transition", json={"to": None}, headers=l1), "to", "not_null")
    escalation = {"line": None, "group": "l2-linux", "reason": "needs L2"}
    refused(api.post(f"{url}/escalate", json=escalation, headers=l1), "line", "not_null")
    # A manager's re-prioritisation without a reason used to go through, reason empty.
    priority = {"urgency": "high", "reason": None}
    refused(api.post(f"{url}/priority", json=priority, headers=desk.staff("manager")),
            "reason", "not_null")

    after = ticket_row(engine, number)
    assert (after.status, after.line, after.urgency) == (before.status, before.line,
                                                         before.urgency)
    assert "priority" not in {h["field"] for h in ok(api.get(url, headers=l1))["history"]}


def test_an_engineer_id_beyond_the_id_range_is_out_of_range(
    api: TestClient, desk: Desk, engine: Engine
) -> None:
    number = file_ticket(api, desk)
    url = f"/api/v1/engineer/tickets/{number}"
    l1 = desk.staff("L1")
    refused(api.post(f"{url}/assign", json={"engineer_id": 10**30}, headers=l1),
            "engineer_id", "out_of_range")
    refused(api.post(f"{url}/assign", json={"engineer_id": 0}, headers=l1),
            "engineer_id", "out_of_range")
    assert ticket_row(engine, number).assignee_id is None
    assigned = ok(api.post(f"{url}/assign", json={"engineer_id": desk.id("L1")}, headers=l1))
    assert assigned["assignee_id"] == desk.id("L1")


def test_nul_and_lone_surrogates_in_engineer_text_are_refused(
    api: TestClient, desk: Desk
) -> None:
    number = file_ticket(api, desk)
    l1 = desk.staff("L1")
    comments = f"/api/v1/engineer/tickets/{number}/comments"
    refused(api.post(comments, json={"body": "reboot\x00ed"}, headers=l1),
            "body", "invalid_character")
    call = ('{"org": "acme", "email": "anna@acme.example", "service": "vm",'
            ' "description": "VM down \\udc00"}')
    response = api.post("/api/v1/engineer/tickets", content=call.encode(),
                        headers={**l1, "content-type": "application/json"})
    refused(response, "description", "invalid_character")
    ok(api.post(comments, json={"body": "rebooted"}, headers=l1), 201)
    bodies = [c["body"] for c in ok(api.get(f"/api/v1/engineer/tickets/{number}",
                                            headers=l1))["comments"]]
    assert bodies == ["rebooted"]
