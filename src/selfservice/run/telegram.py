"""The Telegram bot's pump, built from the settings: inside the server (webhook mode), or
alone with long polling (``selfservice telegram poll``), and ``set-webhook``."""

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from selfservice.bot.context import BotContext
from selfservice.bot.pump import Pump, make_bot
from selfservice.channels.classify import TextClassifier
from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.content.live import LiveContent
from selfservice.content.model import Content
from selfservice.conversation.engine import Hit
from selfservice.db.engine import make_engine
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
from selfservice.services import classifier_models
from selfservice.services.admin import sync_support_groups
from selfservice.services.attachments import Policy
from selfservice.web.customer_search import customer_search


def utc_now() -> datetime:
    return datetime.now(UTC)


def make_pump(
    settings: Settings, *, engine: Engine, contents: Callable[[], Content], index: SearchIndex,
    config: SupportConfig, classifier: TextClassifier,
    clock: Callable[[], datetime] = utc_now,
) -> Pump:
    """The pump of the bot whose token the settings hold (the caller checks there is one)."""

    def search(query: str, lang: str) -> Sequence[Hit]:
        return customer_search(index, contents(), query, lang)

    context = BotContext(engine=engine, contents=contents, config=config, search=search,
                         classifier=classifier, clock=clock,
                         attachments=Policy.from_settings(settings))
    return Pump(context, make_bot(settings.telegram_bot_token, settings.telegram_api_url))


async def poll(pump: Pump, *, once: bool, timeout: int, stop: asyncio.Event) -> int:
    """Long polling until ``stop``: fetch, store, handle, answer. Returns updates handled."""
    total = 0
    try:
        while not stop.is_set():
            total += await pump.poll_once(timeout=0 if once else timeout)
            if once:
                break
    finally:
        await pump.bot.shutdown()
    return total


def poll_from_settings(settings: Settings, *, once: bool, timeout: int,
                       stop: asyncio.Event | None = None) -> int:
    """``selfservice telegram poll``: the bot without a public URL (no webhook). The
    caller has brought the search index up to date (``run.server.prepare``)."""
    config = load_support_config(settings.config_file)
    groups = {group.id: group.line for group in config.groups.values()}
    live = LiveContent(settings.index_dir, settings.kb_dir, groups=groups)
    index = SearchIndex.open(settings.index_dir, semantic=settings.search_meaning)
    index.limit_query_cores(1)  # it runs beside the server's workers, which need the cores
    engine = make_engine(settings.database_url)
    try:
        sync_support_groups(engine, config=config)
        pump = make_pump(settings, engine=engine, contents=lambda: live.content, index=index,
                         config=config,
                         classifier=classifier_models.live_classifier(engine, live.content))
        return asyncio.run(poll(pump, once=once, timeout=timeout, stop=stop or asyncio.Event()))
    finally:
        index.close()
        engine.dispose()


async def set_webhook(settings: Settings, *, delete: bool) -> bool:
    """Tell Telegram where to post updates (or to stop: back to long polling)."""
    bot = make_bot(settings.telegram_bot_token, settings.telegram_api_url)
    try:
        if delete:
            return await bot.delete_webhook()
        return await bot.set_webhook(url=settings.telegram_webhook_url,
                                     secret_token=settings.telegram_webhook_secret,
                                     allowed_updates=["message", "callback_query"])
    finally:
        await bot.shutdown()
