"""The customer API over a real database: SQLite per test, PostgreSQL where marked.

``api_db_url`` defaults to a SQLite file in ``tmp_path``; a test module asks for
PostgreSQL with ``pytest.mark.parametrize("api_db_url", ["postgres"], indirect=True)``.
The PostgreSQL conventions are those of ``tests/tickets/conftest.py``: the ``postgres``
marker, ``SELFSERVICE_TEST_PG_URL``, one fresh schema per test (dropped afterwards), and
a skip when the server does not answer (a failure when ``CI`` is set).
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from api_helpers import People
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.db.migrate import upgrade_engine
from selfservice.db.models import Role
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language
from selfservice.search import SearchIndex
from selfservice.services import admin
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import Backend, make_backend
from selfservice.web.ratelimit import NoRateLimit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACME_PHONE = "+7 495 000-00-00"


# --- content and search (once per session) ------------------------------------------------


@pytest.fixture(scope="session")
def api_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("api") / "kb"
    shutil.copytree(FIXTURES / "kb-min", target)
    return target


@pytest.fixture(scope="session")
def content(api_kb: Path) -> Content:
    return load_content(api_kb)


@pytest.fixture(scope="session")
def search_index(api_kb: Path, content: Content) -> Iterator[SearchIndex]:
    index = SearchIndex.open_or_build(api_kb.parent / "index", content)
    yield index
    index.close()


@pytest.fixture(scope="session")
def config() -> SupportConfig:
    return load_support_config()


# --- the database -------------------------------------------------------------------------


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def api_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'selfservice.db'}"
        return
    base = os.environ.get("SELFSERVICE_TEST_PG_URL", DEFAULT_PG_URL)
    try:
        with psycopg.connect(_libpq(base), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable at {base}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {base}: {exc}")
    schema = f"api_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(base), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def engine(api_db_url: str, config: SupportConfig) -> Iterator[Engine]:
    engine = make_engine(api_db_url)
    upgrade_engine(engine)
    admin.sync_support_groups(engine, config=config)
    try:
        yield engine
    finally:
        engine.dispose()


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
