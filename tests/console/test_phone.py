"""Phone registration from the console: find the authorised caller, register the ticket
on their behalf (channel phone), refuse what should be refused."""

import re

from console_helpers import csrf_of, sign_in
from engineer_helpers import Desk, ticket_row
from sqlalchemy import Engine, text
from starlette.testclient import TestClient

from selfservice.domain.enums import Channel, Urgency
from selfservice.services import admin


def _register(client: TestClient, csrf: str, contact: str, **values: str) -> object:
    return client.post("/console/phone", data={
        "csrf": csrf, "contact": contact, "service": "compute", "type": "incident",
        "urgency": "high", "impact": "low", "subject": "", **values})


def test_an_l1_engineer_registers_a_call_for_a_contact_found_by_contract(
    app_client: TestClient, desk: Desk, engine: Engine
) -> None:
    csrf = sign_in(app_client, "L1")
    found = app_client.get("/console/phone?q=c-1", headers={"Accept-Language": "en"})
    assert found.status_code == 200 and "anna@acme.example" in found.text
    link = re.search(r'href="/console/phone\?contact=(\d+)">Register a call from Anna', found.text)
    assert link is not None
    form = app_client.get(f"/console/phone?contact={link.group(1)}")
    assert 'name="description"' in form.text and "Contract C-1" in form.text
    done = _register(app_client, csrf_of(form.text), link.group(1),
                     description="web-01 is down since 10:40, ping times out")
    assert done.url.path.startswith("/console/tickets/")  # type: ignore[attr-defined]
    assert "Registered from the phone call" in done.text  # type: ignore[attr-defined]
    number = done.url.path.rsplit("/", 1)[1]  # type: ignore[attr-defined]
    ticket = ticket_row(engine, number)
    assert ticket.channel is Channel.PHONE and ticket.urgency is Urgency.HIGH
    assert ticket.urgency_confirmed  # said on the phone: nobody has to call back
    assert csrf


def test_refusals_are_said_and_nothing_is_registered(
    app_client: TestClient, desk: Desk, engine: Engine
) -> None:
    csrf = sign_in(app_client, "L1")
    anna = next(c for c, _org in admin.find_contacts(engine, query="anna"))
    empty = _register(app_client, csrf, str(anna.id), description="  ")
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert "the description is required" in empty.text  # type: ignore[attr-defined]
    forged = _register(app_client, "forged", str(anna.id), description="x")
    assert forged.status_code == 403  # type: ignore[attr-defined]
    admin.disable_contact(engine, org_id="acme", email="anna@acme.example")
    assert "anna@acme.example" not in app_client.get("/console/phone?q=anna").text
    gone = _register(app_client, csrf, str(anna.id), description="still calling")
    assert gone.status_code == 404  # type: ignore[attr-defined]
    assert "not an authorised contact" in gone.text  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tickets")).scalar_one() == 0
    assert app_client.get("/console/phone?q=%25").text.count("<tr>") == 0  # % is a letter
    russian = app_client.get("/console/phone?q=zzz&lang=ru", headers={"Accept-Language": "ru"})
    assert "Нет авторизованных контактных лиц" in russian.text
