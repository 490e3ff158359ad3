"""POST /api/v1/telegram/link-code: the widget's "Connect Telegram" for a signed-in contact."""

from collections.abc import Iterator

import pytest
from api_helpers import People
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import TelegramLinkCode
from selfservice.search import SearchIndex
from selfservice.web.app import create_app
from selfservice.web.backend import Backend
from selfservice.web.ratelimit import NoRateLimit


@pytest.fixture
def with_bot(backend: Backend, content: Content, search_index: SearchIndex,
             people: People) -> Iterator[TestClient]:
    settings = Settings(telegram_bot_token="1:T", telegram_bot_username="acme_support_bot")
    app = create_app(settings=settings, content=content, search_index=search_index,
                     store=backend, directory=backend.directory,
                     origins_for=backend.directory.origins_for(), rate_limiter=NoRateLimit())
    with TestClient(app) as client:
        yield client


def test_a_signed_in_contact_gets_a_code_and_the_bots_link(
    with_bot: TestClient, people: People, engine: Engine
) -> None:
    me = with_bot.get("/api/v1/me", headers=people.bearer())
    assert me.json()["telegram"] is True
    answer = with_bot.post("/api/v1/telegram/link-code", headers=people.bearer())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["command"] == f"/start {body['code']}"
    assert body["link"] == f"https://t.me/acme_support_bot?start={body['code']}"
    with Session(engine) as session:
        stored = session.exec(select(TelegramLinkCode)).one()
    assert stored.code_hash != body["code"] and len(stored.code_hash) == 64  # only its hash


def test_refused_without_sign_in_for_unauthorised_contacts_and_without_a_bot(
    with_bot: TestClient, api: TestClient, people: People
) -> None:
    assert with_bot.post("/api/v1/telegram/link-code").status_code == 401
    guest = with_bot.post("/api/v1/telegram/link-code",
                          headers=people.bearer("guest@acme.example"))
    assert guest.status_code in (401, 403)
    off = api.post("/api/v1/telegram/link-code", headers=people.bearer())
    assert (off.status_code, off.json()["error"]) == (404, "telegram_off")
    assert off.json()["message"] == "The Telegram channel is not configured on this server."
