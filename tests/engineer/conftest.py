"""The engineers' API over a real database (a SQLite file per test; PostgreSQL where marked).

The PostgreSQL conventions are those of ``tests/tickets/conftest.py``: the ``postgres``
marker, ``SELFSERVICE_TEST_PG_URL``, one fresh schema per test (dropped afterwards), and a
skip when the server does not answer (a failure when ``CI`` is set).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from engineer_helpers import Desk, prepare
from sqlalchemy import Engine
from starlette.testclient import TestClient
from support.postgres import pg_schema

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import make_backend
from selfservice.web.ratelimit import NoRateLimit


@pytest.fixture(scope="session")
def desk_config() -> SupportConfig:
    return load_support_config()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema (its URL sets the search_path), dropped afterwards."""
    with pg_schema("desk") as url:
        yield url


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
    engine: Engine, desk: Desk, content: Content, search_index: SearchIndex,
    desk_config: SupportConfig,
) -> Iterator[TestClient]:
    backend = make_backend(engine, content=content, config=desk_config, clock=utc_now,
                           ttl=0.0, search_log_interval=0.0)
    app = create_app(
        settings=Settings(), content=content, search_index=search_index, store=backend,
        directory=backend.directory, origins_for=backend.directory.origins_for(),
        rate_limiter=NoRateLimit(),
    )
    with TestClient(app) as client:
        yield client
