"""Property-based test of the customer endpoints against the OpenAPI document (schemathesis).

The same approach as ``tests/web/test_api_fuzz.py`` (public read-only endpoints), here
with a database behind the app. Half of the generated requests are pointed at real
objects (a conversation, a ticket, an article) with a valid contact's token in place of
the generated one, so the use cases themselves run, not only the 401 and 404 paths.
Negative cases keep their generated path parameters (which may be the invalid part) and
reach the body checks with the valid token.

Every response must be documented (status, content type, body schema) and none may be a
5xx. Where a schema-valid request may still be refused by a business rule (a conversation
button that does not fit the current step, confirming a ticket that is not completed, a
free-text ticket with a blank description), the "valid data must be accepted" check is
left out for that operation; invalid data must still be refused with a 4xx.

Besides 20 random requests per operation and mode, each operation gets schemathesis'
deterministic boundary cases (``schema_cases.py``): every property null, of a wrong type,
at and past its limits, missing.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from api_helpers import People
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schema_cases import api_schema, coverage_cases, unique_idempotency_key
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.search import SearchIndex
from selfservice.web.app import create_app
from selfservice.web.backend import Backend
from selfservice.web.ratelimit import NoRateLimit

pytestmark = pytest.mark.slow

OPERATIONS = [
    ("/api/v1/conversations", "POST", True),
    ("/api/v1/conversations/{id}", "GET", True),
    ("/api/v1/conversations/{id}/messages", "POST", False),
    ("/api/v1/articles/{id}/feedback", "POST", True),
    ("/api/v1/tickets", "POST", False),
    ("/api/v1/tickets", "GET", True),
    ("/api/v1/tickets/{number}", "GET", True),
    ("/api/v1/tickets/{number}/comments", "POST", False),
    ("/api/v1/tickets/{number}/urgency", "POST", False),
    ("/api/v1/tickets/{number}/confirm", "POST", False),
    ("/api/v1/tickets/{number}/reject", "POST", False),
]
CASES = [
    (path, method, strict, mode) for path, method, strict in OPERATIONS for mode in GenerationMode
]


@pytest.fixture
def fuzz_api(
    backend: Backend, content: Content, search_index: SearchIndex, people: People
) -> Iterator[TestClient]:
    """The app with a body limit above every schema maximum (the limit answers 413, which
    the negative-data check does not expect; ``tests/web/test_hardening.py`` covers it)."""
    app = create_app(
        settings=Settings(max_body_bytes=2_000_000),
        content=content,
        search_index=search_index,
        store=backend,
        directory=backend.directory,
        rate_limiter=NoRateLimit(),
    )
    with TestClient(app) as client:
        yield client


@pytest.fixture
def real_ids(fuzz_api: TestClient, people: People) -> Iterator[dict[str, str]]:
    auth = people.bearer()
    conversation = fuzz_api.post("/api/v1/conversations", headers=auth).json()["id"]
    ticket = fuzz_api.post(
        "/api/v1/tickets", headers=auth, json={"form": "vm-down", "fields": {"vm_name": "web-01"}}
    ).json()
    yield {"id": conversation, "number": ticket["number"], "article": "reset-en"}


def real_request(
    case: schemathesis.Case[Any], real: dict[str, str], token: str, mode: GenerationMode
) -> None:
    """Point the case at real objects (valid cases only: a negative case's path parameter
    may be what makes it invalid) and put a valid token in place of a generated one. What
    makes a negative case invalid stays: a missing or non-Bearer Authorization header,
    an over-long org header."""
    if case.path_parameters and mode is GenerationMode.POSITIVE:
        case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
    headers = dict(case.headers or {})
    if headers.get("Authorization", "").startswith("Bearer "):
        headers["Authorization"] = f"Bearer {token}"
        if len(headers.get("X-SelfService-Org", "")) <= 64:
            headers.pop("X-SelfService-Org", None)
    case.headers = headers


def real_for(path: str, real_ids: dict[str, str]) -> dict[str, str]:
    return {
        "id": real_ids["article"] if "articles" in path else real_ids["id"],
        "number": real_ids["number"],
    }


@pytest.mark.parametrize(("path", "method", "strict", "mode"), CASES)
def test_customer_api_matches_its_openapi_document(
    fuzz_api: TestClient,
    people: People,
    real_ids: dict[str, str],
    path: str,
    method: str,
    strict: bool,
    mode: GenerationMode,
) -> None:
    operation = api_schema(fuzz_api.app)[path][method]
    token = people.token("anna@acme.example")
    excluded = [] if strict else [positive_data_acceptance]
    real = real_for(path, real_ids)

    @given(case=operation.as_strategy(generation_mode=mode), use_real=st.booleans())
    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case[Any], use_real: bool) -> None:
        if use_real:
            real_request(case, real, token, mode)
        if mode is GenerationMode.POSITIVE:
            unique_idempotency_key(case)
        case.call_and_validate(excluded_checks=excluded)

    check()


@pytest.mark.parametrize(("path", "method", "strict"), OPERATIONS)
def test_customer_api_holds_at_the_documents_boundaries(
    fuzz_api: TestClient,
    people: People,
    real_ids: dict[str, str],
    path: str,
    method: str,
    strict: bool,
) -> None:
    """Each property null, of the wrong type, at and past its limits, missing, ...:
    a documented 4xx (or, when valid, a documented answer), never a 5xx."""
    schema = api_schema(fuzz_api.app)
    token = people.token("anna@acme.example")
    excluded = [] if strict else [positive_data_acceptance]
    for mode in GenerationMode:
        for case in coverage_cases(schema, path, method, mode):
            real_request(case, real_for(path, real_ids), token, mode)
            if mode is GenerationMode.POSITIVE:
                unique_idempotency_key(case)
            case.call_and_validate(excluded_checks=excluded)
