"""Fixtures for the ticket layer: a migrated database per test, on SQLite and PostgreSQL.

``db_url`` is parametrised: a real SQLite file in ``tmp_path``, and a fresh schema on the
PostgreSQL server (``SELFSERVICE_TEST_PG_URL``, default the local server) selected through
``search_path``, dropped afterwards. PostgreSQL tests carry the ``postgres`` marker; when
the server is unreachable they are skipped, or fail when ``CI`` is set.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from intake_helpers import CrashSwitch
from sqlalchemy import Engine
from support.database import empty_database, migrated_engine
from support.postgres import require_postgres
from support.processes import free_port
from ticket_helpers import T0, MailCollector, SmtpServer, World

from selfservice.db.models import Role
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language
from selfservice.services import admin, mail_effects


@pytest.fixture(scope="session")
def pg_available() -> None:
    require_postgres()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables yet)."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str, config: SupportConfig) -> Iterator[Engine]:
    """A migrated database with the configured support groups."""
    with migrated_engine(db_url, config) as engine:
        yield engine


@pytest.fixture
def world(engine: Engine) -> World:
    org = admin.add_organisation(engine, id="acme", name="ACME", contract_number="C-1",
                                 time_zone="Europe/Moscow", support_phone="+7 495 000-00-00",
                                 now=T0)
    contact = admin.add_contact(engine, org_id="acme", email="Ivan@Acme.example",
                                name="Иван", language=Language.RU, now=T0)
    contact_en = admin.add_contact(engine, org_id="acme", email="john@acme.example",
                                   name="John", language=Language.EN, now=T0)
    l1 = admin.add_engineer(engine, name="Lena", email="lena@support.example", role=Role.L1,
                            group_id="service-desk", now=T0).engineer
    l2 = admin.add_engineer(engine, name="Oleg", email="oleg@support.example", role=Role.L2,
                            group_id="l2-linux", now=T0).engineer
    manager = admin.add_engineer(engine, name="Maria", email="maria@support.example",
                                 role=Role.MANAGER, now=T0).engineer
    return World(org, contact, contact_en, l1, l2, manager)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback, started; ``.stop()``/``.start()`` to simulate outages."""
    server = SmtpServer(free_port(), MailCollector())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """A port with nothing listening yet; ``.start()`` brings the server up."""
    server = SmtpServer(free_port(), MailCollector())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def crash_before_commit(monkeypatch: pytest.MonkeyPatch) -> CrashSwitch:
    """Inside ``with crash_before_commit():`` mail processing dies at its commit point: the
    outcome is written in the transaction, then the process "crashes" before the commit."""
    real_claim = mail_effects.claim

    def claim_then_crash(*args: Any, **kwargs: Any) -> None:
        real_claim(*args, **kwargs)
        raise RuntimeError("simulated crash at before_commit")

    @contextmanager
    def crashing() -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(mail_effects, "claim", claim_then_crash)
            yield

    return crashing
