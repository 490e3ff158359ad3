"""The widget's conversation over HTTP, stored in the database."""

import threading
from typing import Any

from api_helpers import People, conversation_row, events, feedback, kinds, say, search_log
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.services.conversations import MAX_TURNS


def start(client: TestClient, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/conversations", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_deflection_article_steps_solved_is_stored(api: TestClient, engine: Engine) -> None:
    started = start(api, lang="en")
    cid = started["id"]
    assert (started["phase"], started["outcome"], started["signed_in"]) == (
        "searching",
        None,
        False,
    )
    assert kinds(started) == ["text"]

    found = say(api, cid, text="I forgot my password")
    cards = next(m for m in found["messages"] if m["type"] == "articles")
    assert cards["items"][0]["id"] == "reset-en"

    first = say(api, cid, action="open_article", article="reset-en")
    step = first["messages"][-1]
    assert (step["type"], step["index"], step["total"]) == ("step", 1, 2)
    assert first["phase"] == "walking"
    second = say(api, cid, action="next_step")
    assert second["messages"][-1]["index"] == 2
    solved = say(api, cid, action="solved")
    assert (solved["phase"], solved["outcome"]) == ("closed", "deflected")

    row = conversation_row(engine, cid)
    assert (row.outcome, row.phase, row.turns) == ("deflected", "closed", 4)
    assert row.closed_at is not None
    assert row.state["tried"][0]["helped"] is True
    assert row.state["events"] == []  # moved into the events table
    assert events(engine, cid) == ["started", "search", "article_shown", "deflected"]
    logged = [s for s in search_log(engine) if s.conversation_id == cid]
    assert [(s.query, s.confident, s.top) for s in logged] == [
        ("I forgot my password", True, "reset-en")
    ]
    helped = [(f.article_id, f.helped, f.source) for f in feedback(engine)]
    assert helped == [("reset-en", True, "conversation")]


def test_a_step_carries_its_markdown_and_the_html_to_show(api: TestClient) -> None:
    cid = start(api, lang="en")["id"]
    first = say(api, cid, action="open_article", article="reset-en")["messages"][-1]
    assert first["text"] == "Open the sign-in page and click Forgot password."
    assert first["html"] == "<p>Open the sign-in page and click Forgot password.</p>"
    assert first["check_html"] is None
    second = say(api, cid, action="next_step")["messages"][-1]
    assert second["check_html"] == "<p>Did the e-mail arrive?</p>"


def test_a_closed_conversation_refuses_more_turns(api: TestClient) -> None:
    cid = start(api)["id"]
    say(api, cid, action="abandon")
    response = api.post(f"/api/v1/conversations/{cid}/messages", json={"text": "hello"})
    assert (response.status_code, response.json()["error"]) == (409, "conversation_closed")


def test_abandoned_is_an_outcome(api: TestClient, engine: Engine) -> None:
    cid = start(api, lang="ru")["id"]
    answer = say(api, cid, action="abandon")
    assert answer["outcome"] == "abandoned"
    assert conversation_row(engine, cid).outcome == "abandoned"


def test_language_from_the_query_or_accept_language(api: TestClient) -> None:
    assert api.post("/api/v1/conversations?lang=ru").json()["lang"] == "ru"
    headers = {"Accept-Language": "ru-RU,ru;q=0.9"}
    greeting = api.post("/api/v1/conversations", headers=headers).json()
    assert greeting["lang"] == "ru"
    assert greeting["messages"][0]["text"].startswith("Здравствуйте")


def test_an_anonymous_visitor_is_told_to_sign_in(api: TestClient, people: People) -> None:
    cid = start(api, lang="en")["id"]
    say(api, cid, text="I forgot my password")
    answer = say(api, cid, action="need_help")
    assert kinds(answer) == ["sign_in_required"]
    assert "sign in" in answer["messages"][0]["text"]
    # ... signs in through the portal and goes on in the same conversation
    answer = say(api, cid, people.bearer(), action="choose_form", form="vm-down")
    assert answer["signed_in"] is True
    assert kinds(answer) == ["text", "form"]


def test_a_contacts_conversation_answers_only_to_that_contact(
    api: TestClient, people: People
) -> None:
    cid = start(api, people.bearer())["id"]
    anonymous = api.post(f"/api/v1/conversations/{cid}/messages", json={"text": "hi"})
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "sign_in_required")
    other = api.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "hi"},
        headers=people.bearer("ivan@acme.example"),
    )
    assert (other.status_code, other.json()["error"]) == (404, "conversation_not_found")
    globex = api.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "hi"},
        headers=people.bearer("bob@globex.example", org="globex"),
    )
    assert globex.status_code == 404


def test_another_organisation_cannot_take_over_an_anonymous_conversation(
    api: TestClient, people: People
) -> None:
    cid = api.post("/api/v1/conversations?org=acme").json()["id"]
    response = api.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "hi"},
        headers=people.bearer("bob@globex.example", org="globex"),
    )
    assert response.status_code == 404


def test_refusals(api: TestClient) -> None:
    cid = start(api)["id"]
    cases = [
        ({}, 400, "missing_input"),
        ({"text": "   "}, 400, "blank"),
        ({"text": "x" * 2001}, 400, "too_long"),
        ({"text": 5}, 400, "not_a_string"),
        ({"action": "dance"}, 400, "invalid_choice"),
        ({"action": "next_step"}, 422, "not_walking"),
        ({"action": "open_article", "article": "unlock-en"}, 422, "unknown_article"),
        ({"action": "choose_form", "form": "nope"}, 422, "unknown_form"),
    ]
    for body, status, code in cases:
        response = api.post(f"/api/v1/conversations/{cid}/messages", json=body)
        assert (response.status_code, response.json()["error"]) == (status, code), body
    missing = api.post("/api/v1/conversations/" + "0" * 32 + "/messages", json={"text": "a"})
    assert (missing.status_code, missing.json()["error"]) == (404, "conversation_not_found")
    garbage = api.post("/api/v1/conversations/x/messages", json={"text": "a"})
    assert garbage.status_code == 404
    not_json = api.post(f"/api/v1/conversations/{cid}/messages", content=b"[1]")
    assert (not_json.status_code, not_json.json()["error"]) == (400, "invalid_json")


def test_search_that_finds_nothing_is_logged_as_not_confident(
    api: TestClient, engine: Engine
) -> None:
    cid = start(api)["id"]
    answer = say(api, cid, text="quantum flux capacitor")
    assert kinds(answer)[0] == "text"
    logged = search_log(engine)[-1]
    # near-misses by meaning may be listed, but none is confident enough to suggest
    assert (logged.query, logged.confident, logged.source) == (
        "quantum flux capacitor",
        False,
        "conversation",
    )


def test_turns_are_limited(api: TestClient, engine: Engine) -> None:
    from sqlmodel import Session

    from selfservice.db.models import Conversation

    cid = start(api)["id"]
    with Session(engine) as session:
        row = session.get(Conversation, cid)
        assert row is not None
        row.turns = MAX_TURNS
        session.add(row)
        session.commit()
    response = api.post(f"/api/v1/conversations/{cid}/messages", json={"text": "hello"})
    assert (response.status_code, response.json()["error"]) == (422, "too_many_messages")


def test_concurrent_turns_on_one_conversation_are_serialised(
    api: TestClient, engine: Engine
) -> None:
    """Two clients press buttons at once: every turn is applied once, none is lost."""
    cid = start(api)["id"]
    say(api, cid, text="I forgot my password")
    say(api, cid, action="open_article", article="reset-en")
    statuses: list[int] = []
    lock = threading.Lock()

    def press() -> None:
        response = api.post(f"/api/v1/conversations/{cid}/messages", json={"text": "still stuck"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    row = conversation_row(engine, cid)
    assert row.turns == 2 + 8
    assert row.state["texts"].count("still stuck") == 8


def test_a_conversation_is_found_again_as_it_was_left(
    api: TestClient, people: People, engine: Engine
) -> None:
    cid = start(api, people.bearer(), lang="en")["id"]
    url = f"/api/v1/conversations/{cid}"
    assert api.get(url, headers=people.bearer()).json()["messages"] == []
    say(api, cid, people.bearer(), action="open_article", article="reset-en")
    say(api, cid, people.bearer(), action="next_step")
    turns = conversation_row(engine, cid).turns

    again = api.get(url, headers=people.bearer())
    assert again.status_code == 200, again.text
    body = again.json()
    assert (body["id"], body["phase"], body["outcome"]) == (cid, "walking", None)
    [step] = body["messages"]
    assert (step["type"], step["article"], step["index"], step["total"]) == (
        "step",
        "reset-en",
        2,
        2,
    )
    assert step["html"] == "<p>Open the reset e-mail.</p>"
    assert step["actions"] == ["solved", "need_help"]
    assert conversation_row(engine, cid).turns == turns  # looking is not a turn

    anonymous = api.get(url)
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "sign_in_required")
    other = api.get(url, headers=people.bearer("ivan@acme.example"))
    assert (other.status_code, other.json()["error"]) == (404, "conversation_not_found")
    assert api.get("/api/v1/conversations/" + "0" * 32).status_code == 404
    assert api.get("/api/v1/conversations/nonsense").status_code == 404

    say(api, cid, people.bearer(), action="solved")
    closed = api.get(url, headers=people.bearer()).json()
    assert (closed["phase"], closed["messages"]) == (
        "closed",
        [{"type": "outcome", "outcome": "deflected"}],
    )
