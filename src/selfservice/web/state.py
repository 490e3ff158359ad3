"""The application state every request sees, typed, built once by the lifespan.

Nothing lives in module globals: ``create_app`` receives all of it and the lifespan
hands it to Starlette, which gives each request a shallow copy as ``request.state``.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, cast

from starlette.requests import HTTPConnection

from selfservice.config.settings import Settings
from selfservice.content.model import Article, Content
from selfservice.web.identity import Directory

if TYPE_CHECKING:
    from selfservice.search import SearchIndex


class ArticleRenderer(Protocol):
    """Article bodies as HTML (``kb_api.ArticleRenderer``: a protocol here, so the state
    module needs no endpoint module)."""

    def html(self, article: Article) -> str: ...


class TelegramPump(Protocol):
    """The bot's pump (``bot.pump.Pump``): the webhook wakes it; the lifespan runs it."""

    wake: asyncio.Event

    async def serve(self, *, interval: float = 5.0,
                    stop: asyncio.Event | None = None) -> None: ...


class State(TypedDict):
    settings: Settings
    content: Content
    search: "SearchIndex"
    renderer: ArticleRenderer
    #: Organisations and contacts for portal tokens (the database in phase B).
    directory: Directory
    #: The time, as an aware UTC datetime; tests pass a fixed clock.
    clock: Callable[[], datetime]
    #: Slot for the database-backed services (engine, outbox, ...) added in phase B.
    store: Any
    #: The Telegram bot's pump, when a bot is configured (None: no Telegram channel).
    telegram: TelegramPump | None


def state_of(conn: HTTPConnection) -> State:
    return cast(State, conn.state)
