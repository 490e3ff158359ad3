import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from selfservice.content.model import Text
from selfservice.content.validation import FieldError
from selfservice.domain.enums import Language
from selfservice.domain.errors import (
    DomainError,
    InvalidEscalation,
    PreconditionFailed,
    TransitionNotAllowed,
)
from selfservice.services.errors import Forbidden, InvalidSubmission, NotFound
from selfservice.web.context import accept_language
from selfservice.web.errors import exception_handlers

RU = {"Accept-Language": "ru"}


def raising_app(exc: Exception) -> Starlette:
    async def endpoint(request: Request) -> JSONResponse:
        raise exc

    return Starlette(routes=[Route("/boom", endpoint)], exception_handlers=exception_handlers())


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("", "en"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("en-GB,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,de;q=0.9,ru;q=0.5,en;q=0.4", "ru"),
        ("fr, en;q=0.1", "en"),
        ("ru;q=0, en", "en"),
        ("ru;q=bad, en;q=0.2", "en"),
        ("*", "en"),
    ],
)
def test_accept_language(header: str, lang: str) -> None:
    assert accept_language(header) == Language(lang)


def test_query_lang_wins_over_the_header(client: TestClient) -> None:
    response = client.get("/api/v1/search?lang=en", headers=RU)
    assert response.json()["message"] == "The parameter 'q' is required."
    response = client.get("/api/v1/search", headers=RU)
    assert response.json() == {
        "error": "required",
        "field": "q",
        "message": "Параметр 'q' обязателен.",
    }


@pytest.mark.parametrize(("headers", "word"), [({}, "Nothing"), (RU, "ничего")])
def test_unknown_paths_are_json_404(client: TestClient, headers: dict[str, str], word: str) -> None:
    response = client.get("/no/such/page", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == "not_found"
    assert body["field"] is None
    assert word in body["message"]


def test_wrong_method_is_json_405(client: TestClient) -> None:
    response = client.delete("/api/v1/forms", headers=RU)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert response.json() == {
        "error": "method_not_allowed",
        "field": None,
        "message": "Этот метод здесь не поддерживается.",
    }


@pytest.mark.parametrize(
    ("exc", "status", "code", "field"),
    [
        (TransitionNotAllowed("closed -> assigned"), 409, "transition_not_allowed", None),
        (PreconditionFailed("no assignee", field="assignee"), 422, "precondition_failed",
         "assignee"),
        (InvalidEscalation("x", code="skips_a_line", field="target_line"), 422, "skips_a_line",
         "target_line"),
        (NotFound("no ticket 7", field="ticket"), 404, "not_found", "ticket"),
        (Forbidden("other org"), 403, "forbidden", None),
        (DomainError("x", code="closed_is_final", field="status"), 409, "closed_is_final",
         "status"),
        (DomainError("x", code="brand_new_code"), 422, "brand_new_code", None),
    ],
)  # fmt: skip
def test_domain_errors_map_by_code_and_field(
    exc: DomainError, status: int, code: str, field: str | None
) -> None:
    with TestClient(raising_app(exc)) as client:
        en = client.get("/boom")
        ru = client.get("/boom?lang=ru")
    assert en.status_code == ru.status_code == status
    assert en.json()["error"] == ru.json()["error"] == code
    assert en.json()["field"] == ru.json()["field"] == field
    assert en.json()["message"] != ru.json()["message"]
    assert str(exc) not in ru.json()["message"]  # the domain's English detail is not leaked


def test_a_refused_form_lists_its_fields_in_the_callers_language() -> None:
    errors = (FieldError("vm_name", "required", Text("This field is required.", "Обязательное.")),)
    with TestClient(raising_app(InvalidSubmission(errors))) as client:
        response = client.get("/boom", headers=RU)
    assert response.status_code == 422
    body = response.json()
    assert (body["error"], body["field"]) == ("invalid_submission", "vm_name")
    assert body["errors"] == [{"field": "vm_name", "error": "required", "message": "Обязательное."}]


def test_unexpected_errors_are_a_json_500_without_a_trace() -> None:
    app = raising_app(RuntimeError("secret database password in a stack trace"))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers=RU)
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "field": None,
        "message": "На нашей стороне произошла ошибка. Попробуйте позже.",
    }
    assert "secret" not in response.text and "Traceback" not in response.text
