"""Article feedback, the public search log, and per-organisation origins from the database."""

import time

from api_helpers import People, feedback, search_log
from sqlalchemy import Engine
from starlette.testclient import TestClient


def test_feedback_on_a_public_article_is_stored(
    api: TestClient, engine: Engine, people: People
) -> None:
    anonymous = api.post(
        "/api/v1/articles/reset-ru/feedback", json={"helped": False, "comment": "Письмо не пришло"}
    )
    assert anonymous.status_code == 201
    assert anonymous.json() == {"article": "reset-ru", "helped": False, "stored": True}
    signed_in = api.post(
        "/api/v1/articles/reset-en/feedback", json={"helped": True}, headers=people.bearer()
    )
    assert signed_in.status_code == 201
    rows = [(f.article_id, f.helped, f.comment, f.source, f.org_id) for f in feedback(engine)]
    assert rows == [
        ("reset-ru", False, "Письмо не пришло", "reader", None),
        ("reset-en", True, None, "reader", "acme"),
    ]
    assert feedback(engine)[1].contact_id is not None


def test_feedback_refusals(api: TestClient) -> None:
    internal = api.post("/api/v1/articles/unlock-en/feedback", json={"helped": True})
    assert (internal.status_code, internal.json()["error"]) == (404, "article_not_found")
    for body, code in (
        ({}, "required"),
        ({"helped": "yes"}, "not_a_boolean"),
        ({"helped": True, "comment": "x" * 2001}, "too_long"),
    ):
        response = api.post("/api/v1/articles/reset-en/feedback", json=body)
        assert (response.status_code, response.json()["error"]) == (400, code)
    unknown = api.post(
        "/api/v1/articles/reset-en/feedback", json={"helped": True, "conversation": "0" * 32}
    )
    assert unknown.status_code == 404


def test_public_searches_are_logged_with_the_confident_flag(
    api: TestClient, engine: Engine
) -> None:
    assert api.get("/api/v1/search?q=пароль&lang=ru&org=acme").status_code == 200
    assert api.get("/api/v1/search?q=zzzzqqq").status_code == 200
    logged = [(s.source, s.query, s.lang, s.confident, s.top, s.org_id) for s in search_log(engine)]
    assert logged == [
        ("search", "пароль", "ru", True, "reset-ru", "acme"),
        ("search", "zzzzqqq", None, False, None, None),
    ]


def test_cors_origins_come_from_the_organisation(api: TestClient) -> None:
    portal = "https://portal.acme.example"
    allowed = api.get("/api/v1/forms?org=acme", headers={"Origin": portal})
    assert allowed.headers["access-control-allow-origin"] == portal
    other = api.get("/api/v1/forms?org=globex", headers={"Origin": portal})
    assert "access-control-allow-origin" not in other.headers
    preflight = api.options(
        "/api/v1/tickets?org=acme",
        headers={
            "Origin": portal,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    unknown = api.get("/api/v1/forms?org=" + "x" * 100, headers={"Origin": portal})
    assert unknown.status_code == 200


def test_the_search_log_is_written_in_batches(engine: Engine) -> None:
    from datetime import UTC, datetime

    from selfservice.services.feedback import SearchEntry
    from selfservice.web.backend import SearchLogBuffer

    buffer = SearchLogBuffer(engine, interval=0.05)
    entry = SearchEntry(datetime.now(UTC), "vpn", "en", True, 3, "vpn-en")
    buffer.add(entry)
    buffer.add(entry)
    deadline = time.monotonic() + 5
    while len(search_log(engine)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [s.query for s in search_log(engine)] == ["vpn", "vpn"]
    buffer.add(entry)
    buffer.close()  # what happens when the process exits
    assert len(search_log(engine)) == 3
