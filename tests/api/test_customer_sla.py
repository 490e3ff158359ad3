"""What the customer sees of their ticket: the SLA clock with a plain sentence, the values
they submitted with labels, the public status timeline; on SQLite and PostgreSQL."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from api_helpers import People, complete_as_engineer, ticket_row
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from selfservice.db.models import Organisation
from selfservice.domain.config import SupportConfig
from selfservice.services import tickets
from selfservice.services.common import Actor

pytestmark = pytest.mark.parametrize(
    "api_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)
ALMATY = ZoneInfo("Asia/Almaty")


def move_acme_to_almaty(engine: Engine) -> None:
    with Session(engine) as session:
        org = session.get(Organisation, "acme")
        assert org is not None
        org.time_zone = ALMATY.key
        session.add(org)
        session.commit()


def test_the_customer_sees_when_we_respond_and_the_clock_pauses_while_we_wait(
    api: TestClient, engine: Engine, people: People, config: SupportConfig
) -> None:
    move_acme_to_almaty(engine)
    auth = people.bearer()
    filed = api.post("/api/v1/tickets", headers=auth, json={
        "form": "vm-down", "fields": {"vm_name": "web-01", "os": "linux"},
        "description": "web-01 stopped answering after the night backup\nSince 03:00 today.",
    }).json()
    number = filed["number"]
    # The subject is the customer's first line, not the form's title.
    assert filed["subject"] == "web-01 stopped answering after the night backup"

    shown = api.get(f"/api/v1/tickets/{number}", headers=auth).json()
    sla = shown["sla"]
    due = datetime.fromisoformat(sla["response_due"])
    stored = ticket_row(engine, number).response_due
    assert stored is not None
    assert due == stored.replace(tzinfo=stored.tzinfo or UTC)
    assert due.utcoffset() == datetime.now(ALMATY).utcoffset()  # in the organisation's zone
    assert sla["paused"] is False and sla["responded"] is False
    assert sla["sentence"].startswith("We will respond by ")
    assert due.strftime("%H:%M") in sla["sentence"]
    assert shown["form_name"] == "VM is not responding"
    assert shown["submitted"] == [
        {"id": "vm_name", "label": "VM name", "value": "web-01"},
        {"id": "os", "label": "Operating system", "value": "Linux"},
    ]
    assert [(h["from"], h["to"]) for h in shown["history"]] == [(None, "registered")]

    ru = api.get(f"/api/v1/tickets/{number}?lang=ru", headers=auth).json()
    assert ru["sla"]["sentence"].startswith("Ответим до ")
    assert ru["form_name"] == "ВМ не отвечает"
    assert ru["submitted"][0]["label"] == "Имя ВМ"

    ticket_id = ticket_row(engine, number).id
    assert ticket_id is not None
    actor = Actor.engineer(people.engineer_id)
    now = datetime.now(UTC)
    tickets.assign(engine, ticket_id=ticket_id, actor=actor, engineer_id=people.engineer_id,
                   now=now, config=config)
    tickets.start_work(engine, ticket_id=ticket_id, actor=actor, now=now, config=config)
    tickets.request_information(engine, ticket_id=ticket_id, actor=actor, now=now,
                                config=config, question="Which backup job?")
    waiting = api.get(f"/api/v1/tickets/{number}", headers=auth).json()
    assert waiting["sla"]["paused"] is True
    assert waiting["sla"]["sentence"] == "The clock is paused until you answer."
    # Taking the ticket into work is shown; who took it is not a status the customer sees
    # apart from the change itself.
    assert [h["to"] for h in waiting["history"]] == [
        "registered", "assigned", "in_progress", "information_needed"]

    api.post(f"/api/v1/tickets/{number}/comments", headers=auth, json={"text": "The 02:00 one"})
    answered = api.get(f"/api/v1/tickets/{number}", headers=auth).json()
    assert answered["sla"]["paused"] is False
    assert answered["sla"]["responded"] is True
    assert answered["sla"]["sentence"].startswith("We plan to resolve it by ")


def test_a_done_ticket_promises_nothing_and_asks_no_phone_call(
    api: TestClient, engine: Engine, people: People, config: SupportConfig
) -> None:
    auth = people.bearer()
    number = api.post("/api/v1/tickets", headers=auth, json={
        "form": "vm-down", "fields": {"vm_name": "web-02"}, "urgency": "very_high",
    }).json()["number"]
    complete_as_engineer(engine, number=number, engineer_id=people.engineer_id, config=config)
    assert api.post(f"/api/v1/tickets/{number}/confirm", headers=auth).status_code == 200
    shown = api.get(f"/api/v1/tickets/{number}", headers=auth).json()
    assert shown["status"] == "closed"
    assert shown["sla"]["sentence"] is None
    assert shown["sla"]["response_due"] is None and shown["sla"]["resolution_due"] is None
    # Without a description the form's title stays the subject.
    assert shown["subject"] == "VM is not responding"


def test_me_gives_the_contracts_support_hours_and_first_response_target(
    api: TestClient, people: People
) -> None:
    support = api.get("/api/v1/me", headers=people.bearer()).json()["support"]
    # The standard contract: P1 runs around the clock with a 15-minute response.
    assert support["text"]["en"] == "24/7 · first response within 15 min for critical problems"
    assert support["text"]["ru"] == "24/7 · первый ответ в течение 15 мин для критичных проблем"


def test_a_russian_interface_shows_no_english_form_title(api: TestClient, people: People) -> None:
    auth = people.bearer("ivan@acme.example")
    number = api.post("/api/v1/tickets?lang=ru", headers=auth, json={
        "form": "vm-down", "fields": {"vm_name": "web-03"}}).json()["number"]
    listed = api.get("/api/v1/tickets?lang=ru", headers=auth).json()["tickets"]
    assert [t["subject"] for t in listed if t["number"] == number] == ["ВМ не отвечает"]
    shown = api.get(f"/api/v1/tickets/{number}?lang=ru", headers=auth).json()
    assert (shown["subject"], shown["form_name"]) == ("ВМ не отвечает", "ВМ не отвечает")
