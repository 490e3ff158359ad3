"""Text the API refuses before it reaches a database, on SQLite and on PostgreSQL.

NUL (PostgreSQL cannot store it, and a failed insert used to be a 500 or cost a whole
batch of the search log) and lone surrogates (no UTF-8 encoder takes them) are refused
with 400 ``invalid_character`` naming the field, in JSON bodies, query strings and
paths; ``null`` only where the document allows it; JSON nested too deep is a 400.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from api_helpers import People, feedback, search_log
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.services.feedback import SearchEntry
from selfservice.web.backend import SearchLogBuffer
from selfservice.web.inputs import MAX_DEPTH

pytestmark = pytest.mark.parametrize(
    "api_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
VM_FORM = {"form": "vm-down", "fields": {"vm_name": "web-01"}}


def refused(response: Any, field: str | None, error: str = "invalid_character") -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["error"], body["field"]) == (error, field), body


def raw_json(client: TestClient, path: str, text: str, headers: dict[str, str]) -> Any:
    """POST a body exactly as written (json= would escape or refuse what we send)."""
    return client.post(path, content=text.encode(),
                       headers={**headers, "content-type": "application/json"})


def test_nul_in_ticket_and_conversation_text_is_refused_naming_the_field(
    api: TestClient, people: People
) -> None:
    auth = people.bearer()
    bad_form = {"form": "vm-down", "fields": {"vm_name": "web\x00-01"}}
    refused(api.post("/api/v1/tickets", json=bad_form, headers=auth), "fields.vm_name")
    assert api.get("/api/v1/tickets", headers=auth).json()["tickets"] == []

    number = api.post("/api/v1/tickets", json=VM_FORM, headers=auth).json()["number"]
    comments = f"/api/v1/tickets/{number}/comments"
    refused(api.post(comments, json={"text": "pass\x00word"}, headers=auth), "text")
    conversation = api.post("/api/v1/conversations", headers=auth).json()["id"]
    turn = f"/api/v1/conversations/{conversation}/messages"
    refused(api.post(turn, json={"text": "my pass\x00word"}, headers=auth), "text")

    # Nothing half-written: the same requests without the NUL go through.
    assert api.post(comments, json={"text": "password"}, headers=auth).status_code == 201
    assert api.post(turn, json={"text": "forgot my password"}, headers=auth).status_code == 200
    shown = api.get(f"/api/v1/tickets/{number}", headers=auth).json()["comments"]
    assert [c["body"] for c in shown] == ["password"]


def test_a_lone_surrogate_is_refused_and_a_pair_is_kept(api: TestClient, people: People) -> None:
    auth = people.bearer()
    number = api.post("/api/v1/tickets", json=VM_FORM, headers=auth).json()["number"]
    comments = f"/api/v1/tickets/{number}/comments"
    response = raw_json(api, comments + "?lang=ru", '{"text": "a\\ud800b"}', auth)
    refused(response, "text")
    assert "недопустимый символ" in response.json()["message"]
    refused(raw_json(api, comments, '{"t\\udfffext": "ok"}', auth), "t\ufffdext")

    added = raw_json(api, comments, '{"text": "VM is down \\ud83d\\ude00"}', auth)
    assert added.status_code == 201, added.text
    assert added.json()["body"] == "VM is down \U0001f600"


def test_nul_in_a_query_string_or_path_is_refused(
    api: TestClient, people: People, engine: Engine
) -> None:
    for q in ("reset password", "vpn", "printer"):
        assert api.get("/api/v1/search", params={"q": q}).status_code == 200
    refused(api.get("/api/v1/search?q=pass%00word"), "q")
    refused(api.get("/api/v1/search?q=vpn&org=ac%00me"), "org")
    refused(api.get("/api/v1/tickets/INC-%0000001", headers=people.bearer()), "path")
    assert [row.query for row in search_log(engine)] == ["reset password", "vpn", "printer"]


def test_a_search_log_batch_survives_one_entry_the_database_refuses(engine: Engine) -> None:
    """20 searches buffered, one with a NUL (PostgreSQL refuses it): the other 19 are
    stored (all 20 used to be lost). SQLite stores NUL, so there all 20 are kept."""
    buffer = SearchLogBuffer(engine, interval=3600)
    now = datetime.now(UTC)
    queries = [f"query {i}" for i in range(20)]
    queries[7] = "pass\x00word"
    try:
        for query in queries:
            buffer.add(SearchEntry(at=now, query=query, lang="en", confident=False,
                                   results=0, top=None, org_id=None))
        buffer.flush()
    finally:
        buffer.close()
    stored = [row.query for row in search_log(engine)]
    good = [q for q in queries if "\x00" not in q]
    assert [q for q in stored if "\x00" not in q] == good
    assert len(stored) in (19, 20)


def test_null_is_refused_where_the_document_does_not_allow_it(
    api: TestClient, people: People, engine: Engine
) -> None:
    refused(api.post("/api/v1/articles/reset-en/feedback", json={"helped": None}),
            "helped", "not_null")
    assert feedback(engine) == []
    auth = people.bearer()
    number = api.post("/api/v1/tickets", json=VM_FORM, headers=auth).json()["number"]
    refused(api.post(f"/api/v1/tickets/{number}/urgency", json={"urgency": None}, headers=auth),
            "urgency", "not_null")
    refused(api.post("/api/v1/conversations", json={"lang": None}), "lang", "not_null")
    # Where the document says nullable, null still means "not given".
    urgency = {"urgency": "low", "reason": None}
    assert api.post(f"/api/v1/tickets/{number}/urgency", json=urgency,
                    headers=auth).status_code == 200


def test_deeply_nested_or_non_json_numbers_are_refused(api: TestClient, people: People) -> None:
    auth = people.bearer()
    deep = "[" * 1000 + "]" * 1000
    response = raw_json(api, "/api/v1/tickets", deep, auth)
    assert (response.status_code, response.json()["error"]) == (400, "too_deep")
    nested: Any = "web-01"
    for _ in range(MAX_DEPTH + 1):
        nested = {"x": nested}
    form = {"form": "vm-down", "fields": {"vm_name": nested}}
    response = api.post("/api/v1/tickets", json=form, headers=auth)
    assert (response.status_code, response.json()["error"]) == (400, "too_deep")
    assert response.json()["field"].startswith("fields.vm_name.x.x")
    for number in ("NaN", "1e400"):
        body = f'{{"form": "vm-down", "fields": {{"vm_name": "web-01", "n": {number}}}}}'
        refused(raw_json(api, "/api/v1/tickets", body, auth), None, "invalid_json")


def test_a_missing_token_is_401_before_any_parameter_is_checked(
    api: TestClient, people: People
) -> None:
    assert api.get("/api/v1/tickets?status=bogus").status_code == 401
    assert api.get("/api/v1/me?lang=xx").status_code == 401
    refused(api.get("/api/v1/me?lang=xx", headers=people.bearer()), "lang", "invalid_choice")


def test_a_wrong_method_names_every_method_of_the_path(api: TestClient) -> None:
    response = api.delete("/api/v1/tickets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
