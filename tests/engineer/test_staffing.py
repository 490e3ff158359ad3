"""Who may work a ticket: an assignee from another line or a manager is refused with 422,
and the line of the acting engineer is checked on the locked ticket, in the use case."""

from typing import Any

import pytest
from engineer_helpers import Desk, file_ticket, ok, ticket_row
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode, Line, Status
from selfservice.domain.errors import NotOnTheLine
from selfservice.services import comments, tickets
from selfservice.services.common import Actor
from selfservice.services.escalation import escalate_ticket
from selfservice.web.app import utc_now

BASE = "/api/v1/engineer"


def post(api: TestClient, desk: Desk, role: str, number: str, what: str,
         body: dict[str, Any], lang: str = "en") -> Any:
    return api.post(f"{BASE}/tickets/{number}/{what}?lang={lang}", json=body,
                    headers=desk.staff(role))


def to_l2(api: TestClient, desk: Desk) -> str:
    number = file_ticket(api, desk)
    ok(post(api, desk, "L1", number, "escalate",
            {"line": "L2", "group": "l2-linux", "reason": "needs Linux"}))
    return number


def test_an_l2_ticket_cannot_go_to_an_l1_engineer_or_a_manager(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    number = to_l2(api, desk)
    for role, code in (("L1", "assignee_wrong_line"), ("manager", "assignee_is_manager"),
                       ("L3", "assignee_wrong_line")):
        refused = post(api, desk, "L2", number, "assign", {"engineer_id": desk.id(role)})
        assert refused.status_code == 422, refused.text
        answer = refused.json()
        assert (answer["error"], answer["field"]) == (code, "engineer_id")
        assert "L2" in answer["message"]
    ru = post(api, desk, "L2", number, "assign", {"engineer_id": desk.id("L1")}, lang="ru")
    assert "Инженер линии L1" in ru.json()["message"] and "L2" in ru.json()["message"]
    ticket = ticket_row(engine, number)
    assert (ticket.status, ticket.assignee_id) == (Status.REGISTERED, None)
    taken = ok(post(api, desk, "L2", number, "assign", {"engineer_id": desk.id("L2")}))
    assert taken["assignee_id"] == desk.id("L2")
    # A plain reassignment (already Assigned) obeys the same rule.
    refused = post(api, desk, "L2", number, "assign", {"engineer_id": desk.id("manager")})
    assert refused.json()["error"] == "assignee_is_manager"
    assert ticket_row(engine, number).assignee_id == desk.id("L2")


def test_escalating_to_someone_of_another_line_is_refused_and_changes_nothing(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    number = file_ticket(api, desk)
    for role in ("L1", "L3", "manager"):
        refused = post(api, desk, "L1", number, "escalate", {
            "line": "L2", "group": "l2-linux", "reason": "x", "engineer_id": desk.id(role)})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "engineer_id"
    ticket = ticket_row(engine, number)
    assert (ticket.line, ticket.group_id) == (Line.L1, "service-desk")
    moved = ok(post(api, desk, "L1", number, "escalate", {
        "line": "L2", "group": "l2-linux", "reason": "x", "engineer_id": desk.id("L2")}))
    assert (moved["line"], moved["status"], moved["assignee_id"]) == (
        "L2", "assigned", desk.id("L2"))


def test_l3_brings_a_ticket_back_from_the_vendor(
    api: TestClient, engine: Engine, desk: Desk
) -> None:
    number = to_l2(api, desk)
    ok(post(api, desk, "L2", number, "escalate",
            {"line": "L3", "group": "l3-hardware", "reason": "disk controller",
             "engineer_id": desk.id("L3")}))
    ok(post(api, desk, "L3", number, "transition", {"to": "in_progress"}))
    ok(post(api, desk, "L3", number, "escalate",
            {"line": "external", "group": "vendor", "reason": "RMA"}))
    assert ticket_row(engine, number).line is Line.EXTERNAL
    refused = post(api, desk, "L2", number, "transition", {"to": "in_progress"})
    assert refused.status_code == 403
    back = ok(post(api, desk, "L3", number, "transition", {"to": "in_progress"}))
    assert back["status"] == "in_progress"


def test_the_use_cases_check_the_line_of_the_locked_ticket(
    api: TestClient, engine: Engine, desk: Desk, desk_config: SupportConfig
) -> None:
    # What an L1 engineer who looked at the ticket before it was escalated would run.
    number = to_l2(api, desk)
    tid = ticket_row(engine, number).id or 0
    l1 = Actor.engineer(desk.id("L1"))
    kw: dict[str, Any] = {"ticket_id": tid, "actor": l1, "now": utc_now(),
                          "config": desk_config}
    attempts = [
        lambda: tickets.assign(engine, engineer_id=desk.id("L1"), **kw),
        lambda: tickets.start_work(engine, **kw),
        lambda: tickets.request_information(engine, question="?", **kw),
        lambda: tickets.complete(engine, closure_code=ClosureCode.DUPLICATE, **kw),
        lambda: escalate_ticket(engine, target_line=Line.L3, target_group="l3-hardware",
                                reason="x", **kw),
        lambda: comments.add_comment(engine, body="hi", **kw),
    ]
    for attempt in attempts:
        with pytest.raises(NotOnTheLine) as refused:
            attempt()
        assert refused.value.params == {"role": "L1", "line": "L2"}
    ticket = ticket_row(engine, number)
    assert (ticket.status, ticket.line, ticket.assignee_id) == (Status.REGISTERED, Line.L2, None)
