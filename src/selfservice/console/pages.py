"""What every console page shares: the session cookie, CSRF, language and rendering.

The session cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the request came over
HTTPS) holds a random token; the table holds only its hash (``services.staff_auth``).
Every form post carries the session's CSRF token in a hidden ``csrf`` field; the sign-in
form, before any session, carries a token that must match a short-lived cookie of its own
(double submit). A refusal is a 403 page in the user's language.
"""

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from selfservice.domain.enums import Language
from selfservice.services.staff_auth import ConsoleUser, session_user
from selfservice.text.catalogue import text
from selfservice.web.backend import Backend, backend_of
from selfservice.web.context import request_context
from selfservice.web.state import state_of

STATIC = Path(__file__).parent / "static"
COOKIE = "selfservice_console"
#: The sign-in form's own CSRF cookie (no session exists yet).
LOGIN_COOKIE = "selfservice_console_login"
#: The pages' own policy: their script and style only, no framing, forms post here.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_ENV = Environment(loader=PackageLoader("selfservice.console", "templates"),
                   autoescape=select_autoescape(default=True), trim_blocks=True,
                   lstrip_blocks=True)


def backend(request: Request) -> Backend:
    return backend_of(request)


def now(request: Request) -> datetime:
    return state_of(request)["clock"]()


async def current_user(request: Request) -> ConsoleUser | None:
    """The signed-in engineer of this request's cookie (looked up once per request)."""
    if "console_user" in request.scope.setdefault("state", {}):
        found: ConsoleUser | None = request.scope["state"]["console_user"]
        return found
    token = request.cookies.get(COOKIE, "")
    user = await run_in_threadpool(session_user, backend(request).engine, token=token,
                                   now=now(request)) if token else None
    request.scope["state"]["console_user"] = user
    return user


def language(request: Request, user: ConsoleUser | None = None) -> Language:
    """The switch saved in the session, else ``?lang=``, else Accept-Language."""
    if user is not None and user.lang in (Language.EN, Language.RU):
        return Language(user.lang)
    return request_context(request).lang


def render(request: Request, name: str, *, user: ConsoleUser | None, status: int = 200,
           **values: Any) -> HTMLResponse:
    lang = language(request, user)

    def t(key: str, **params: object) -> str:
        return text(f"console.{key}", lang.value, **params)

    def tx(key: str, **params: object) -> str:
        return text(key, lang.value, **params)

    zone = state_of(request)["settings"].console_time_zone

    def when(moment: datetime | None, with_year: bool = False) -> str:
        """A stored (UTC) time on the desk's clock: ``07.12.2026 14:05 MSK``."""
        if moment is None:
            return "—"
        local = moment.astimezone(zone)
        return local.strftime("%d.%m.%Y %H:%M %Z" if with_year else "%d.%m %H:%M")

    html = _ENV.get_template(name).render(
        t=t, tx=tx, when=when, zone=now(request).astimezone(zone).strftime("%Z"),
        lang=lang.value, user=user, path=request.url.path,
        csrf=user.csrf_token if user is not None else "", **values,
    )
    return HTMLResponse(html, status_code=status, headers=page_headers())


def page_headers() -> dict[str, str]:
    return {"Content-Security-Policy": POLICY, "Cache-Control": "no-store"}


def refused(request: Request, user: ConsoleUser | None, reason: str) -> HTMLResponse:
    """The 403 page: ``reason`` is a ``console.refused.*`` key."""
    return render(request, "refused.html", user=user, status=403, reason=reason)


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/console/login?next={_quote(target)}", status_code=303)
    return response


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


async def signed_post(request: Request) -> tuple[ConsoleUser, FormData] | Response:
    """The signed-in engineer and the posted form with the session's CSRF token; else the
    answer to send instead (the sign-in page, or the 403 page)."""
    user = await current_user(request)
    if user is None:
        return to_login(request)
    form = await request.form()
    if not csrf_ok(form, user.csrf_token):
        return refused(request, user, "csrf")
    return user, form


def csrf_ok(form: FormData, expected: str) -> bool:
    given = form.get("csrf")
    return isinstance(given, str) and bool(expected) and secrets.compare_digest(given, expected)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True,
                        samesite="lax", secure=is_https(request))


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
