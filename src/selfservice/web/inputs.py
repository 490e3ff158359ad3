"""What text the API lets in, decided once for every JSON body, query string and path.

Two characters are refused with 400 ``invalid_character`` naming the field, before any
endpoint sees them: NUL (U+0000), which PostgreSQL cannot store in a text column (the
insert fails, and with it every row of the same transaction), and lone UTF-16
surrogates (U+D800 to U+DFFF, which JSON's ``\\ud800`` escape produces without its
pair), which are not Unicode text: no database driver and no UTF-8 encoder takes them,
including the one that writes our own JSON answers. Rejecting rather than stripping
keeps what is stored equal to what was sent.

JSON bodies nested deeper than :data:`MAX_DEPTH` are refused with 400 ``too_deep``
(Python's parser would otherwise fail on its recursion limit), and ``NaN``, ``Infinity``
and numbers too large for a float, which no JSON encoder writes back, are ``invalid_json``.
"""

import json
import math
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from selfservice.web.errors import ApiError, error_response

#: Deepest nesting of objects and arrays a request body may have (alert payloads use 4).
MAX_DEPTH = 32
#: NUL, or a surrogate code point: after JSON decoding a valid pair is one character
#: above U+FFFF, so any code point in this range stood alone.
_BAD = re.compile("[\x00\ud800-\udfff]")
#: The org header is read by the CORS middleware before any endpoint.
_CHECKED_HEADERS = ("x-selfservice-org",)


def has_bad_character(text: str) -> bool:
    return _BAD.search(text) is not None


def printable_name(name: str) -> str:
    """A field name safe to send back in an error (its bad characters replaced)."""
    return _BAD.sub("\ufffd", name)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    # 1e400 would become infinity, which no JSON encoder (ours, PostgreSQL's) writes back.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def decode_json(raw: bytes) -> Any:
    """The JSON value of a request body, or the 400 that refuses it."""
    try:
        data = json.loads(raw, parse_constant=_no_constants, parse_float=_finite)
    except RecursionError:
        raise ApiError(400, "too_deep", max=MAX_DEPTH) from None
    except ValueError:  # also UnicodeDecodeError: a body that is not UTF-8
        raise ApiError(400, "invalid_json") from None
    check_value(data)
    return data


def check_value(data: Any) -> None:
    """Walk a decoded JSON value (without recursion): 400 at the first bad string or
    nesting past :data:`MAX_DEPTH`, naming its path (``fields.vm_name``, ``alerts[0]``)."""
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            if has_bad_character(value):
                raise ApiError(400, "invalid_character", field=path or "body")
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise ApiError(400, "too_deep", field=path, max=MAX_DEPTH)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    name = printable_name(key)
                    child = f"{path}.{name}" if path else name
                    if has_bad_character(key):
                        raise ApiError(400, "invalid_character", field=child)
                else:
                    child = f"{path}[{key}]"
                stack.append((child, item, depth + 1))


def bad_request_text(scope: Scope) -> str | None:
    """The first query parameter, header or path with a bad character ('path' for the path)."""
    if has_bad_character(scope.get("path", "")):
        return "path"
    for name, value in HTTPConnection(scope).query_params.multi_items():
        if has_bad_character(name) or has_bad_character(value):
            return printable_name(name)
    headers = Headers(scope=scope)
    for name in _CHECKED_HEADERS:
        if has_bad_character(headers.get(name, "")):
            return name
    return None


class InputTextMiddleware:
    """400 ``invalid_character`` for a request whose path, query string or org header
    holds NUL (``%00``), before anything looks it up in the database."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = bad_request_text(scope)
            if field is not None:
                response = error_response(
                    HTTPConnection(scope), 400, "invalid_character", field=field
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
