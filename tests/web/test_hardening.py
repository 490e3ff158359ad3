import asyncio
from collections.abc import Callable, Iterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.web.errors import exception_handlers
from selfservice.web.hardening import (
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    normalise_origin,
    static_origins,
)
from selfservice.web.ratelimit import TokenBucketLimiter

AppFactory = Callable[..., Starlette]
PORTAL = "https://portal.acme.example"
ORIGINS = static_origins({"acme": [PORTAL + "/"], "globex": ["https://globex.example"]})


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- request size -----------------------------------------------------------------------


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


def limited_app(max_bytes: int) -> Starlette:
    return Starlette(
        routes=[Route("/echo", echo, methods=["POST"])],
        middleware=[Middleware(BodyLimitMiddleware, max_bytes=max_bytes)],
        exception_handlers=exception_handlers(),
    )


def test_a_declared_oversized_body_is_413_naming_the_limit(client: TestClient) -> None:
    response = client.post("/api/v1/search", content=b"x" * (64 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"
    assert "65536" in response.json()["message"]


def test_a_streamed_oversized_body_is_413() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 100

    with TestClient(limited_app(500)) as client:
        assert client.post("/echo", content=b"x" * 500).json() == {"size": 500}
        response = client.post("/echo", content=chunks(), headers={"Accept-Language": "ru"})
    assert response.status_code == 413
    assert response.json()["message"] == "Тело запроса больше допустимых 500 байт."


# --- rate limit -------------------------------------------------------------------------


def test_public_endpoints_are_rate_limited_with_retry_after(make_app: AppFactory) -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=30, burst=2, clock=clock)
    with TestClient(make_app(rate_limiter=limiter)) as client:
        assert client.get("/api/v1/forms").status_code == 200
        assert client.get("/api/v1/search?q=password").status_code == 200
        refused = client.get("/api/v1/forms")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["error"] == "rate_limited"
        assert client.get("/healthz").status_code == 200  # not a public API path
        clock.now += 2
        assert client.get("/api/v1/forms").status_code == 200


def test_token_bucket_refills_and_keys_are_separate() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(per_minute=60, burst=1, clock=clock, max_keys=2)

    def take(key: str) -> float:
        return asyncio.run(limiter.acquire(key))

    assert take("a") == 0
    assert take("a") == pytest.approx(1.0)
    assert take("b") == 0
    clock.now += 0.5
    assert take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert take("a") == 0
    take("c")  # evicts "b", the least recently used
    assert take("b") == 0


def test_the_default_limiter_comes_from_the_settings(make_app: AppFactory) -> None:
    settings = Settings(rate_limit_per_minute=1, rate_limit_burst=1)
    with TestClient(make_app(settings=settings, rate_limiter=None)) as client:
        assert client.get("/api/v1/forms").status_code == 200
        response = client.get("/api/v1/forms")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"


# --- CORS -------------------------------------------------------------------------------


def preflight(client: TestClient, origin: str, url: str = "/api/v1/me?org=acme") -> httpx2.Response:
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, x-selfservice-org",
        },
    )


def test_preflight_is_allowed_for_the_organisations_origin(make_app: AppFactory) -> None:
    with TestClient(make_app(origins_for=ORIGINS)) as client:
        response = preflight(client, PORTAL)
    assert response.status_code == 204
    headers = response.headers
    assert headers["access-control-allow-origin"] == PORTAL
    assert "authorization" in headers["access-control-allow-headers"]
    assert "GET" in headers["access-control-allow-methods"]
    assert headers["vary"] == "Origin"


def test_a_portal_page_may_send_an_idempotency_key(make_app: AppFactory) -> None:
    with TestClient(make_app(origins_for=ORIGINS)) as client:
        response = client.options("/api/v1/tickets?org=acme", headers={
            "Origin": PORTAL, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        })  # fmt: skip
    assert response.status_code == 204
    assert "idempotency-key" in response.headers["access-control-allow-headers"]


@pytest.mark.parametrize(
    ("origin", "url"),
    [
        ("https://evil.example", "/api/v1/me?org=acme"),
        ("https://globex.example", "/api/v1/me?org=acme"),  # another org's origin
        (PORTAL, "/api/v1/me"),  # no organisation named
        ("null", "/api/v1/me?org=acme"),
    ],
)
def test_preflight_is_refused_for_other_origins(
    make_app: AppFactory, origin: str, url: str
) -> None:
    with TestClient(make_app(origins_for=ORIGINS)) as client:
        response = preflight(client, origin, url)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert response.json()["error"] == "cors_origin_refused"


def test_actual_requests_get_cors_headers_only_for_allowed_origins(make_app: AppFactory) -> None:
    with TestClient(make_app(origins_for=ORIGINS)) as client:
        allowed = client.get(
            "/api/v1/forms", headers={"Origin": PORTAL, "X-SelfService-Org": "acme"}
        )
        other = client.get(
            "/api/v1/forms", headers={"Origin": "https://evil.example", "X-SelfService-Org": "acme"}
        )
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert allowed.headers["access-control-expose-headers"] == "idempotent-replayed, retry-after"
    assert "access-control-allow-origin" not in other.headers
    assert other.status_code == 200  # the browser, not the server, withholds the answer


def test_default_origins_from_the_settings_need_no_org(make_app: AppFactory) -> None:
    settings = Settings(cors_origins="https://support.example.com, https://kb.example.com")
    with TestClient(make_app(settings=settings)) as client:
        response = preflight(client, "https://kb.example.com", "/api/v1/search")
    assert response.status_code == 204


@pytest.mark.parametrize("bad", ["*", "https://*.example.com", "portal.example", "ftp://x.example"])
def test_wildcards_and_non_origins_are_refused_in_configuration(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_origin(bad)


# --- security headers -------------------------------------------------------------------


def test_security_headers_on_api_responses(client: TestClient) -> None:
    for response in (client.get("/api/v1/forms"), client.get("/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["content-security-policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )


def test_html_may_be_framed_only_by_the_organisations_origins() -> None:
    async def frame(request: Request) -> HTMLResponse:
        return HTMLResponse("<p>widget</p>")

    app = Starlette(
        routes=[Route("/frame", frame)],
        middleware=[Middleware(SecurityHeadersMiddleware, origins_for=ORIGINS)],
    )
    with TestClient(app) as client:
        acme = client.get("/frame?org=acme").headers["content-security-policy"]
        nobody = client.get("/frame").headers["content-security-policy"]
    assert acme == f"frame-ancestors 'self' {PORTAL}"
    assert nobody == "frame-ancestors 'self'"


def test_starlettes_own_body_limit_would_answer_in_plain_text() -> None:
    """Why ``BodyLimitMiddleware`` stays: Starlette's ``max_body_size`` answers any request
    that declares an oversized body with its own text/plain "Content Too Large", even when
    the app's JSON error handler has answered. When this fails, Starlette has changed:
    switch to ``max_body_size`` (a route can raise its own limit, e.g. uploads)."""
    app = Starlette(
        routes=[Route("/echo", echo, methods=["POST"])],
        exception_handlers=exception_handlers(),
        max_body_size=500,
    )
    with TestClient(app) as client:
        response = client.post("/echo", content=b"x" * 501)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/plain")
    with TestClient(limited_app(500)) as client:
        ours = client.post("/echo", content=b"x" * 501, headers={"Accept-Language": "ru"})
    assert ours.json()["error"] == "body_too_large"
