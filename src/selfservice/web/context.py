"""The language and the organisation of a request, resolved once and kept on its state.

* language: ``?lang=en|ru`` when it names a supported language, else the best match of
  ``Accept-Language``, else English. The answer and every error message use it.
* organisation: the ``X-SelfService-Org`` header, else ``?org=`` (a browser's CORS
  preflight carries no custom header values, so embedders put ``?org=`` on the URL).

Middleware (CORS, frame-ancestors, errors) and endpoints all ask :func:`request_context`;
the first asker computes it and stores it in the request's state (``State.request``).
"""

from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from selfservice.domain.enums import Language
from selfservice.web.messages import DEFAULT_LANGUAGE

ORG_HEADER = "x-selfservice-org"
_KEY = "request"


@dataclass(frozen=True)
class RequestContext:
    #: The language of the answer and its error messages.
    lang: Language
    #: ``?lang=`` when it names a supported language.
    asked_lang: Language | None
    #: The organisation the request is made for, if it names one.
    org: str | None
    #: The ``Accept-Language`` header named a supported language.
    accepts_supported: bool


def request_context(conn: HTTPConnection) -> RequestContext:
    state: dict[str, Any] = conn.scope.setdefault("state", {})
    found = state.get(_KEY)
    if not isinstance(found, RequestContext):
        found = _resolve(conn)
        state[_KEY] = found
    return found


def _resolve(conn: HTTPConnection) -> RequestContext:
    explicit = conn.query_params.get("lang", "").strip().lower()
    asked = Language(explicit) if explicit in (Language.EN, Language.RU) else None
    header = conn.headers.get("accept-language", "")
    org = conn.headers.get(ORG_HEADER) or conn.query_params.get("org")
    return RequestContext(
        lang=asked or accept_language(header),
        asked_lang=asked,
        org=(org or "").strip() or None,
        accepts_supported=any(
            t.strip().lower()[:2] in ("en", "ru") for t in header.split(",")
        ),
    )


def accept_language(header: str) -> Language:
    """The supported language the ``Accept-Language`` header prefers most."""
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in (Language.EN, Language.RU):
            continue
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        if weight <= 0:
            continue
        candidate = (weight, -position, Language(primary))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LANGUAGE
