"""The application factory: everything the app uses is passed in; nothing at import time.

A test app is one call::

    app = create_app(settings=Settings(), content=content, search_index=index)

Middleware, outermost first: security headers, refusal of NUL in paths and query strings
(``inputs.py``), CORS, body size limit, public rate limit, Idempotency-Key
(``idempotency.py``).
Errors of every kind become ``{"error", "field", "message"}`` (see ``errors.py``).
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from selfservice.config.settings import Settings
from selfservice.content.live import LiveContent
from selfservice.content.model import Content
from selfservice.web.attachments_api import UPLOAD_PATH
from selfservice.web.errors import exception_handlers
from selfservice.web.hardening import (
    BodyLimitMiddleware,
    CorsMiddleware,
    OriginsFor,
    SecurityHeadersMiddleware,
)
from selfservice.web.idempotency import IdempotencyMiddleware
from selfservice.web.identity import Directory, StaticDirectory
from selfservice.web.inputs import InputTextMiddleware
from selfservice.web.kb_api import ArticleRenderer
from selfservice.web.ratelimit import RateLimiter, RateLimitMiddleware, TokenBucketLimiter
from selfservice.web.routes import is_public_api, routes
from selfservice.web.state import State, TelegramPump

if TYPE_CHECKING:
    from selfservice.search import SearchIndex


def utc_now() -> datetime:
    return datetime.now(UTC)


def cors_defaults(settings: Settings) -> list[str]:
    return [o.strip() for o in settings.cors_origins.split(",") if o.strip()]


class LiveContentMiddleware:
    """Hands each request the knowledge base of the live generation: the lifespan state
    is copied per request, so the content a request sees is set here, once, at its start."""

    def __init__(self, app: ASGIApp, live: LiveContent | None) -> None:
        self.app = app
        self.live = live

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.live is not None and scope["type"] in {"http", "websocket"}:
            self.live.follow()
            state = scope.get("state")
            if state is not None:
                state["content"] = self.live.content
        await self.app(scope, receive, send)


def create_app(
    *,
    settings: Settings,
    content: Content,
    search_index: "SearchIndex",
    store: Any = None,
    directory: Directory | None = None,
    origins_for: OriginsFor | None = None,
    rate_limiter: RateLimiter | None = None,
    clock: Callable[[], datetime] = utc_now,
    live: LiveContent | None = None,
    telegram: TelegramPump | None = None,
) -> Starlette:
    """Build the ASGI app.

    ``store`` is the slot for the database-backed services (phase B). ``directory``
    resolves organisations' token secrets and contacts (empty: every token is refused).
    ``origins_for(org)`` lists an organisation's allowed browser origins (CORS and
    frame-ancestors). ``rate_limiter`` defaults to an in-memory token bucket per client IP
    sized by the settings. ``live``: follow the published knowledge base (``content`` is
    then only what the app starts with). ``telegram``: the bot's pump, run while the app
    runs (it handles the webhook's updates and sends the bot's messages).
    """
    limiter = rate_limiter or TokenBucketLimiter(
        per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst
    )
    defaults = cors_defaults(settings)
    state: State = {
        "settings": settings,
        "content": live.content if live is not None else content,
        "search": search_index,
        "renderer": ArticleRenderer(),
        "directory": directory if directory is not None else StaticDirectory(),
        "clock": clock,
        "store": store,
        "telegram": telegram,
    }

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        if telegram is None:
            yield state
            return
        stop = asyncio.Event()
        task = asyncio.create_task(telegram.serve(stop=stop))
        try:
            yield state
        finally:
            stop.set()
            telegram.wake.set()
            await task

    middleware = [
        Middleware(LiveContentMiddleware, live=live),
        Middleware(SecurityHeadersMiddleware, origins_for=origins_for, default_origins=defaults),
        Middleware(InputTextMiddleware),
        Middleware(CorsMiddleware, origins_for=origins_for, default_origins=defaults),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, uploads={
            UPLOAD_PATH: max(settings.max_body_bytes, settings.attachment_max_bytes)}),
        Middleware(RateLimitMiddleware, limiter=limiter, applies=is_public_api),
        Middleware(IdempotencyMiddleware),
    ]
    return Starlette(
        routes=routes(),
        middleware=middleware,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
