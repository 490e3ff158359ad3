from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from selfservice.config.settings import Settings

AppFactory = Callable[..., Starlette]

INTERNAL_WORDS = "unlock portal account runbook verify caller contact list admin console"


def results(client: TestClient, **params: str) -> list[dict[str, object]]:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["results"]
    return found


def test_search_finds_the_public_article_with_a_confident_flag(client: TestClient) -> None:
    hits = results(client, q="forgot my password", lang="en")
    best = hits[0]
    assert best["id"] == "reset-en"
    assert best["type"] == "article"
    assert best["confident"] is True
    assert best["url"] == "/kb/articles/identity/reset/"
    assert "<mark>" in str(best["snippet"])
    assert set(best) >= {"type", "id", "title", "snippet", "score", "confident", "url"}


def test_russian_morphology_and_russian_urls(client: TestClient) -> None:
    best = results(client, q="сбросить пароли", lang="ru")[0]
    assert best["id"] == "reset-ru"
    assert best["confident"] is True
    assert best["url"] == "/kb/ru/articles/identity/reset/"


def test_forms_are_found_and_link_to_the_api(client: TestClient) -> None:
    hits = results(client, q="virtual machine not responding", lang="en")
    form = next(h for h in hits if h["type"] == "form")
    assert form["id"] == "vm-down"
    assert form["url"] == "/api/v1/forms/vm-down"


def test_nothing_relevant_is_not_confident(client: TestClient) -> None:
    assert not any(h["confident"] for h in results(client, q="quarterly invoice vat"))


def test_limit(client: TestClient) -> None:
    assert len(results(client, q="password", limit="1")) == 1


def test_the_kb_site_url_setting_makes_absolute_links(make_app: AppFactory) -> None:
    settings = Settings(kb_site_url="https://support.example.com/")
    with TestClient(make_app(settings=settings)) as client:
        best = results(client, q="forgot password", lang="en")[0]
    assert best["url"] == "https://support.example.com/articles/identity/reset/"


def test_internal_articles_are_never_searched_or_suggested(client: TestClient) -> None:
    for q in (INTERNAL_WORDS, "unlocking", "runbook"):
        assert all(h["id"] != "unlock-en" for h in results(client, q=q))
        found = client.get("/api/v1/suggest", params={"q": q}).json()["suggestions"]
        assert all(s["id"] != "unlock-en" for s in found)
    assert all(
        s["id"] != "unlock-en" for s in client.get("/api/v1/suggest?q=Unl").json()["suggestions"]
    )


def test_suggest_completes_the_last_word(client: TestClient) -> None:
    response = client.get("/api/v1/suggest", params={"q": "сброс пар", "lang": "ru"})
    assert response.status_code == 200
    first = response.json()["suggestions"][0]
    assert first == {
        "type": "article",
        "id": "reset-ru",
        "title": "Сброс забытого пароля",
        "lang": "ru",
        "url": "/kb/ru/articles/identity/reset/",
    }


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/suggest"])
@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({}, "required", "q"),
        ({"q": "   "}, "blank", "q"),
        ({"q": "password", "lang": "de"}, "invalid_choice", "lang"),
        ({"q": "password", "limit": "0"}, "out_of_range", "limit"),
        ({"q": "password", "limit": "21"}, "out_of_range", "limit"),
        ({"q": "password", "limit": "ten"}, "not_an_integer", "limit"),
        ({"q": "password", "limit": "1.5"}, "not_an_integer", "limit"),
    ],
)
def test_invalid_parameters_are_400_naming_the_field(
    client: TestClient, path: str, params: dict[str, str], code: str, field: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == code
    assert body["field"] == field
    assert field in body["message"]


def test_a_200_character_query_is_accepted(client: TestClient) -> None:
    assert client.get("/api/v1/search", params={"q": "пароль " * 28 + "x" * 4}).status_code == 200


def test_a_pasted_error_message_is_searched_by_its_beginning_not_refused(
    client: TestClient,
) -> None:
    pasted = "Забыл пароль, не могу войти. " + "Traceback: error 0x80070005 at line 42 " * 60
    found = results(client, q=pasted, lang="ru")
    assert found and found[0]["id"] == "reset-ru"
    assert client.get("/api/v1/suggest", params={"q": pasted}).status_code == 200
