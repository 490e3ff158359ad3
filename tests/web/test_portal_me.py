"""The portal token over HTTP: ``GET /api/v1/me`` with a fixed clock and a dict directory."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from selfservice.web.identity import OrgKeys, StaticDirectory, mint_token

AppFactory = Callable[..., Starlette]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = "acme-current-secret-0123456789abcdef"
DIRECTORY = StaticDirectory(
    keys={"acme": OrgKeys("acme", SECRET)},
    contacts={"acme": frozenset({"anna@acme.example"})},
)


@pytest.fixture
def portal(make_app: AppFactory) -> Iterator[TestClient]:
    with TestClient(make_app(directory=DIRECTORY, clock=lambda: NOW)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_identifies_the_contact(portal: TestClient) -> None:
    token = mint_token("acme", SECRET, "anna@acme.example", now=NOW)
    response = portal.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    answer = response.json()
    limits = answer.pop("attachments")  # what the widget checks before an upload
    assert answer == {
        "org": "acme",
        "email": "anna@acme.example",
        "expires_at": "2026-11-20T13:00:00+00:00",
        "support": None,  # no database behind this app, so no contract to quote
        "telegram": False,  # no bot configured: the widget offers no "Connect Telegram"
    }
    assert (limits["max_file_bytes"], limits["max_count"]) == (10 * 1024 * 1024, 10)
    assert ".log" in limits["extensions"] and "image/png" in limits["content_types"]


@pytest.mark.parametrize(
    ("token", "headers", "code"),
    [
        (None, {}, "token_missing"),
        ("garbage", {}, "token_malformed"),
        (mint_token("acme", SECRET, "anna@acme.example", now=NOW - timedelta(hours=2)), {},
         "token_expired"),
        (mint_token("acme", "x" * 40, "anna@acme.example", now=NOW), {}, "token_forged"),
        (mint_token("acme", SECRET, "anna@acme.example", now=NOW), {"X-SelfService-Org": "globex"},
         "token_wrong_org"),
        (mint_token("globex", SECRET, "anna@acme.example", now=NOW), {}, "token_unknown_org"),
        (mint_token("acme", SECRET, "eve@acme.example", now=NOW), {}, "token_unknown_contact"),
    ],
)  # fmt: skip
def test_refusals_are_401_with_distinct_codes(
    portal: TestClient, token: str | None, headers: dict[str, str], code: str
) -> None:
    all_headers = {**headers, **(bearer(token) if token else {})}
    en = portal.get("/api/v1/me", headers=all_headers)
    ru = portal.get("/api/v1/me?lang=ru", headers=all_headers)
    assert en.status_code == ru.status_code == 401
    assert en.json()["error"] == ru.json()["error"] == code
    assert en.json()["message"] != ru.json()["message"]
    assert en.headers["www-authenticate"].startswith("Bearer")


def test_without_a_directory_every_token_is_refused(client: TestClient) -> None:
    token = mint_token("acme", SECRET, "anna@acme.example")
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"] == "token_unknown_org"
