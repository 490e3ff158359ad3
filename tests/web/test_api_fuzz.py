"""Property-based test of the public API against its own OpenAPI document (schemathesis).

Bounded: at most 20 generated requests per operation and mode (valid requests, and
invalid ones that must be refused with a 4xx). Every response must be documented (status,
content type, body schema) and none may be a 5xx. The operations are
parametrized by hand (``operation.as_strategy()``) because schemathesis' lazy
``from_fixture`` loader does not work with pytest 9. Each operation also gets
schemathesis' deterministic boundary cases (``tests/schema_cases.py``).
"""

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schema_cases import api_schema, coverage_cases
from schemathesis import GenerationMode
from starlette.applications import Starlette

from selfservice.web.ratelimit import NoRateLimit

pytestmark = pytest.mark.slow

AppFactory = Callable[..., Starlette]
WITH_PARAMETERS = [
    "/api/v1/search",
    "/api/v1/suggest",
    "/api/v1/articles/{id}",
    "/api/v1/forms",
    "/api/v1/forms/{id}",
    "/api/v1/me",
    "/widget/{name}",
]
WITHOUT_PARAMETERS = ["/api/v1/openapi.json", "/healthz", "/widget.js"]
CASES = [
    *((path, mode) for path in WITH_PARAMETERS for mode in GenerationMode),
    *((path, GenerationMode.POSITIVE) for path in WITHOUT_PARAMETERS),
]


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_public_api_matches_its_openapi_document(
    make_app: AppFactory, path: str, mode: GenerationMode
) -> None:
    operation = api_schema(make_app(rate_limiter=NoRateLimit()))[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate()

    check()


@pytest.mark.parametrize("path", WITH_PARAMETERS + WITHOUT_PARAMETERS)
def test_public_api_holds_at_the_documents_boundaries(make_app: AppFactory, path: str) -> None:
    """Each parameter of the wrong type, at and past its limits, missing, ...: a
    documented 4xx (or, when valid, a documented answer), never a 5xx."""
    schema = api_schema(make_app(rate_limiter=NoRateLimit()))
    for mode in GenerationMode:
        for case in coverage_cases(schema, path, "GET", mode):
            case.call_and_validate()
