"""The staff console over a real database (SQLite per test; PostgreSQL where marked).

The desk is the engineers' tests' (``tests/engineer/engineer_helpers.py``): acme with a
contact, one engineer per role; here each engineer also has a console password.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient
from support.postgres import pg_schema

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.console import console_routes
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.services import staff_auth
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import make_backend
from selfservice.web.ratelimit import NoRateLimit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engineer"))
from engineer_helpers import Desk, prepare

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def desk_config() -> SupportConfig:
    return load_support_config()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'selfservice.db'}")
        try:
            yield made
        finally:
            made.dispose()
        return
    with pg_schema("console") as url:
        made = make_engine(url)
        try:
            yield made
        finally:
            made.dispose()


@pytest.fixture
def desk(engine: Engine, desk_config: SupportConfig) -> Desk:
    prepared = prepare(engine, desk_config)
    for role in ("L1", "L2", "L3", "manager"):
        staff_auth.set_password(engine, email=f"{role}@support.example", password=PASSWORD)
    return prepared


@pytest.fixture
def console_settings() -> Settings:
    """The service's settings (a test module may override this fixture)."""
    return Settings()


@pytest.fixture
def app_client(
    engine: Engine, desk: Desk, content: Content, search_index: SearchIndex,
    desk_config: SupportConfig, console_settings: Settings,
) -> Iterator[TestClient]:
    backend = make_backend(engine, content=content, config=desk_config, clock=utc_now,
                           ttl=0.0, search_log_interval=0.0)
    app = create_app(
        settings=console_settings, content=content, search_index=search_index, store=backend,
        directory=backend.directory, origins_for=backend.directory.origins_for(),
        rate_limiter=NoRateLimit(),
    )
    app.router.routes.extend(console_routes())
    with TestClient(app, base_url="https://testserver") as client:
        yield client
