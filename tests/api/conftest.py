"""The customer API over a real database: SQLite per test, PostgreSQL where marked.

``api_db_url`` defaults to a SQLite file in ``tmp_path``; a test module asks for
PostgreSQL with ``pytest.mark.parametrize("api_db_url", ["postgres"], indirect=True)``.
The PostgreSQL conventions are those of ``tests/tickets/conftest.py``: the ``postgres``
marker, ``SELFSERVICE_TEST_PG_URL``, one fresh schema per test (dropped afterwards), and
a skip when the server does not answer (a failure when ``CI`` is set).
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_helpers import People
from sqlalchemy import Engine
from starlette.testclient import TestClient
from support.database import empty_database, migrated_engine

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import Role
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language
from selfservice.search import SearchIndex
from selfservice.services import admin
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import Backend, make_backend
from selfservice.web.ratelimit import NoRateLimit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACME_PHONE = "+7 495 000-00-00"


# --- content and search (once per session) ------------------------------------------------


# --- the database -------------------------------------------------------------------------


@pytest.fixture
def api_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(getattr(request, "param", "sqlite"), tmp_path, "api") as url:
        yield url


@pytest.fixture
def engine(api_db_url: str, config: SupportConfig) -> Iterator[Engine]:
    with migrated_engine(api_db_url, config) as engine:
        yield engine


@pytest.fixture
def people(engine: Engine) -> People:
    now = datetime.now(UTC)
    acme = admin.add_organisation(
        engine,
        id="acme",
        name="ACME",
        contract_number="C-1",
        support_phone=ACME_PHONE,
        now=now,
        portal_origins=["https://portal.acme.example"],
    )
    globex = admin.add_organisation(
        engine, id="globex", name="Globex", contract_number="C-2", now=now
    )
    admin.add_contact(engine, org_id="acme", email="anna@acme.example", name="Anna", now=now)
    admin.add_contact(
        engine, org_id="acme", email="ivan@acme.example", name="Иван", language=Language.RU, now=now
    )
    admin.add_contact(
        engine, org_id="acme", email="guest@acme.example", name="Guest", authorised=False, now=now
    )
    admin.add_contact(engine, org_id="globex", email="bob@globex.example", name="Bob", now=now)
    engineer = admin.add_engineer(
        engine,
        name="Lena",
        email="lena@support.example",
        role=Role.L1,
        group_id="service-desk",
        now=now,
    ).engineer
    assert engineer.id is not None
    return People(acme, globex, engineer.id)


# --- the app --------------------------------------------------------------------------------


@pytest.fixture
def backend(engine: Engine, content: Content, config: SupportConfig) -> Backend:
    return make_backend(
        engine, content=content, config=config, clock=utc_now, ttl=0.0, search_log_interval=0.0
    )


@pytest.fixture
def api(
    backend: Backend, content: Content, search_index: SearchIndex, people: People
) -> Iterator[TestClient]:
    app = create_app(
        settings=Settings(),
        content=content,
        search_index=search_index,
        store=backend,
        directory=backend.directory,
        origins_for=backend.directory.origins_for(),
        rate_limiter=NoRateLimit(),
    )
    with TestClient(app) as client:
        yield client
