"""Filing and following tickets as a signed-in contact."""

from datetime import UTC, datetime
from typing import Any

import pytest
from api_helpers import (
    People,
    complete_as_engineer,
    conversation_row,
    events,
    kinds,
    outbox_for,
    say,
    ticket_row,
)
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.delivery.notify_templates import STATUS_LABELS
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Status
from selfservice.services import comments
from selfservice.services.common import Actor

VM_FORM = {"form": "vm-down", "fields": {"vm_name": "web-01", "os": "linux"}}


def file(api: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = api.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_conversation_need_help_form_ticket(
    api: TestClient, engine: Engine, people: People
) -> None:
    auth = people.bearer()
    cid = api.post("/api/v1/conversations", json={"lang": "en"}, headers=auth).json()["id"]
    say(api, cid, auth, text="I forgot my password")
    say(api, cid, auth, action="open_article", article="reset-en")
    say(api, cid, auth, action="need_help")
    say(api, cid, auth, text="the VM web-01 is not responding either")
    chosen = say(api, cid, auth, action="choose_form", form="vm-down")
    assert kinds(chosen) == ["text", "form"]

    filed = file(api, auth, conversation=cid, description="Since 9:00.", **VM_FORM)
    number = filed["number"]
    assert number.startswith("INC-")
    assert (filed["status"], filed["priority"], filed["channel"]) == ("registered", "P4", "widget")
    assert filed["phone_confirmation"]["required"] is False
    assert filed["messages"][0]["type"] == "confirmation"
    assert number in filed["message"]

    ticket = ticket_row(engine, number)
    assert ticket.form_id == "vm-down" and ticket.fields["vm_name"] == "web-01"
    assert ticket.self_service_tried == [
        {"article": "reset-en", "title": "Reset a forgotten password", "steps_total": 2,
         "steps_seen": 1, "helped": False},
    ]  # fmt: skip
    assert ticket.id is not None
    mails = outbox_for(engine, ticket.id)
    assert [(m.kind, m.to_addr) for m in mails] == [("registered", "anna@acme.example")]
    assert number in mails[0].subject

    row = conversation_row(engine, cid)
    assert (row.outcome, row.ticket_id) == ("ticket_filed", ticket.id)
    assert events(engine, cid)[-1] == "ticket_filed"
    # One conversation files one ticket.
    again = api.post("/api/v1/tickets", json={**VM_FORM, "conversation": cid}, headers=auth)
    assert (again.status_code, again.json()["error"]) == (409, "conversation_closed")


def test_an_anonymous_conversation_is_filed_by_the_contact_who_signs_in(
    api: TestClient, engine: Engine, people: People
) -> None:
    cid = api.post("/api/v1/conversations").json()["id"]
    say(api, cid, text="VM web-01 hangs")
    filed = file(api, people.bearer(), conversation=cid, **VM_FORM)
    row = conversation_row(engine, cid)
    assert row.outcome == "ticket_filed" and row.contact_id is not None
    assert ticket_row(engine, filed["number"]).description == "VM web-01 hangs"


def test_free_text_is_classified(api: TestClient, engine: Engine, people: People) -> None:
    filed = file(
        api,
        people.bearer(),
        description="Our virtual machine does not respond "
        "since this morning, the console is black.",
    )
    assert (filed["type"], filed["service"], filed["form"]) == ("incident", "compute", None)
    assert filed["number"].startswith("INC-")
    assert filed["subject"].startswith("Our virtual machine")
    request = file(
        api,
        people.bearer(),
        description="Please create a new account for our new colleague and reset the password",
    )
    assert (request["type"], request["service"]) == ("request", "identity")
    assert ticket_row(engine, request["number"]).channel.value == "portal"


def test_form_errors_are_422_with_a_list_per_field(api: TestClient, people: People) -> None:
    body = {"form": "vm-down", "fields": {"vm_name": "not a host!", "os": "beos", "rdp_port": 3389}}
    for lang, word in (("en", "form"), ("ru", "форм")):
        response = api.post(f"/api/v1/tickets?lang={lang}", json=body, headers=people.bearer())
        assert response.status_code == 422
        answer = response.json()
        assert answer["error"] == "invalid_submission" and word in answer["message"]
        assert {e["field"] for e in answer["errors"]} >= {"vm_name", "os"}
        assert all(e["message"] for e in answer["errors"])
    missing = api.post(
        "/api/v1/tickets", json={"form": "vm-down", "fields": {}}, headers=people.bearer()
    )
    assert [e["field"] for e in missing.json()["errors"]] == ["vm_name"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"form": "nope", "fields": {}}, 404, "form_not_found"),
        ({"description": "   "}, 422, "description_required"),
        ({}, 422, "description_required"),
        ({"description": "x", "urgency": "urgent"}, 400, "invalid_choice"),
        ({"description": "x", "fields": []}, 400, "not_an_object"),
        ({"description": 1}, 400, "not_a_string"),
        ({"description": "x", "conversation": "0" * 32}, 404, "conversation_not_found"),
    ],
)
def test_ticket_refusals(
    api: TestClient, people: People, body: dict[str, Any], status: int, code: str
) -> None:
    response = api.post("/api/v1/tickets", json=body, headers=people.bearer())
    assert (response.status_code, response.json()["error"]) == (status, code)


@pytest.mark.parametrize(("lang", "words"), [("en", "please call"), ("ru", "позвоните")])
def test_high_urgency_needs_phone_confirmation(
    api: TestClient, engine: Engine, people: People, lang: str, words: str
) -> None:
    filed = file(api, people.bearer(), urgency="very_high", **VM_FORM)
    assert filed["urgency_confirmed"] is False
    response = api.post(
        f"/api/v1/tickets?lang={lang}", json={**VM_FORM, "urgency": "high"}, headers=people.bearer()
    )
    notice = response.json()["phone_confirmation"]
    assert notice["required"] is True and notice["phone"] == "+7 495 000-00-00"
    assert words in notice["message"] and "+7 495 000-00-00" in notice["message"]
    assert ticket_row(engine, filed["number"]).urgency_confirmed is False


def test_raising_urgency_later_also_needs_the_phone(api: TestClient, people: People) -> None:
    number = file(api, people.bearer(), **VM_FORM)["number"]
    response = api.post(
        f"/api/v1/tickets/{number}/urgency",
        json={"urgency": "very_high", "reason": "all users are down"},
        headers=people.bearer(),
    )
    assert response.status_code == 200
    answer = response.json()
    assert (answer["urgency"], answer["priority"], answer["urgency_confirmed"]) == (
        "very_high",
        "P2",
        False,
    )
    assert answer["phone_confirmation"]["required"] is True
    lowered = api.post(
        f"/api/v1/tickets/{number}/urgency", json={"urgency": "low"}, headers=people.bearer()
    ).json()
    assert lowered["phone_confirmation"] == {"required": False, "phone": None, "message": None}


def test_a_contact_reads_the_organisations_tickets_only(
    api: TestClient, engine: Engine, people: People, config: SupportConfig
) -> None:
    anna = file(api, people.bearer(), **VM_FORM)["number"]
    ivan = file(api, people.bearer("ivan@acme.example"), description="VPN is down")["number"]
    bob = file(api, people.bearer("bob@globex.example", org="globex"), **VM_FORM)["number"]

    listed = api.get("/api/v1/tickets", headers=people.bearer()).json()["tickets"]
    assert [t["number"] for t in listed] == [ivan, anna]
    globex = api.get("/api/v1/tickets", headers=people.bearer("bob@globex.example", org="globex"))
    assert [t["number"] for t in globex.json()["tickets"]] == [bob]
    only = api.get("/api/v1/tickets?status=closed", headers=people.bearer())
    assert only.json()["tickets"] == []

    for path in (f"/api/v1/tickets/{bob}", "/api/v1/tickets/INC-999999"):
        response = api.get(path, headers=people.bearer())
        assert (response.status_code, response.json()["error"]) == (404, "ticket_not_found")
    for action, body in (
        ("comments", {"text": "hi"}),
        ("urgency", {"urgency": "high"}),
        ("confirm", {}),
        ("reject", {"reason": "no"}),
    ):
        response = api.post(f"/api/v1/tickets/{bob}/{action}", json=body, headers=people.bearer())
        assert response.status_code == 404, action

    ticket_id = ticket_row(engine, anna).id
    assert ticket_id is not None
    engineer = Actor.engineer(people.engineer_id)
    now = datetime.now(UTC)
    comments.add_comment(
        engine,
        ticket_id=ticket_id,
        actor=engineer,
        now=now,
        config=config,
        body="INTERNAL: customer's VM is on the failing host",
        public=False,
    )
    comments.add_comment(
        engine,
        ticket_id=ticket_id,
        actor=engineer,
        now=now,
        config=config,
        body="We are looking at it.",
    )
    details = api.get(f"/api/v1/tickets/{anna}", headers=people.bearer("ivan@acme.example"))
    assert details.status_code == 200
    shown = details.json()
    assert [c["body"] for c in shown["comments"]] == ["We are looking at it."]
    assert "INTERNAL" not in details.text
    assert shown["comments"][0]["author"] == "support"
    assert shown["actions"] == ["comment", "urgency"]


def test_comment_confirm_and_reject_a_completed_ticket(
    api: TestClient, engine: Engine, people: People, config: SupportConfig
) -> None:
    auth = people.bearer()
    first = file(api, auth, **VM_FORM)["number"]
    comment = api.post(
        f"/api/v1/tickets/{first}/comments", json={"text": "It is web-01."}, headers=auth
    )
    assert comment.status_code == 201
    assert (comment.json()["author"], comment.json()["mine"]) == ("contact", True)
    early = api.post(f"/api/v1/tickets/{first}/confirm", headers=auth)
    assert early.status_code == 409

    complete_as_engineer(engine, number=first, engineer_id=people.engineer_id, config=config)
    details = api.get(f"/api/v1/tickets/{first}", headers=auth).json()
    assert details["status"] == "completed"
    assert details["actions"] == ["comment", "urgency", "confirm", "reject"]
    no_reason = api.post(f"/api/v1/tickets/{first}/reject", json={}, headers=auth)
    assert (no_reason.status_code, no_reason.json()["error"]) == (400, "required")
    confirmed = api.post(
        f"/api/v1/tickets/{first}/confirm", json={"comment": "Thanks!"}, headers=auth
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "closed" and confirmed.json()["closed_at"]
    closed = api.post(f"/api/v1/tickets/{first}/comments", json={"text": "one more"}, headers=auth)
    assert (closed.status_code, closed.json()["error"]) == (409, "closed_is_final")

    second = file(api, auth, **VM_FORM)["number"]
    complete_as_engineer(engine, number=second, engineer_id=people.engineer_id, config=config)
    rejected = api.post(
        f"/api/v1/tickets/{second}/reject",
        json={"reason": "The VM hangs again after an hour."},
        headers=auth,
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected_by_user"
    shown = api.get(f"/api/v1/tickets/{second}", headers=auth).json()
    assert shown["comments"][-1]["body"] == "The VM hangs again after an hour."
    ticket_id = ticket_row(engine, second).id
    assert ticket_id is not None
    last = outbox_for(engine, ticket_id)[-1]  # the changes of these seconds, as one mail
    assert last.kind == "ticket_update"
    assert STATUS_LABELS[last.language][Status.REJECTED_BY_USER] in last.subject


def test_answering_information_needed_resumes_the_ticket(
    api: TestClient, engine: Engine, people: People, config: SupportConfig
) -> None:
    from selfservice.services import tickets

    number = file(api, people.bearer(), **VM_FORM)["number"]
    ticket_id = ticket_row(engine, number).id
    assert ticket_id is not None
    tickets.request_information(
        engine,
        ticket_id=ticket_id,
        config=config,
        actor=Actor.engineer(people.engineer_id),
        question="Which data centre?",
        now=datetime.now(UTC),
    )
    answer = api.post(
        f"/api/v1/tickets/{number}/comments", json={"text": "Frankfurt"}, headers=people.bearer()
    )
    assert answer.status_code == 201 and answer.json()["body"] == "Frankfurt"
    assert ticket_row(engine, number).status.value == "registered"
