"""The Telegram bot's pump, built from the settings (the server and ``telegram poll``)."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from selfservice.bot.dialogue import BotContext
from selfservice.bot.pump import Pump, make_bot
from selfservice.channels.classify import TextClassifier
from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.conversation.engine import Hit
from selfservice.domain.config import SupportConfig
from selfservice.search import SearchIndex
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
                         classifier=classifier, clock=clock)
    return Pump(context, make_bot(settings.telegram_bot_token, settings.telegram_api_url))
