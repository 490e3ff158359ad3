"""Property-based test of the engineers', managers' and monitoring endpoints against the
OpenAPI document (schemathesis), on SQLite and on PostgreSQL.

The approach of ``tests/api/test_customer_api_fuzz.py``: 12 random requests per operation
and mode plus schemathesis' deterministic boundary cases (``tests/schema_cases.py``);
every response documented (status, content type, body schema) and none a 5xx.
Generated requests that carry a bearer token get a real one instead (an L1 engineer's or
the manager's, chosen per example, or the alert source's of that endpoint), and half of
the valid ones are pointed at a real ticket, so the handlers and use cases run, not only
the 401 and 404 paths. The invalid requests may hold NUL in any text: PostgreSQL
refuses NUL (SQLite stores it), so there it must be the API that refuses it. Where a
schema-valid request may still be refused by a business rule (a status move the ticket's
state does not allow, an unknown group, a contact that does not exist), the "valid data
must be accepted" check is left out for that operation.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
import schemathesis
from engineer_helpers import Desk, file_ticket, prepare
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest import mark
from schema_cases import api_schema, coverage_cases, unique_idempotency_key
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.services import alert_sources
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import make_backend
from selfservice.web.ratelimit import NoRateLimit

pytestmark = pytest.mark.slow

E = "/api/v1/engineer"
#: (path, method, valid data must be accepted, who may call it)
OPERATIONS = [
    (f"{E}/queue", "GET", True, "staff"),
    (f"{E}/search", "GET", True, "staff"),
    (f"{E}/metrics", "GET", False, "manager"),
    (f"{E}/tickets", "POST", False, "staff"),
    (f"{E}/tickets/{{number}}", "GET", True, "staff"),
    (f"{E}/tickets/{{number}}/assign", "POST", False, "staff"),
    (f"{E}/tickets/{{number}}/transition", "POST", False, "staff"),
    (f"{E}/tickets/{{number}}/comments", "POST", False, "staff"),
    (f"{E}/tickets/{{number}}/priority", "POST", False, "staff"),
    (f"{E}/tickets/{{number}}/escalate", "POST", False, "staff"),
    (f"{E}/tickets/{{number}}/confirm-urgency", "POST", False, "staff"),
    ("/api/v1/alerts/alertmanager", "POST", False, "alertmanager"),
    ("/api/v1/alerts/zabbix", "POST", False, "zabbix"),
]
CASES = [
    (path, method, strict, who, mode)
    for path, method, strict, who in OPERATIONS
    for mode in GenerationMode
]
EXAMPLES = 12
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Service:
    client: TestClient
    desk: Desk
    #: kind of caller → bearer tokens that reach the handlers of that kind of operation
    tokens: dict[str, list[str]]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=mark.postgres)])
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    content: Content, search_index: SearchIndex, desk_config: SupportConfig,
) -> Iterator[Service]:
    """One database and app for the whole module (a fresh one per test would cost more
    than the fuzzing), with a body limit above every schema maximum (413 is not what the
    negative-data check expects; ``tests/web/test_hardening.py`` covers it)."""
    with database_url(request.param, tmp_path_factory) as url:
        engine = make_engine(url)
        desk = prepare(engine, desk_config)
        backend = make_backend(engine, content=content, config=desk_config,
                               clock=utc_now, ttl=0.0, search_log_interval=0.0)
        app = create_app(
            settings=Settings(max_body_bytes=2_000_000), content=content,
            search_index=search_index, store=backend, directory=backend.directory,
            rate_limiter=NoRateLimit(),
        )
        try:
            with TestClient(app) as client:
                yield Service(client, desk, tokens(engine, desk))
        finally:
            engine.dispose()


@contextmanager
def database_url(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL schema (dropped afterwards; skipped when the
    server does not answer, a failure in CI) as in ``conftest.py``."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'selfservice.db'}"
        return
    base = os.environ.get("SELFSERVICE_TEST_PG_URL", DEFAULT_PG_URL)
    server = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(server, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable at {base}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {base}: {exc}")
    schema = f"fuzz_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def tokens(engine: Engine, desk: Desk) -> dict[str, list[str]]:
    now = datetime.now(UTC)
    alert_tokens = {
        kind: alert_sources.add_source(engine, name=f"fuzz-{kind}", kind=kind, org_id="acme",
                                       now=now).token
        for kind in ("alertmanager", "zabbix")
    }
    return {
        "staff": [desk.engineers["L1"][1], desk.engineers["manager"][1]],
        "manager": [desk.engineers["manager"][1]],
        "alertmanager": [alert_tokens["alertmanager"]],
        "zabbix": [alert_tokens["zabbix"]],
    }


def with_real_token(case: schemathesis.Case[Any], token: str) -> None:
    """A generated bearer token becomes a real one; a missing or non-Bearer
    Authorization header (what a negative case may be about) stays as generated."""
    headers = dict(case.headers or {})
    if headers.get("Authorization", "").startswith("Bearer "):
        headers["Authorization"] = f"Bearer {token}"
    case.headers = headers


@pytest.mark.parametrize(("path", "method", "strict", "who", "mode"), CASES)
def test_staff_and_alert_api_match_the_openapi_document(
    service: Service, path: str, method: str, strict: bool, who: str, mode: GenerationMode,
) -> None:
    negative = mode is GenerationMode.NEGATIVE
    operation = api_schema(service.client.app, nul=negative)[path][method]
    callers = service.tokens[who]
    number = file_ticket(service.client, service.desk)
    # A negative case that ends up schema-valid may still hold a NUL, refused with 400.
    excluded = [] if strict and not negative else [positive_data_acceptance]

    @given(
        case=operation.as_strategy(generation_mode=mode),
        token=st.sampled_from(callers),
        real_ticket=st.booleans(),
    )
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case[Any], token: str, real_ticket: bool) -> None:
        with_real_token(case, token)
        # Only valid cases: a negative case's path parameter may be what makes it invalid.
        if real_ticket and mode is GenerationMode.POSITIVE and case.path_parameters:
            case.path_parameters = {**case.path_parameters, "number": number}
        if mode is GenerationMode.POSITIVE:
            unique_idempotency_key(case)
        case.call_and_validate(excluded_checks=excluded)

    check()


@pytest.mark.parametrize(("path", "method", "strict", "who"), OPERATIONS)
def test_staff_and_alert_api_hold_at_the_documents_boundaries(
    service: Service, path: str, method: str, strict: bool, who: str,
) -> None:
    """Each property null, of the wrong type, at and past its limits, missing, ...:
    a documented 4xx (or, when valid, a documented answer), never a 5xx."""
    schema = api_schema(service.client.app)
    callers = service.tokens[who]
    number = file_ticket(service.client, service.desk)
    excluded = [] if strict else [positive_data_acceptance]
    for mode in GenerationMode:
        for i, case in enumerate(coverage_cases(schema, path, method, mode)):
            with_real_token(case, callers[i % len(callers)])
            if mode is GenerationMode.POSITIVE and case.path_parameters:
                case.path_parameters = {**case.path_parameters, "number": number}
            if mode is GenerationMode.POSITIVE:
                unique_idempotency_key(case)
            case.call_and_validate(excluded_checks=excluded)
