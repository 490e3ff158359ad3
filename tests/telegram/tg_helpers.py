"""What the Telegram tests share: a clock the test moves, a chat driven through the
fake Bot API, linking a contact."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_bot_api import Call, FakeBotApi
from sqlalchemy import Engine

from selfservice.bot.pump import Pump
from selfservice.db.models import Contact
from selfservice.services import telegram_accounts

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Chat:
    """Drives the bot as Telegram would: updates through getUpdates (long polling), then
    the pump's pass; reads what the bot sent from the fake's records."""

    def __init__(self, pump: Pump, fake: FakeBotApi, clock: Clock) -> None:
        self.pump, self.fake, self.clock = pump, fake, clock
        self.loop = asyncio.new_event_loop()
        self.next_update = 1000

    def update(self, **body: Any) -> dict[str, Any]:
        self.next_update += 1
        return {"update_id": self.next_update, **body}

    def poll(self, *updates: dict[str, Any]) -> None:
        self.fake.updates.extend(updates)
        self.loop.run_until_complete(self.pump.poll_once(timeout=0))

    def deliver(self) -> None:
        self.loop.run_until_complete(self.pump.deliver())

    def say(self, user: int, text: str, *, chat: int | None = None, lang: str = "en",
            reply_to: int | None = None) -> list[Call]:
        """The user writes ``text``; returns what the bot sent to the chat in answer."""
        chat_id = chat if chat is not None else user
        before = len(self.fake.messages_to(chat_id))
        message: dict[str, Any] = {
            "message_id": self.next_update, "date": int(self.clock().timestamp()),
            "chat": {"id": chat_id, "type": "private" if chat is None else "group"},
            "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": lang},
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        if reply_to is not None:
            message["reply_to_message"] = self.fake.message(reply_to)
        self.poll(self.update(message=message))
        return self.fake.messages_to(chat_id)[before:]

    def send_file(self, user: int, name: str, data: bytes, *, caption: str | None = None,
                  photo: bool = False, lang: str = "en", reply_to: int | None = None,
                  size: int | None = None) -> tuple[dict[str, Any], list[Call]]:
        """The user sends a document (or a photo, in two sizes as Telegram does); the fake
        serves ``data``. ``size`` is the size the message tells (0: none, as Telegram
        may omit it). Returns the update (to send it again) and the bot's answer."""
        self.next_update += 1
        file_id = f"f{self.next_update}"
        self.fake.add_file(file_id, data)
        message: dict[str, Any] = {
            "message_id": self.next_update, "date": int(self.clock().timestamp()),
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "U", "language_code": lang},
        }
        described = size if size is not None else len(data)
        if photo:
            self.fake.add_file(f"{file_id}-small", data[:10])
            message["photo"] = [
                {"file_id": f"{file_id}-small", "file_unique_id": f"s{file_id}", "width": 90,
                 "height": 60, "file_size": 10},
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1280,
                 "height": 853, "file_size": described}]
        else:
            message["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                                   "file_name": name, "mime_type": "application/octet-stream"}
            if described:
                message["document"]["file_size"] = described
        if caption is not None:
            message["caption"] = caption
        if reply_to is not None:
            message["reply_to_message"] = self.fake.message(reply_to)
        update = {"update_id": self.next_update, "message": message}
        before = len(self.fake.messages_to(user))
        self.poll(update)
        return update, self.fake.messages_to(user)[before:]

    def press(self, user: int, sent: Call, label_or_data: str, *, lang: str = "en") -> list[Call]:
        """The user presses a button of a message the bot sent."""
        data = next(d for t, d in sent.buttons if label_or_data in (t, d))
        chat_id = int(sent.params["chat_id"])
        message = next(m for m in self.fake.sent.values()
                       if m["chat"]["id"] == chat_id and m["text"] == sent.text)
        before = len(self.fake.messages_to(chat_id))
        query = {"id": f"q{self.next_update}", "chat_instance": "ci", "data": data,
                 "from": {"id": user, "is_bot": False, "first_name": "U",
                          "language_code": lang},
                 "message": message}
        self.poll(self.update(callback_query=query))
        return self.fake.messages_to(chat_id)[before:]

    def close(self) -> None:
        self.loop.run_until_complete(self.pump.bot.shutdown())
        self.loop.close()


def link(engine: Engine, chat: Chat, contact: Contact, user: int) -> None:
    """The contact links Telegram user ``user`` with a fresh code (``/start CODE``)."""
    issued = telegram_accounts.issue_code(engine, contact_id=contact.id or 0,
                                          now=chat.clock(), minutes=15)
    answer = chat.say(user, f"/start {issued.code}")
    assert "linked" in answer[-1].text or "привязан" in answer[-1].text, answer
