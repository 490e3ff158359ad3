"""The console shows times on the desk's clock (SELFSERVICE_CONSOLE_TIME_ZONE), not UTC."""

import re
from zoneinfo import ZoneInfo

import pytest
from console_helpers import sign_in
from engineer_helpers import Desk, file_ticket, ticket_row
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.config.settings import Settings

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def console_settings() -> Settings:
    return Settings(console_time_zone=MOSCOW)


def test_queue_and_ticket_page_show_moscow_time(app_client: TestClient, desk: Desk,
                                                engine: Engine) -> None:
    number = file_ticket(app_client, desk)
    row = ticket_row(engine, number)
    assert row.resolution_due is not None
    due = row.resolution_due.astimezone(MOSCOW)
    sign_in(app_client, "L1")
    queue = app_client.get("/console/queue").text
    assert "Due (MSK)" in queue
    assert f'{due:%d.%m %H:%M}</time>' in queue
    page = app_client.get(f"/console/tickets/{number}").text
    created = row.created_at.astimezone(MOSCOW)
    assert f"{created:%d.%m.%Y %H:%M} MSK" in page
    assert f"{due:%d.%m.%Y %H:%M} MSK" in page
    assert not re.search(r"\d\d:\d\d UTC", page)
