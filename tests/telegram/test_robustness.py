"""Nothing lost, nothing twice: the webhook stores an update before its 200 and a retried
update_id changes nothing; outgoing messages wait out a 429's retry_after in order."""

import time
from collections.abc import Iterator

import pytest
from fake_bot_api import FakeBotApi
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.testclient import TestClient
from tg_helpers import Chat, link

from selfservice.bot.pump import Pump
from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.db.models import OutboxStatus, TelegramOutbox, TelegramUpdate
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.web.app import create_app
from selfservice.web.backend import make_backend
from selfservice.web.ratelimit import NoRateLimit

SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}


@pytest.fixture
def webhook(engine: Engine, settings: Settings, content: Content, search_index: SearchIndex,
            config: SupportConfig, pump: Pump) -> Iterator[TestClient]:
    backend = make_backend(engine, content=content, config=config, clock=pump.context.clock,
                           ttl=0.0)
    app = create_app(settings=settings, content=content, search_index=search_index,
                     store=backend, directory=backend.directory, rate_limiter=NoRateLimit(),
                     clock=pump.context.clock)
    with TestClient(app) as client:
        yield client


def text_update(update_id: int, user: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_796_000_000, "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": "en"},
        "text": text}}


def test_the_webhook_checks_the_secret_and_a_retried_update_is_answered_once(
    webhook: TestClient, chat: Chat, fake: FakeBotApi, engine: Engine,
) -> None:
    update = text_update(9001, 700, "hello")
    refused = webhook.post("/telegram/webhook", json=update)
    assert refused.status_code == 401
    assert refused.json()["field"] == "X-Telegram-Bot-Api-Secret-Token"
    wrong = webhook.post("/telegram/webhook", json=update,
                         headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
    assert wrong.status_code == 401
    bad = webhook.post("/telegram/webhook", json={"message": {}}, headers=SECRET)
    assert (bad.status_code, bad.json()["field"]) == (400, "update_id")

    first = webhook.post("/telegram/webhook", json=update, headers=SECRET)
    assert first.json() == {"ok": True, "duplicate": False}
    again = webhook.post("/telegram/webhook", json=update, headers=SECRET)  # Telegram retries
    assert again.json() == {"ok": True, "duplicate": True}
    chat.loop.run_until_complete(chat.pump.pass_once())
    chat.loop.run_until_complete(chat.pump.pass_once())
    assert len(fake.messages_to(700)) == 1
    with Session(engine) as session:
        [row] = session.scalars(select(TelegramUpdate)).all()
        assert row.processed_at is not None and row.attempts == 1


def test_the_server_pump_answers_a_webhook_update(
    webhook: TestClient, engine: Engine, settings: Settings, content: Content,
    search_index: SearchIndex, config: SupportConfig, pump: Pump, fake: FakeBotApi,
) -> None:
    """The app's lifespan runs the pump: the webhook wakes it and the answer goes out."""
    backend = make_backend(engine, content=content, config=config, clock=pump.context.clock,
                           ttl=0.0)
    app = create_app(settings=settings, content=content, search_index=search_index,
                     store=backend, directory=backend.directory, rate_limiter=NoRateLimit(),
                     clock=pump.context.clock, telegram=pump)
    with TestClient(app) as client:
        stored = client.post("/telegram/webhook", json=text_update(9100, 800, "hi"),
                             headers=SECRET)
        assert stored.status_code == 200

        deadline = time.monotonic() + 10
        while not fake.messages_to(800) and time.monotonic() < deadline:
            time.sleep(0.02)  # polling for the pump's answer, up to the deadline
    assert fake.messages_to(800)[0].text.startswith("I do not know you yet")


def test_a_429_is_waited_out_and_the_chat_keeps_its_order(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, object],
) -> None:
    link(engine, chat, contacts["anna"], 501)  # type: ignore[arg-type]
    fake.flood("sendMessage", times=1, retry_after=7)
    before = len(fake.messages_to(501))
    chat.say(501, "/tickets")
    chat.say(501, "/help")
    assert len(fake.messages_to(501)) == before  # refused with 429: nothing delivered
    assert [c.method for c in fake.calls if c.method.startswith("send")][-1:] == [
        "sendMessage:429"]
    with Session(engine) as session:
        waiting = session.scalars(select(TelegramOutbox).where(
            TelegramOutbox.status == OutboxStatus.PENDING).order_by(TelegramOutbox.id)).all()
    assert len(waiting) == 2
    assert all(row.attempts == 0 for row in waiting)  # a 429 is no failed attempt
    assert (waiting[0].next_attempt_at - chat.clock()).total_seconds() == 7

    chat.clock.advance(6)
    chat.deliver()
    assert len(fake.messages_to(501)) == before  # retry_after is respected
    chat.clock.advance(1)
    chat.deliver()
    sent = [m.text for m in fake.messages_to(501)[before:]]
    assert sent[0] == "Your organisation has no open tickets."
    assert sent[1].startswith("Describe the problem in a few words")


def test_a_blocked_bot_fails_the_message_and_keeps_the_reason(
    engine: Engine, chat: Chat, fake: FakeBotApi, contacts: dict[str, object],
) -> None:
    link(engine, chat, contacts["anna"], 501)  # type: ignore[arg-type]
    fake.block(501)
    chat.say(501, "/tickets")
    with Session(engine) as session:
        row = session.scalars(select(TelegramOutbox).order_by(
            TelegramOutbox.id.desc())).first()  # type: ignore[union-attr]
    assert row is not None and row.status is OutboxStatus.FAILED
    assert "blocked" in (row.last_error or "")
