"""Managers' self-service metrics, from conversations held through the customer API."""

from datetime import UTC, datetime, timedelta
from typing import Any

from engineer_helpers import VM_FORM, Desk, ok
from starlette.testclient import TestClient


def start(api: TestClient, headers: dict[str, str] | None = None) -> str:
    started = ok(api.post("/api/v1/conversations", json={"lang": "en"}, headers=headers or {}),
                 201)
    return str(started["id"])


def say(api: TestClient, cid: str, headers: dict[str, str] | None = None,
        **body: Any) -> dict[str, Any]:
    return ok(api.post(f"/api/v1/conversations/{cid}/messages", json=body,
                       headers=headers or {}))


def deflect(api: TestClient) -> None:
    cid = start(api)
    say(api, cid, text="I forgot my password")
    say(api, cid, action="open_article", article="reset-en")
    assert say(api, cid, action="solved")["outcome"] == "deflected"


def test_manager_sees_deflection_metrics(api: TestClient, desk: Desk) -> None:
    deflect(api)
    deflect(api)
    auth = desk.contact()
    filed = start(api, auth)
    say(api, filed, auth, text="I forgot my password")
    say(api, filed, auth, action="open_article", article="reset-en")
    say(api, filed, auth, action="need_help")
    say(api, filed, auth, text="the VM web-01 is not responding either")
    say(api, filed, auth, action="choose_form", form="vm-down")
    ok(api.post("/api/v1/tickets", json={**VM_FORM, "conversation": filed}, headers=auth), 201)
    abandoned = start(api)
    say(api, abandoned, text="quantum flux capacitor")
    assert say(api, abandoned, action="abandon")["outcome"] == "abandoned"
    still_open = start(api)
    say(api, still_open, text="Quantum flux capacitor ")

    today = datetime.now(UTC).date()
    period = f"from={(today - timedelta(days=1)).isoformat()}&to={today.isoformat()}"
    found = ok(api.get(f"/api/v1/engineer/metrics?{period}", headers=desk.staff("manager")))
    assert (found["conversations"], found["deflected"], found["ticket_filed"],
            found["abandoned"]) == (5, 2, 1, 1)
    assert found["deflection_rate"] == 0.5  # 2 deflected / 4 with an outcome
    reset = next(a for a in found["articles"] if a["article"] == "reset-en")
    assert (reset["shown"], reset["helped"], reset["not_helped"]) == (3, 2, 1)
    assert found["unanswered_queries"][0] == {"query": "quantum flux capacitor", "count": 2}

    # Another period holds nothing; bad dates are refused.
    empty = ok(api.get("/api/v1/engineer/metrics?from=2020-01-01&to=2020-01-31",
                       headers=desk.staff("manager")))
    assert (empty["conversations"], empty["deflection_rate"], empty["articles"]) == (0, None, [])
    for query in ("from=2026-13-01&to=2026-12-01", "from=2026-02-01&to=2026-01-01", "to=x"):
        response = api.get(f"/api/v1/engineer/metrics?{query}", headers=desk.staff("manager"))
        assert response.status_code == 400, query


def test_engineers_see_the_customers_words_proposed_as_symptoms(api: TestClient,
                                                                desk: Desk) -> None:
    deflect(api)
    deflect(api)
    listed = ok(api.get("/api/v1/engineer/kb/phrasings", headers=desk.staff("L1")))
    assert [(p["article"], p["text"], p["seen"], p["status"]) for p in listed["phrasings"]] == [
        ("reset-en", "I forgot my password", 2, "proposed")
    ]
    russian = api.get("/api/v1/engineer/kb/phrasings?article_lang=ru", headers=desk.staff("L1"))
    assert ok(russian)["phrasings"] == []
    assert api.get("/api/v1/engineer/kb/phrasings").status_code == 401
    assert api.get("/api/v1/engineer/kb/phrasings", headers=desk.contact()).status_code in (401,
                                                                                             403)
    bad = api.get("/api/v1/engineer/kb/phrasings?status=maybe", headers=desk.staff("L1"))
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_choice")
