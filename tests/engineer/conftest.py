"""The engineers' API over a real database (a SQLite file per test; PostgreSQL where marked).

The PostgreSQL conventions are those of ``tests/tickets/conftest.py``: the ``postgres``
marker, ``SELFSERVICE_TEST_PG_URL``, one fresh schema per test (dropped afterwards), and a
skip when the server does not answer (a failure when ``CI`` is set).
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from engineer_helpers import FIXTURES, Desk, prepare
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import make_backend
from selfservice.web.ratelimit import NoRateLimit

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def desk_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("desk") / "kb"
    shutil.copytree(FIXTURES / "kb-min", target)
    return target


@pytest.fixture(scope="session")
def desk_content(desk_kb: Path) -> Content:
    return load_content(desk_kb)


@pytest.fixture(scope="session")
def desk_index(desk_kb: Path, desk_content: Content) -> Iterator[SearchIndex]:
    index = SearchIndex.open_or_build(desk_kb.parent / "index", desk_content)
    yield index
    index.close()


@pytest.fixture(scope="session")
def desk_config() -> SupportConfig:
    return load_support_config()


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema (its URL sets the search_path), dropped afterwards."""
    base = os.environ.get("SELFSERVICE_TEST_PG_URL", DEFAULT_PG_URL)
    try:
        with psycopg.connect(libpq(base), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable at {base}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {base}: {exc}")
    schema = f"desk_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq(base), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq(base), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'selfservice.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def desk(engine: Engine, desk_config: SupportConfig) -> Desk:
    return prepare(engine, desk_config)


@pytest.fixture
def api(
    engine: Engine, desk: Desk, desk_content: Content, desk_index: SearchIndex,
    desk_config: SupportConfig,
) -> Iterator[TestClient]:
    backend = make_backend(engine, content=desk_content, config=desk_config, clock=utc_now,
                           ttl=0.0, search_log_interval=0.0)
    app = create_app(
        settings=Settings(), content=desk_content, search_index=desk_index, store=backend,
        directory=backend.directory, origins_for=backend.directory.origins_for(),
        rate_limiter=NoRateLimit(),
    )
    with TestClient(app) as client:
        yield client
