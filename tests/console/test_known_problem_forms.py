"""Known problems from the ticket page: tell customers, post an update, resolve; the
texts are asked in both languages and what is missing is named."""

import re

from console_helpers import csrf_of, phone_incident, sign_in
from engineer_helpers import Desk, file_ticket, ticket_row
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.domain.enums import Status


def test_an_engineer_tells_customers_updates_and_resolves_from_the_page(
    app_client: TestClient, desk: Desk, engine: Engine,
) -> None:
    csrf = sign_in(app_client, "L1")
    incident = phone_incident(app_client, csrf, "None of our VMs answer since 10:40")
    page = app_client.get(f"/console/tickets/{incident}", headers={"Accept-Language": "en"})
    assert "Tell customers" in page.text and 'name="title_ru"' in page.text

    half = app_client.post(f"/console/tickets/{incident}/known_problem", data={
        "csrf": csrf, "title_en": "ACME's VMs are down", "title_ru": "",
        "text_en": "Working on it.", "text_ru": "Работаем."})
    assert half.status_code == 409 and "title_ru" in half.text  # named, nothing stored
    assert "Tell customers" in half.text

    told = app_client.post(f"/console/tickets/{incident}/known_problem", data={
        "csrf": csrf, "title_en": "ACME's VMs are down", "title_ru": "ВМ ACME не отвечают",
        "text_en": "Working on it.", "text_ru": "Работаем.", "organisations": "acme",
        "next_update_minutes": "30"})
    assert told.status_code == 200 and "Customers are told" in told.text
    assert "ACME&#39;s VMs are down" in told.text and "next update by" in told.text
    banner = app_client.get("/api/v1/known-problems?lang=ru", headers=desk.contact()).json()
    assert [p["title"] for p in banner["problems"]] == ["ВМ ACME не отвечают"]

    child = file_ticket(app_client, desk)  # ACME files anyway: a child of the incident
    assert "Tell customers" not in app_client.get(f"/console/tickets/{child}").text
    problem = re.search(r'name="problem" value="(\d+)"', told.text)
    assert problem is not None
    updated = app_client.post(f"/console/tickets/{incident}/known_problem_update", data={
        "csrf": csrf_of(told.text), "problem": problem.group(1),
        "text_en": "Half of the hosts are back.", "text_ru": "Половина хостов вернулась."})
    assert "The update is shown to customers." in updated.text
    assert "Half of the hosts are back." in updated.text and child in updated.text

    resolved = app_client.post(f"/console/tickets/{incident}/known_problem_resolve", data={
        "csrf": csrf, "problem": problem.group(1),
        "resolution_en": "The hosts were restarted.", "resolution_ru": "Хосты перезапущены."})
    assert "Resolved: the incident and every child ticket are completed" in resolved.text
    assert ticket_row(engine, child).status is Status.COMPLETED
    assert ticket_row(engine, incident).status is Status.COMPLETED
    assert "Post an update" not in resolved.text  # nothing left to update


def test_the_forms_speak_russian_and_refuse_a_forged_post(
    app_client: TestClient, desk: Desk,
) -> None:
    csrf = sign_in(app_client, "L1")
    incident = phone_incident(app_client, csrf, "None of our VMs answer since 10:40")
    page = app_client.get(f"/console/tickets/{incident}", headers={"Accept-Language": "ru"})
    assert "Сообщить клиентам" in page.text and "Публичный заголовок (русский)" in page.text
    forged = app_client.post(f"/console/tickets/{incident}/known_problem", data={
        "csrf": "forged", "title_en": "x", "title_ru": "x", "text_en": "x", "text_ru": "x"})
    assert forged.status_code == 403
