"""What every handler of an update shares: the bot's context, the author of the update,
and the one way to finish an update (``telegram_store.settle_with``)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from telegram import CallbackQuery

from selfservice.bot.texts import message, say
from selfservice.channels.classify import TextClassifier
from selfservice.content.model import Content
from selfservice.conversation.engine import SearchFn
from selfservice.domain.config import SupportConfig
from selfservice.domain.errors import DomainError
from selfservice.services import telegram_accounts, telegram_store
from selfservice.services.attachments import Policy
from selfservice.services.telegram_accounts import Linked
from selfservice.services.telegram_store import Outgoing
from selfservice.text.catalogue import text

Work = Callable[[Session], list[Outgoing]]


@dataclass(frozen=True)
class BotContext:
    """What handling an update needs; built once per process (``bot.pump``)."""

    engine: Engine
    #: The knowledge base as published now (the server follows new generations).
    contents: Callable[[], Content]
    config: SupportConfig
    search: SearchFn
    classifier: TextClassifier
    clock: Callable[[], datetime]
    #: Where files go and their limits (the widget's); None: the bot takes no files.
    attachments: Policy | None = None
    #: A file's bytes by its Telegram ``file_id`` (``Pump.fetch``: getFile, download).
    fetch: Callable[[str], bytes] | None = None

    @property
    def content(self) -> Content:
        return self.contents()


@dataclass(frozen=True)
class Who:
    """The author of an update: their chat, their account, the language to answer in."""

    update_id: int
    chat_id: int
    user_id: int
    lang: str
    group: bool
    contact: Linked | None


def set_pending(ctx: BotContext, who: Who, pending: dict[str, Any] | None,
                 calls: list[Outgoing], now: datetime) -> None:
    def work(session: Session) -> list[Outgoing]:
        row = telegram_accounts.chat(session, chat_id=who.chat_id, user_id=who.user_id,
                                     now=now)
        row.pending, row.updated_at = pending, now
        session.add(row)
        return []

    finish(ctx, who.update_id, calls, now, work)


def set_conversation(ctx: BotContext, who: Who, conversation_id: str | None,
                      now: datetime) -> None:
    telegram_accounts.set_conversation(ctx.engine, chat_id=who.chat_id, user_id=who.user_id,
                                       conversation_id=conversation_id, now=now)


def finish(ctx: BotContext, update_id: int, calls: list[Outgoing], now: datetime,
            work: Work | None = None) -> None:
    try:
        telegram_store.settle_with(ctx.engine, update_id=update_id, now=now, calls=calls,
                                   work=work)
    except telegram_store.AlreadyProcessed:
        pass


def send(who: Who, body: str) -> Outgoing:
    return Outgoing(who.chat_id, "sendMessage", message(who.chat_id, body))


def answer(query: CallbackQuery) -> Outgoing:
    chat_id = query.message.chat.id if query.message is not None else 0
    return Outgoing(chat_id, "answerCallbackQuery", {"callback_query_id": query.id})


def reason(error: DomainError, lang: str) -> str:
    key = f"api.{error.code}"
    reason = text(key, lang, **error.params)
    if reason == key:
        reason = text("api.domain_error", lang)
    return say("failed", lang, reason=reason)
