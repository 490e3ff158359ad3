"""The conversation and the ticket path once on PostgreSQL (row locks, JSON, sequences)."""

import threading

import pytest
from api_helpers import People, conversation_row, outbox_for, say, ticket_row
from sqlalchemy import Engine
from starlette.testclient import TestClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("api_db_url", ["postgres"], indirect=True),
]


def test_conversation_to_ticket_on_postgres(
    api: TestClient, engine: Engine, people: People
) -> None:
    assert engine.dialect.name == "postgresql"
    auth = people.bearer()
    deflected = api.post("/api/v1/conversations", headers=auth).json()["id"]
    say(api, deflected, auth, text="I forgot my password")
    say(api, deflected, auth, action="open_article", article="reset-en")
    assert say(api, deflected, auth, action="solved")["outcome"] == "deflected"
    assert conversation_row(engine, deflected).outcome == "deflected"

    cid = api.post("/api/v1/conversations", headers=auth).json()["id"]
    say(api, cid, auth, text="I forgot my password")
    say(api, cid, auth, action="open_article", article="reset-en")
    say(api, cid, auth, action="need_help")
    say(api, cid, auth, action="choose_form", form="vm-down")
    response = api.post(
        "/api/v1/tickets",
        headers=auth,
        json={"form": "vm-down", "fields": {"vm_name": "web-01"}, "conversation": cid},
    )
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    ticket = ticket_row(engine, number)
    assert ticket.self_service_tried[0]["article"] == "reset-en"
    assert ticket.id is not None
    assert [m.kind for m in outbox_for(engine, ticket.id)] == ["registered"]
    row = conversation_row(engine, cid)
    assert (row.outcome, row.ticket_id) == ("ticket_filed", ticket.id)
    shown = api.get(f"/api/v1/tickets/{number}", headers=auth).json()
    assert shown["self_service_tried"][0]["helped"] is False


def test_concurrent_turns_are_serialised_by_the_row_lock(
    api: TestClient, engine: Engine, people: People
) -> None:
    cid = api.post("/api/v1/conversations").json()["id"]
    statuses: list[int] = []

    def press() -> None:
        response = api.post(f"/api/v1/conversations/{cid}/messages", json={"text": "vpn"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    row = conversation_row(engine, cid)
    assert row.turns == 6 and row.state["texts"] == ["vpn"] * 6
