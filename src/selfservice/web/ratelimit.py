"""Rate limiting of public endpoints: a token bucket per client behind a one-method interface.

:class:`RateLimiter` is all the middleware knows, so the in-memory
:class:`TokenBucketLimiter` (fine for one process) can be replaced by one backed by a
shared store (the database, Redis) when several workers or hosts serve the API.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from selfservice.web.errors import error_response


class RateLimiter(Protocol):
    async def acquire(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else seconds until one is available."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """``burst`` requests at once, refilled at ``per_minute`` a minute, per key, in memory.

    At most ``max_keys`` buckets are kept; the least recently used goes first (a full
    bucket forgotten costs nothing: it would be full again anyway).
    """

    def __init__(
        self,
        *,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("per_minute must be positive and burst at least 1")
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    async def acquire(self, key: str) -> float:
        now = self.clock()
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


class NoRateLimit:
    """A limiter that always allows (tests that are not about rate limits, benchmarks)."""

    async def acquire(self, key: str) -> float:
        return 0.0


def client_key(scope: Scope) -> str:
    """The client's IP address (uvicorn puts the proxy's client there when it is trusted)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimitMiddleware:
    """429 ``rate_limited`` with ``Retry-After`` once a client has used up its bucket."""

    def __init__(
        self, app: ASGIApp, *, limiter: RateLimiter, applies: Callable[[str], bool]
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.applies = applies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        wait = await self.limiter.acquire(client_key(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        response = error_response(
            HTTPConnection(scope),
            429,
            "rate_limited",
            params={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
