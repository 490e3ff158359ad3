"""Reading and checking request parameters; every refusal is a 400 naming its field."""

import re
from collections.abc import Sequence

from starlette.requests import Request

from selfservice.domain.enums import Language
from selfservice.web.errors import ApiError
from selfservice.web.hardening import ORG_HEADER

#: Organisation ids are at most this long (the org header and ``?org=``).
MAX_ORG = 64
_INTEGER = re.compile(r"-?[0-9]{1,9}")
#: Blank = only characters JSON Schema's (ECMAScript) ``\s`` matches, so the OpenAPI
#: ``pattern: "\S"`` and this check agree (Python's isspace() also counts \x1c-\x1f).
_BLANK = re.compile(r"[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*")


def query_text(
    request: Request, name: str, *, max_length: int, required: bool = True, cut: bool = False
) -> str:
    """A free-text parameter: present (when required), not blank, at most ``max_length``.

    With ``cut`` a longer value is not refused but shortened to its first ``max_length``
    characters (at a word boundary when there is one): a customer who pastes a whole
    error message into the search box gets results for its beginning, not an error.
    """
    raw = request.query_params.get(name)
    if raw is None:
        if required:
            raise ApiError(400, "required", field=name)
        return ""
    if _BLANK.fullmatch(raw):
        raise ApiError(400, "blank", field=name)
    if len(raw) > max_length:
        if not cut:
            raise ApiError(400, "too_long", field=name, max=max_length)
        head = raw[: max_length + 1]
        space = max(head.rfind(" "), head.rfind("\n"))
        raw = head[:space] if space > max_length // 2 else raw[:max_length]
    return raw.strip()


def query_choice(request: Request, name: str, choices: Sequence[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise ApiError(400, "invalid_choice", field=name, choices=", ".join(choices))
    return raw


def query_language(request: Request, name: str = "lang") -> Language | None:
    value = query_choice(request, name, [lang.value for lang in Language])
    return Language(value) if value is not None else None


def query_int(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise ApiError(400, "not_an_integer", field=name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise ApiError(400, "out_of_range", field=name, min=minimum, max=maximum)
    return value



def check_common(request: Request) -> None:
    """The parameters every customer endpoint documents: ``?lang=`` and the org header."""
    query_language(request)
    for name, value in (
        (ORG_HEADER, request.headers.get(ORG_HEADER)),
        ("org", request.query_params.get("org")),
    ):
        if value is not None and len(value) > MAX_ORG:
            raise ApiError(
                400, "too_long", field=name if name == "org" else "X-SelfService-Org", max=MAX_ORG
            )
