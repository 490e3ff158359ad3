"""One error shape for the whole API, in the caller's language, never a stack trace.

Every error response is ``{"error": <code>, "field": <field or null>, "message": <text>}``.
The code is stable and machine-readable (see ``messages.CATALOGUE``); the message is
in the caller's language: ``?lang=en|ru`` when given, else the best match of the
``Accept-Language`` header, else English.

Endpoints raise :class:`ApiError`; domain and use-case refusals
(:class:`~selfservice.domain.errors.DomainError`) are mapped generically by their
``code`` and ``field`` attributes; anything unexpected becomes a 500 ``internal_error``.
"""

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import ExceptionHandler

from selfservice.domain.enums import Language
from selfservice.domain.errors import DomainError
from selfservice.web.context import request_context
from selfservice.web.identity import TokenError
from selfservice.web.messages import CATALOGUE, message

log = logging.getLogger("selfservice.web")

#: HTTP status for a domain error code; codes not listed here are 422 (refused as sent).
DOMAIN_STATUS: dict[str, int] = {
    "not_found": 404,
    "forbidden": 403,
    "actor_not_allowed": 403,
    "engineer_wrong_line": 403,
    "engineer_read_only": 403,
    "managers_only": 403,
    "conflict": 409,
    "transition_not_allowed": 409,
    "same_status": 409,
    "closed_is_final": 409,
    "conversation_closed": 409,
    "sign_in_required": 401,
    "precondition_failed": 422,
    "invalid_escalation": 422,
    "invalid_config": 500,
    "attachment_too_large": 413,
    "attachments_too_large": 413,
    "attachment_type_not_allowed": 415,
}

#: Error code for an HTTPException raised by Starlette itself (routing, etc.).
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    503: "service_unavailable",
}


class ApiError(Exception):
    """An error an endpoint returns on purpose; ``params`` fill the message template."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.field = field
        self.headers = dict(headers or {})
        self.params = params


def request_language(conn: HTTPConnection) -> Language:
    """The request's language (``web/context.py``)."""
    return request_context(conn).lang


def error_body(
    code: str,
    lang: Language,
    *,
    field: str | None = None,
    params: Mapping[str, object] | None = None,
    text_code: str | None = None,
) -> dict[str, Any]:
    """The error shape; ``text_code`` picks another catalogue text than ``code``'s own."""
    values: dict[str, object] = {"field": field, **(params or {})}
    return {"error": code, "field": field, "message": message(text_code or code, lang, values)}


def error_response(
    conn: HTTPConnection,
    status: int,
    code: str,
    *,
    field: str | None = None,
    params: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = error_body(code, request_language(conn), field=field, params=params)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(
        request, exc.status, exc.code, field=exc.field, params=exc.params, headers=exc.headers
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(request, exc.status_code, code, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path: Starlette's own ``Allow`` names only
    the first route's (``GET /tickets`` and ``POST /tickets`` are two routes)."""
    methods: set[str] = set()
    for route in getattr(request.app, "routes", ()):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def _text_code(exc: DomainError) -> str:
    """The catalogue entry for a domain error: its code's, else its class's (or a base's)."""
    if exc.code in CATALOGUE:
        return exc.code
    for cls in type(exc).__mro__:
        code = getattr(cls, "default_code", None)
        if code in CATALOGUE:
            return str(code)
    return "domain_error"


def _field_errors(exc: DomainError, lang: Language) -> list[dict[str, Any]] | None:
    """Per-field errors of a refused form (``InvalidSubmission.errors``), when present."""
    errors = getattr(exc, "errors", None)
    if not isinstance(errors, tuple | list):
        return None
    return [
        {"field": e.field or None, "error": e.code, "message": e.message.get(lang)} for e in errors
    ]


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = DOMAIN_STATUS.get(exc.code, DOMAIN_STATUS.get(type(exc).default_code, 422))
    if status >= 500:
        log.error("domain error surfaced as a server error: %s", exc)
        return error_response(request, 500, "internal_error")
    lang = request_language(request)
    body = error_body(exc.code, lang, field=exc.field, params=exc.params,
                      text_code=_text_code(exc))
    field_errors = _field_errors(exc, lang)
    if field_errors is not None:
        body["errors"] = field_errors
    return JSONResponse(body, status_code=status)


async def _token_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TokenError)
    challenge = f'Bearer error="invalid_token", error_description="{exc.code}"'
    if exc.code == "token_missing":
        challenge = "Bearer"
    return error_response(
        request,
        401,
        exc.code,
        field=exc.field,
        params=exc.params,
        headers={"WWW-Authenticate": challenge},
    )


async def _internal_error(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware re-raises after this, so the server logs the trace.
    return error_response(request, 500, "internal_error")


def exception_handlers() -> dict[Any, ExceptionHandler]:
    return {
        ApiError: _api_error,
        HTTPException: _http_exception,
        DomainError: _domain_error,
        TokenError: _token_error,
        Exception: _internal_error,
    }
