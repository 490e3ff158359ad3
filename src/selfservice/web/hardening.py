"""HTTP hardening: per-organisation CORS, frame-ancestors, body size limit, security headers.

The organisation a request is made for comes from the ``X-SelfService-Org`` header or
the ``org`` query parameter. A browser's CORS preflight never carries custom header
*values*, so embedders put ``?org=<id>`` on the URL (the widget loader does).

Allowed origins are ``default_origins`` plus ``origins_for(org)``. There is no ``*``:
a wildcard is refused when configured, and an unknown origin simply gets no CORS headers
(the browser then refuses to hand the response to the page) or, for a preflight, a 403.

The rate limit lives in ``ratelimit.py``.
"""

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from selfservice.web.context import ORG_HEADER, request_context
from selfservice.web.errors import error_response

#: Origins allowed for one organisation (async so a database lookup can sit behind it).
OriginsFor = Callable[[str], Awaitable[Collection[str]]]


def normalise_origin(origin: str) -> str:
    """``https://Portal.Example.com/`` -> ``https://portal.example.com``; refuse ``*``."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or "*" in origin:
        raise ValueError(f"not an origin (scheme://host[:port], no wildcard): {origin!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def request_org(scope: Scope) -> str | None:
    return request_context(HTTPConnection(scope)).org


async def allowed_origins(
    scope: Scope, defaults: frozenset[str], origins_for: OriginsFor | None
) -> frozenset[str]:
    org = request_org(scope)
    if org is None or origins_for is None:
        return defaults
    extra = set()
    for origin in await origins_for(org):
        try:
            extra.add(normalise_origin(origin))
        except ValueError:
            continue  # a bad entry in one organisation's list must not break the request
    return defaults | extra


def static_origins(table: dict[str, Iterable[str]]) -> OriginsFor:
    """An :data:`OriginsFor` over a fixed table (tests, single-tenant installs)."""
    frozen = {org: frozenset(normalise_origin(o) for o in items) for org, items in table.items()}

    async def origins_for(org: str) -> Collection[str]:
        return frozen.get(org, frozenset())

    return origins_for


class CorsMiddleware:
    """CORS with an allow-list per organisation; preflights are answered here."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins_for: OriginsFor | None = None,
        default_origins: Iterable[str] = (),
        allow_methods: Iterable[str] = ("GET", "POST", "PATCH", "DELETE"),
        allow_headers: Iterable[str] = (
            "authorization",
            "content-type",
            "accept-language",
            ORG_HEADER,
            "idempotency-key",
        ),  # fmt: skip
        expose_headers: Iterable[str] = ("retry-after", "idempotent-replayed"),
        max_age: int = 600,
    ) -> None:
        self.app = app
        self.origins_for = origins_for
        self.defaults = frozenset(normalise_origin(o) for o in default_origins)
        self.methods = frozenset(m.upper() for m in allow_methods)
        self.headers = frozenset(h.lower() for h in allow_headers)
        self.expose = ", ".join(sorted(expose_headers))
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        try:
            origin_ok = normalise_origin(origin) in await allowed_origins(
                scope, self.defaults, self.origins_for
            )
        except ValueError:
            origin_ok = False
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = self._preflight(scope, headers, origin, origin_ok)
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if origin_ok:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = self.expose
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _preflight(self, scope: Scope, headers: Headers, origin: str, origin_ok: bool) -> Response:
        method = headers["access-control-request-method"].upper()
        requested = {
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        }
        if not origin_ok or method not in self.methods or not requested <= self.headers:
            response: Response = error_response(HTTPConnection(scope), 403, "cors_origin_refused")
        else:
            response = Response(status_code=204)
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(self.methods))
            response.headers["Access-Control-Allow-Headers"] = ", ".join(sorted(self.headers))
            response.headers["Access-Control-Max-Age"] = str(self.max_age)
        response.headers.add_vary_header("Origin")
        return response


class SecurityHeadersMiddleware:
    """nosniff and Referrer-Policy everywhere; a Content-Security-Policy per kind of response.

    HTML (the widget frame, later) may be framed only by the organisation's own origins:
    ``frame-ancestors 'self' <origins>``. Everything else (JSON) may not be framed or
    load anything: ``default-src 'none'; frame-ancestors 'none'``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        origins_for: OriginsFor | None = None,
        default_origins: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.origins_for = origins_for
        self.defaults = frozenset(normalise_origin(o) for o in default_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("X-Content-Type-Options", "nosniff")
                out.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                # a 304 has no body and no type: its headers update the browser's stored
                # copy, and a policy for "not HTML" would forbid the widget's cached
                # frame from being framed (it showed as an error after a reload)
                if message["status"] != 304 and "content-security-policy" not in out:
                    out["Content-Security-Policy"] = await self._policy(scope, out)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _policy(self, scope: Scope, headers: MutableHeaders) -> str:
        if not headers.get("content-type", "").startswith("text/html"):
            return "default-src 'none'; frame-ancestors 'none'"
        origins = await allowed_origins(scope, self.defaults, self.origins_for)
        return " ".join(["frame-ancestors", "'self'", *sorted(origins)])


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """413 ``body_too_large`` for bodies over ``max_bytes``, declared or streamed.

    ``uploads`` maps a path (the attachment upload) to its own limit, the largest file;
    past it the answer is 413 ``attachment_too_large`` naming the file."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, uploads: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = dict(uploads or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads.get(scope["path"], self.max_bytes)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        conn = HTTPConnection(scope)
        if scope["path"] in self.uploads:
            response = error_response(conn, 413, "attachment_too_large", field="file", params={
                "name": conn.query_params.get("name", ""),
                "limit_mb": f"{limit / (1024 * 1024):.3g}"})
        else:
            response = error_response(conn, 413, "body_too_large", params={"limit": limit})
        await response(scope, receive, send)
