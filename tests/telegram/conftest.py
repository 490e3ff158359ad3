"""The Telegram channel's tests: a migrated database (SQLite and PostgreSQL), contacts of
two organisations, the fake Bot API on loopback, and the real pump (python-telegram-bot)
pointed at it. Time is a clock the test moves, so waiting out a 429 takes no sleep."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import FakeBotApi, Running
from sqlalchemy import Engine
from support.database import empty_database, migrated_engine
from tg_helpers import T0, Chat, Clock

from selfservice.bot.pump import Pump
from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import Contact, Role
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language
from selfservice.run.telegram import make_pump
from selfservice.search import SearchIndex
from selfservice.services import admin, classifier_models


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path,
           config: SupportConfig) -> Iterator[Engine]:
    with empty_database(request.param, tmp_path, "tg") as url, \
            migrated_engine(url, config) as engine:
        yield engine


@pytest.fixture
def contacts(engine: Engine) -> dict[str, Contact]:
    admin.add_organisation(engine, id="acme", name="ACME", contract_number="C-1",
                           support_phone="+7 495 000-00-00", now=T0)
    admin.add_organisation(engine, id="globex", name="Globex", contract_number="C-2", now=T0)
    admin.add_engineer(engine, name="Lena", email="lena@support.example", role=Role.L1,
                       group_id="service-desk", now=T0)
    return {
        "anna": admin.add_contact(engine, org_id="acme", email="anna@acme.example",
                                  name="Anna", now=T0),
        "ivan": admin.add_contact(engine, org_id="acme", email="ivan@acme.example",
                                  name="Иван", language=Language.RU, now=T0),
        "bob": admin.add_contact(engine, org_id="globex", email="bob@globex.example",
                                 name="Bob", now=T0),
    }


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    fake = FakeBotApi()
    running = Running(fake)
    running.start()
    try:
        yield fake
    finally:
        running.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(fake: FakeBotApi) -> Settings:
    return Settings(telegram_bot_token=fake.token, telegram_api_url=fake.url,
                    telegram_webhook_secret="s3cret-token")


@pytest.fixture
def pump_args(engine: Engine, settings: Settings, content: Content, search_index: SearchIndex,
              config: SupportConfig, clock: Clock) -> dict[str, Any]:
    """What ``make_pump`` takes: a test builds a second pump to "restart" the service."""
    return {"settings": settings, "engine": engine, "contents": lambda: content,
            "index": search_index, "config": config, "clock": clock,
            "classifier": classifier_models.live_classifier(engine, content)}


@pytest.fixture
def pump(pump_args: dict[str, Any]) -> Pump:
    return make_pump(**pump_args)


@pytest.fixture
def chat(pump: Pump, fake: FakeBotApi, clock: Clock) -> Iterator[Chat]:
    driver = Chat(pump, fake, clock)
    try:
        yield driver
    finally:
        driver.close()


