"""Signing in and out, and the language switch.

``GET /console/login`` shows the form; ``POST`` checks e-mail and password
(``services.staff_auth.sign_in``: argon2, backoff after failures) and starts a session.
One message for every refusal, so it never tells whether an e-mail is registered.
``POST /console/logout`` ends this session, ``/console/logout-everywhere`` every session
of the engineer; ``/console/language`` saves the switch in the session.
"""

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from selfservice.console.pages import (
    COOKIE,
    LOGIN_COOKIE,
    backend,
    csrf_ok,
    current_user,
    field,
    now,
    refused,
    render,
    set_cookie,
    signed_post,
)
from selfservice.domain import lockout
from selfservice.domain.enums import Language
from selfservice.services import staff_auth

QUEUE = "/console/queue"


def _next(value: str) -> str:
    """Only a console path is followed after sign-in (no open redirect)."""
    if value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return QUEUE


async def to_queue(request: Request) -> Response:
    return RedirectResponse(QUEUE, status_code=303)


async def login_form(request: Request, *, error: bool = False, email: str = "") -> Response:
    if not error and await current_user(request) is not None:
        return RedirectResponse(QUEUE, status_code=303)
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", user=None, status=401 if error else 200, login_csrf=token,
        error=error, email=email, next=_next(request.query_params.get("next", "")),
        attempts=lockout.FREE_ATTEMPTS + 1, minutes=int(lockout.FIRST_LOCK.total_seconds() // 60),
        max_minutes=int(lockout.MAX_LOCK.total_seconds() // 60),
    )
    set_cookie(response, request, LOGIN_COOKIE, token, max_age=3600)
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return await login_form(request)
    form = await request.form()
    if not csrf_ok(form, request.cookies.get(LOGIN_COOKIE, "")):
        return refused(request, None, "csrf")
    email, password = field(form, "email"), form.get("password")
    lang = request.query_params.get("lang", "")
    signed = await run_in_threadpool(
        staff_auth.sign_in, backend(request).engine, email=email,
        password=password if isinstance(password, str) else "", now=now(request),
        lang=lang if lang in (Language.EN, Language.RU) else "",
    )
    if signed is None:
        return await login_form(request, error=True, email=email)
    response = RedirectResponse(_next(field(form, "next")), status_code=303)
    set_cookie(response, request, COOKIE, signed.token,
               max_age=int(staff_auth.SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


async def logout(request: Request) -> Response:
    posted = await signed_post(request)
    if isinstance(posted, Response):
        return posted
    user, form = posted
    engine = backend(request).engine
    if request.url.path.endswith("everywhere"):
        await run_in_threadpool(staff_auth.sign_out_everywhere, engine,
                                engineer_id=user.engineer_id)
    else:
        await run_in_threadpool(staff_auth.sign_out, engine, session_id=user.session_id)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


async def switch_language(request: Request) -> Response:
    posted = await signed_post(request)
    if isinstance(posted, Response):
        return posted
    user, form = posted
    lang = field(form, "lang")
    if lang in (Language.EN, Language.RU):
        await run_in_threadpool(staff_auth.set_language, backend(request).engine,
                                session_id=user.session_id, lang=lang)
    return RedirectResponse(_next(field(form, "back")), status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/logout-everywhere", logout, methods=["POST"]),
        Route("/language", switch_language, methods=["POST"]),
    ]
