"""The bot's engine room: handle stored updates, send the outbox through the Bot API, and
(without a public URL) fetch updates by long polling.

python-telegram-bot's ``Bot`` makes every call (``base_url`` points it at a self-hosted
Bot API server, or at a test's fake); its ``Update`` reads what Telegram sent. Database
work runs in a thread (``asyncio.to_thread``), so a pump inside the web server never
blocks its event loop.

* ``process``: claim stored updates in ``update_id`` order and handle each
  (``bot.dialogue``); an unexpected error is retried a few times, then kept as failed.
* ``deliver``: the first due call of each chat; a 429 waits ``retry_after`` (and holds
  back the other calls of that pass), a refusal that will not change (bot blocked, chat
  gone) is ``failed``, anything else backs off.
* ``poll_once``: ``getUpdates`` from the stored offset; updates are stored before the next
  call acknowledges them, so a crash loses none.
"""

import asyncio
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram import Message as TgMessage
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from selfservice.bot.context import BotContext
from selfservice.bot.dialogue import handle
from selfservice.services import telegram_store
from selfservice.services.outbox import DeliveryReport

log = logging.getLogger("selfservice.telegram")


def make_bot(token: str, api_url: str, *, timeout: float = 30.0) -> Bot:
    """A Bot API client; ``api_url`` is ``https://api.telegram.org`` or a local server."""
    base = api_url.rstrip("/")
    request = HTTPXRequest(connect_timeout=10.0, read_timeout=timeout)
    polling = HTTPXRequest(connect_timeout=10.0, read_timeout=timeout + 30.0)
    return Bot(token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
               request=request, get_updates_request=polling)


def retry_seconds(error: RetryAfter) -> float:
    """Telegram's ``retry_after`` in seconds (read without the library's deprecation
    notice about its type changing from int to timedelta)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBDeprecationWarning)
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class Pump:
    context: BotContext
    bot: Bot
    #: Stop after this many calls a pass (the next pass continues).
    max_calls: int = 200
    offset: int | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    #: The loop of ``pass_once``: updates are handled in a thread, a download runs here.
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.context = replace(self.context, fetch=self.fetch)

    @property
    def now(self) -> Callable[[], datetime]:
        return self.context.clock

    def process(self) -> int:
        """Handle every stored, unprocessed update (blocking: run it in a thread)."""
        handled = 0
        while True:
            batch = telegram_store.claim_updates(self.context.engine, now=self.now())
            if not batch:
                return handled
            for row in batch:
                try:
                    handle(self.context, row.update_id, row.payload)
                except Exception as error:  # the update is retried, then kept as failed
                    log.exception("telegram update %s failed", row.update_id)
                    telegram_store.update_failed(self.context.engine, update_id=row.update_id,
                                                 error=f"{type(error).__name__}: {error}",
                                                 now=self.now())
                handled += 1

    async def deliver(self) -> DeliveryReport:
        """Send what is due, chat by chat in order, until nothing is due or a 429."""
        engine, sent, retried, failed = self.context.engine, 0, 0, 0
        while sent + retried + failed < self.max_calls:
            claimed = await asyncio.to_thread(telegram_store.claim_due, engine, now=self.now())
            if not claimed:
                break
            for index, call in enumerate(claimed):
                try:
                    with warnings.catch_warnings():
                        # The library's 429 error warns that retry_after's type will
                        # change (int to timedelta); retry_seconds reads either.
                        warnings.filterwarnings("ignore", category=PTBDeprecationWarning,
                                                message=".*retry_after.*")
                        message_id = await self._call(call.call)
                except RetryAfter as error:
                    wait = timedelta(seconds=retry_seconds(error))
                    for held in claimed[index:]:
                        await asyncio.to_thread(telegram_store.mark_retry, engine, claimed=held,
                                                error=str(error), now=self.now(),
                                                retry_after=wait)
                    retried += len(claimed) - index
                    return DeliveryReport(sent, retried, failed)
                except (Forbidden, ChatMigrated) as error:
                    await self._retry(call, error, permanent=True)
                    failed += 1
                except BadRequest as error:
                    if "not modified" in str(error).lower():
                        await asyncio.to_thread(telegram_store.mark_sent, engine,
                                                call_id=call.id, message_id=None, now=self.now())
                        sent += 1
                        continue
                    await self._retry(call, error, permanent=True)
                    failed += 1
                except (TelegramError, OSError) as error:
                    await self._retry(call, error)
                    retried += 1
                else:
                    await asyncio.to_thread(telegram_store.mark_sent, engine, call_id=call.id,
                                            message_id=message_id, now=self.now())
                    sent += 1
        return DeliveryReport(sent, retried, failed)

    async def _retry(self, call: telegram_store.ClaimedCall, error: Exception, *,
                     permanent: bool = False) -> None:
        await asyncio.to_thread(telegram_store.mark_retry, self.context.engine, claimed=call,
                                error=f"{type(error).__name__}: {error}", now=self.now(),
                                permanent=permanent)

    async def _call(self, call: telegram_store.Outgoing) -> int | None:
        """One Bot API call through the library; the sent message's id, if any."""
        p = call.payload
        markup = (InlineKeyboardMarkup.de_json(p["reply_markup"], self.bot)
                  if p.get("reply_markup") else None)
        if call.method == "sendMessage":
            sent = await self.bot.send_message(chat_id=p["chat_id"], text=p["text"],
                                               reply_markup=markup)
            return sent.message_id
        if call.method == "editMessageText":
            edited = await self.bot.edit_message_text(
                text=p["text"], chat_id=p["chat_id"], message_id=p["message_id"],
                reply_markup=markup)
            return edited.message_id if isinstance(edited, TgMessage) else None
        if call.method == "answerCallbackQuery":
            await self.bot.answer_callback_query(callback_query_id=p["callback_query_id"],
                                                 text=p.get("text"))
            return None
        raise BadRequest(f"unknown method {call.method}")

    async def download(self, file_id: str) -> bytes:
        """A file the bot received: ``getFile``, then its bytes from the Bot API server's
        file URL (the library builds it from ``base_file_url``)."""
        found = await self.bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

    def fetch(self, file_id: str) -> bytes:
        """``download`` for the thread that handles updates: the Bot's HTTP client
        belongs to the pump's loop, so the download runs there and the thread waits."""
        if self._loop is None:  # process() called outside pass_once: no loop runs
            return asyncio.run(self.download(file_id))
        return asyncio.run_coroutine_threadsafe(self.download(file_id),
                                                self._loop).result(timeout=300)

    async def pass_once(self) -> DeliveryReport:
        """Handle what was received, then send what is due."""
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(self.process)
        return await self.deliver()

    async def poll_once(self, *, timeout: int = 25) -> int:
        """One ``getUpdates``: store what came (acknowledged by the next call's offset),
        handle it, send the answers. Returns how many updates came."""
        updates = await self.bot.get_updates(offset=self.offset, timeout=timeout,
                                             allowed_updates=["message", "callback_query"])
        for update in updates:
            payload = update.to_dict()
            await asyncio.to_thread(telegram_store.store_update, self.context.engine,
                                    update_id=update.update_id, payload=payload,
                                    now=self.now())
            self.offset = update.update_id + 1
        await self.pass_once()
        return len(updates)

    async def serve(self, *, interval: float = 5.0, stop: asyncio.Event | None = None) -> None:
        """Inside the web server: a pass when the webhook stored an update (``wake``) or
        every ``interval`` seconds (ticket updates, retries)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.pass_once()
            except Exception:  # keep the pump alive; the next pass retries
                log.exception("telegram pass failed")
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=interval)
            except TimeoutError:
                pass
            self.wake.clear()
