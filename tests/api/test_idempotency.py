"""``Idempotency-Key`` on the customer API: a retry gets the first answer and does nothing
again, on SQLite and on PostgreSQL."""

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from api_helpers import People, conversation_row, events, feedback, outbox_for, ticket_row
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import Comment, Conversation, IdempotentAnswer, Ticket
from selfservice.domain.idempotency import lock_id
from selfservice.search import SearchIndex
from selfservice.services.idempotency import purge_expired
from selfservice.web import idempotency
from selfservice.web.app import create_app
from selfservice.web.backend import Backend
from selfservice.web.ratelimit import NoRateLimit

pytestmark = pytest.mark.parametrize(
    "api_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

PRINTER = {"description": "The office printer prints blank pages", "subject": "Printer"}


@pytest.fixture(scope="module")
def search_index(fixture_kb: Path, content: Content) -> Iterator[SearchIndex]:
    # Words only: these tests file tickets, they do not rank anything.
    index = SearchIndex.open_or_build(fixture_kb.parent / "index-words", content, semantic=False)
    yield index
    index.close()


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_retried_ticket_is_filed_once(api: TestClient, engine: Engine, people: People) -> None:
    headers = keyed(people.bearer(), "3f1c2a9e-retry-me")
    first = api.post("/api/v1/tickets", json=PRINTER, headers=headers)
    again = api.post("/api/v1/tickets", json=PRINTER, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["content-type"] == "application/json"
    assert count(engine, Ticket) == 1
    ticket_id = ticket_row(engine, first.json()["number"]).id
    assert ticket_id is not None
    assert [m.kind for m in outbox_for(engine, ticket_id)] == ["registered"]  # one e-mail

    another = api.post("/api/v1/tickets", json=PRINTER, headers=keyed(people.bearer(), "other"))
    assert another.json()["number"] != first.json()["number"]
    assert count(engine, Ticket) == 2


def test_the_same_key_for_another_request_is_422(
    api: TestClient, engine: Engine, people: People
) -> None:
    headers = keyed(people.bearer(), "k-422")
    assert api.post("/api/v1/tickets", json=PRINTER, headers=headers).status_code == 201
    changed = api.post("/api/v1/tickets", json={**PRINTER, "subject": "Scanner"}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["error"] == "idempotency_key_reused"
    assert changed.json()["field"] == "Idempotency-Key"
    elsewhere = api.post("/api/v1/tickets?lang=ru", json=PRINTER, headers=headers)
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (422, "Idempotency-Key")
    assert "Idempotency-Key" in elsewhere.json()["message"]
    assert count(engine, Ticket) == 1


@pytest.mark.parametrize("key", [b"", b"  ", b"x" * 256, "ключ".encode(), b"a\x01b"])
def test_a_bad_key_is_400_naming_the_header(
    api: TestClient, engine: Engine, people: People, key: bytes
) -> None:
    headers: dict[str, Any] = {**people.bearer(), "Idempotency-Key": key}
    refused = api.post("/api/v1/tickets", json=PRINTER, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_idempotency_key"
    assert refused.json()["field"] == "Idempotency-Key"
    assert count(engine, Ticket) == 0


def test_a_bad_key_without_sign_in_hears_about_the_sign_in_first(api: TestClient) -> None:
    headers = {"Idempotency-Key": "ключ".encode()}
    refused = api.post("/api/v1/tickets", json=PRINTER, headers=headers)
    assert (refused.status_code, refused.json()["error"]) == (401, "sign_in_required")


def test_a_quoted_key_and_the_longest_key_are_accepted(api: TestClient, people: People) -> None:
    for key in ('"a structured-field string"', "k" * 255):
        first = api.post("/api/v1/tickets", json=PRINTER, headers=keyed(people.bearer(), key))
        again = api.post("/api/v1/tickets", json=PRINTER, headers=keyed(people.bearer(), key))
        assert (first.status_code, again.headers.get("idempotent-replayed")) == (201, "true")


def test_keys_belong_to_their_caller(api: TestClient, engine: Engine, people: People) -> None:
    anna = api.post("/api/v1/tickets", json=PRINTER, headers=keyed(people.bearer(), "shared"))
    bob = api.post(
        "/api/v1/tickets", json=PRINTER,
        headers=keyed(people.bearer("bob@globex.example", org="globex"), "shared"),
    )
    assert anna.status_code == bob.status_code == 201
    assert "idempotent-replayed" not in bob.headers
    assert bob.json()["number"] != anna.json()["number"]
    assert ticket_row(engine, bob.json()["number"]).org_id == "globex"


def test_a_refused_request_does_not_use_up_its_key(
    api: TestClient, engine: Engine, people: People
) -> None:
    headers = keyed(people.bearer(), "fix-and-resend")
    wrong = api.post("/api/v1/tickets", json={"form": "no-such-form"}, headers=headers)
    assert wrong.status_code == 404
    again = api.post("/api/v1/tickets", json={"form": "no-such-form"}, headers=headers)
    assert again.status_code == 404 and "idempotent-replayed" not in again.headers
    assert count(engine, IdempotentAnswer) == 0


def test_conversation_messages_feedback_and_comments_are_not_repeated(
    api: TestClient, engine: Engine, people: People
) -> None:
    def twice(path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        first = api.post(path, json=body, headers=headers)
        again = api.post(path, json=body, headers=headers)
        assert first.status_code < 300, first.text
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        assert again.headers["idempotent-replayed"] == "true"
        answer: dict[str, Any] = first.json()
        return answer

    anonymous = keyed({}, "start-1")
    started = twice("/api/v1/conversations", {"lang": "en"}, anonymous)
    assert count(engine, Conversation) == 1
    cid = started["id"]
    twice(f"/api/v1/conversations/{cid}/messages", {"text": "forgot my password"},
          keyed({}, "turn-1"))
    assert events(engine, cid).count("search") == 1
    twice("/api/v1/articles/reset-en/feedback", {"helped": True}, keyed({}, "fb-1"))
    assert len(feedback(engine)) == 1
    assert conversation_row(engine, cid).outcome is None

    filed = api.post("/api/v1/tickets", json=PRINTER, headers=people.bearer()).json()
    number = filed["number"]
    twice(f"/api/v1/tickets/{number}/comments", {"text": "It is the one on floor 2"},
          keyed(people.bearer(), "comment-1"))
    assert count(engine, Comment) == 1


def test_a_retry_while_the_first_is_running_is_409(
    api: TestClient, engine: Engine, people: People, api_db_url: str
) -> None:
    headers = keyed(people.bearer(), "slow")
    if engine.dialect.name == "postgresql":
        # Another server process holds the key: it is working on the first request.
        contact = ticket_scope(people, engine)
        with psycopg.connect(libpq(api_db_url), autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s)", (lock_id(contact, "slow"),))
            busy = api.post("/api/v1/tickets", json=PRINTER, headers=headers)
        answers = [busy]
    else:
        answers = _two_at_once(api, engine, headers)
    busy = next(a for a in answers if a.status_code == 409)
    assert busy.json()["error"] == "idempotency_key_in_use"
    assert busy.json()["field"] == "Idempotency-Key"
    after = api.post("/api/v1/tickets", json=PRINTER, headers=headers)
    assert after.status_code == 201
    assert count(engine, Ticket) == 1


def _two_at_once(api: TestClient, engine: Engine, headers: dict[str, str]) -> list[Any]:
    """The first request waits for the database's write lock (held here) while the
    second, with the same key, arrives."""
    answers: list[Any] = []
    blocker = sqlite3.connect(str(engine.url.database), isolation_level=None)
    with closing(blocker):
        blocker.execute("BEGIN IMMEDIATE")
        first = threading.Thread(
            target=lambda: answers.append(api.post("/api/v1/tickets", json=PRINTER,
                                                   headers=headers))
        )
        first.start()
        try:
            deadline = time.monotonic() + 10
            while not idempotency._RUNNING and time.monotonic() < deadline:
                time.sleep(0.01)  # until the first request is under way
            answers.append(api.post("/api/v1/tickets", json=PRINTER, headers=headers))
        finally:
            blocker.execute("ROLLBACK")
            first.join(timeout=30)
    assert sorted(a.status_code for a in answers) == [201, 409]
    return answers


def ticket_scope(people: People, engine: Engine) -> str:
    with Session(engine) as session:
        contact_id = session.execute(
            text("SELECT id FROM contacts WHERE email = 'anna@acme.example'")
        ).scalar_one()
    return f"contact:{contact_id}"


def libpq(url: str) -> str:
    """The database of ``url`` for psycopg (advisory locks are per database, not schema)."""
    plain = make_url(url).set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_key_is_kept_24_hours(
    backend: Backend, content: Content, search_index: SearchIndex, engine: Engine, people: People
) -> None:
    clock = Clock()
    app = create_app(settings=Settings(), content=content, search_index=search_index,
                     store=backend, directory=backend.directory, rate_limiter=NoRateLimit(),
                     clock=clock)

    def headers() -> dict[str, str]:
        token = people.token("anna@acme.example", now=clock.now)
        return {"Authorization": f"Bearer {token}", "Idempotency-Key": "daily"}

    with TestClient(app) as api:
        first = api.post("/api/v1/tickets", json=PRINTER, headers=headers()).json()["number"]
        clock.now += timedelta(hours=23, minutes=59)
        replayed = api.post("/api/v1/tickets", json=PRINTER, headers=headers())
        assert replayed.json()["number"] == first
        clock.now += timedelta(minutes=2)
        later = api.post("/api/v1/tickets", json=PRINTER, headers=headers())
    assert later.status_code == 201 and "idempotent-replayed" not in later.headers
    assert later.json()["number"] != first
    assert count(engine, Ticket) == 2
    assert count(engine, IdempotentAnswer) == 1  # the expired answer was replaced

    assert purge_expired(engine, now=clock.now + timedelta(hours=23)) == 0
    assert purge_expired(engine, now=clock.now + timedelta(hours=24)) == 1
    assert count(engine, IdempotentAnswer) == 0
