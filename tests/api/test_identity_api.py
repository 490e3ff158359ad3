"""Every way a portal token is refused, against the database-backed directory."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from api_helpers import People
from sqlalchemy import Engine
from starlette.testclient import TestClient

from selfservice.services import admin
from selfservice.web.identity import mint_token

VM_FORM = {"form": "vm-down", "fields": {"vm_name": "web-01"}}


def refused(api: TestClient, headers: dict[str, str], code: str) -> None:
    """Filing and reading are both refused, in English and in Russian, with this code."""
    en = api.post("/api/v1/tickets", json=VM_FORM, headers=headers)
    ru = api.get("/api/v1/tickets?lang=ru", headers=headers)
    for response in (en, ru):
        assert response.status_code == 401, response.text
        assert response.json()["error"] == code
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert en.json()["message"] != ru.json()["message"]
    assert any("а" <= ch <= "я" for ch in ru.json()["message"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_anonymous_visitors_are_told_to_sign_in(api: TestClient) -> None:
    refused(api, {}, "sign_in_required")
    en = api.post("/api/v1/tickets", json=VM_FORM).json()["message"]
    assert "sign in to your client portal" in en


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: "garbage", "token_malformed"),
        (lambda p: p.token("anna@acme.example",
                           now=datetime.now(UTC) - timedelta(hours=2)), "token_expired"),
        (lambda p: mint_token("acme", "x" * 40, "anna@acme.example"), "token_forged"),
        (lambda p: p.token("anna@acme.example", org="globex"), "token_unknown_contact"),
        (lambda p: mint_token("initech", "x" * 40, "anna@acme.example"), "token_unknown_org"),
        (lambda p: p.token("eve@acme.example"), "token_unknown_contact"),
        (lambda p: p.token("guest@acme.example"), "token_unknown_contact"),
    ],
)  # fmt: skip
def test_bad_tokens_are_401_with_a_reason(
    api: TestClient, people: People, make: Callable[[People], str], code: str
) -> None:
    refused(api, bearer(make(people)), code)


def test_a_token_for_another_organisation_than_the_request(api: TestClient, people: People) -> None:
    headers = {**people.bearer(), "X-SelfService-Org": "globex"}
    refused(api, headers, "token_wrong_org")


def test_a_token_valid_for_too_long_is_refused(api: TestClient, people: People) -> None:
    now = datetime.now(UTC)
    claims = {"sub": "anna@acme.example", "org": "acme", "iat": now, "exp": now + timedelta(days=1)}
    token = jwt.encode(claims, people.acme.token_secret, algorithm="HS256")
    refused(api, bearer(token), "token_too_long_lived")


def test_a_bad_token_is_refused_even_where_none_is_needed(api: TestClient) -> None:
    response = api.post("/api/v1/conversations", headers=bearer("garbage"))
    assert (response.status_code, response.json()["error"]) == (401, "token_malformed")


def test_rotation_keeps_the_previous_secret_during_the_grace_period(
    api: TestClient, engine: Engine, people: People
) -> None:
    old = people.token("anna@acme.example")
    rotated = admin.rotate_org_secret(engine, org_id="acme", now=datetime.now(UTC))
    new = mint_token("acme", rotated.token_secret, "anna@acme.example")
    for token in (old, new):
        assert api.get("/api/v1/tickets", headers=bearer(token)).status_code == 200
    admin.rotate_org_secret(engine, org_id="acme", now=datetime.now(UTC), grace=timedelta(0))
    refused(api, bearer(old), "token_forged")
    me = api.get("/api/v1/me", headers=bearer(new))
    assert me.status_code == 401  # ``new`` is now the previous secret, without grace


def test_me_reads_the_database(api: TestClient, people: People) -> None:
    response = api.get("/api/v1/me", headers=people.bearer("ivan@acme.example"))
    assert response.status_code == 200
    assert response.json()["email"] == "ivan@acme.example"
