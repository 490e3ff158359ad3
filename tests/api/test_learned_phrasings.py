"""The knowledge base learns the customers' words: a chat solved on an article proposes
what the customer typed as a symptom; authors accept (written into kb/) or reject."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_helpers import say
from click.testing import CliRunner
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.cli import main
from selfservice.content.loader import load_content
from selfservice.services import phrasings
from selfservice.services.errors import Conflict

BOTH = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def solve(api: TestClient, text: str, article: str = "reset-en") -> None:
    cid = api.post("/api/v1/conversations", json={"lang": "en"}).json()["id"]
    found = say(api, cid, text=text)
    cards = next(m for m in found["messages"] if m["type"] == "articles")
    assert article in [c["id"] for c in cards["items"]]
    say(api, cid, action="open_article", article=article)
    assert say(api, cid, action="solved")["outcome"] == "deflected"


@pytest.mark.parametrize("api_db_url", BOTH, indirect=True)
def test_a_solved_chat_proposes_the_customers_words_and_accepting_writes_them(
    api: TestClient, engine: Engine, kb_min: Path
) -> None:
    solve(api, "forgot my password again")
    solve(api, "Forgot my  password AGAIN?")  # the same words: counted, not repeated
    proposed = phrasings.list_proposals(engine)
    assert [(p["article"], p["text"], p["seen"]) for p in proposed] == [
        ("reset-en", "forgot my password again", 2)
    ]

    decision = phrasings.decide(engine, proposed[0]["id"], accept=True, kb_dir=kb_min,
                                by="author", now=datetime.now(UTC))
    assert "+  - forgot my password again" in decision.diff
    article = load_content(kb_min).articles["reset-en"]
    assert article.symptoms[-1] == "forgot my password again"
    assert phrasings.list_proposals(engine) == []
    assert [p["decided_by"] for p in phrasings.list_proposals(engine, status="accepted")] == [
        "author"
    ]
    with pytest.raises(Conflict):
        phrasings.decide(engine, proposed[0]["id"], accept=False, kb_dir=kb_min,
                         by="author", now=datetime.now(UTC))


def test_a_rejected_phrasing_is_never_proposed_again(api: TestClient, engine: Engine,
                                                     kb_min: Path) -> None:
    solve(api, "password forgotten")
    [proposal] = phrasings.list_proposals(engine)
    phrasings.decide(engine, proposal["id"], accept=False, kb_dir=kb_min, by="author",
                     now=datetime.now(UTC))
    solve(api, "password forgotten")
    assert phrasings.list_proposals(engine) == []
    assert [p["seen"] for p in phrasings.list_proposals(engine, status="rejected")] == [1]


def test_personal_data_and_known_symptoms_are_not_proposed(api: TestClient,
                                                           engine: Engine) -> None:
    solve(api, "forgot password for jane.doe@example.com")
    solve(api, "forgot password, call me at 5551234")
    assert phrasings.list_proposals(engine) == []


def test_review_from_the_command_line(
    api: TestClient, engine: Engine, api_db_url: str, kb_min: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    solve(api, "cannot remember my password")
    monkeypatch.setenv("SELFSERVICE_DATABASE_URL", api_db_url)
    runner = CliRunner()
    listed = runner.invoke(main, ["kb", "phrasings", "list"])
    assert listed.exit_code == 0, listed.output
    assert "reset-en" in listed.output and "cannot remember my password" in listed.output
    [proposal] = phrasings.list_proposals(engine)
    accepted = runner.invoke(
        main, ["kb", "phrasings", "accept", str(proposal["id"]), "--kb-dir", str(kb_min)]
    )
    assert accepted.exit_code == 0, accepted.output
    assert "+  - cannot remember my password" in accepted.output
    assert "review, commit and publish" in accepted.output
    again = runner.invoke(main, ["kb", "phrasings", "reject", str(proposal["id"])])
    assert again.exit_code == 1
    assert "already accepted" in again.output
    missing = runner.invoke(main, ["kb", "phrasings", "accept", "9999"])
    assert (missing.exit_code, "no phrasing proposal 9999" in missing.output) == (1, True)
