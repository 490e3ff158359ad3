"""The embeddable chat widget, served by the backend: no build step, no CDN.

* ``/widget.js``: the loader a portal includes with one ``<script>`` tag;
* ``/widget/<file>``: the chat frame (``frame.html``) and its modules and styles;
* ``/demo``: a demo client portal with the widget embedded and the demo contact signed
  in (``?anonymous=1``: nobody signed in). Only the app ``selfservice serve --demo`` runs
  (``selfservice.run.server.demo_app_from_settings``) has this route, because it hands a
  portal token to every visitor.

The files come from ``settings.widget_dir``; by default from the copy shipped inside the
package (a wheel) or else the repository's ``widget/`` folder (a source checkout or an
editable install). The frame's ``frame-ancestors`` policy (the organisation's portal
origins) is set by ``SecurityHeadersMiddleware`` from the frame URL's ``?org=``.
"""

import gzip
import html
import re
from datetime import datetime, timedelta
from functools import lru_cache, partial
from pathlib import Path
from stat import S_ISREG
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute

from selfservice.config.settings import Settings
from selfservice.services import portal
from selfservice.services.demo import DEMO_CONTACT, DEMO_ORG
from selfservice.web.dispatch import ApiRoute, Call, Operation
from selfservice.web.errors import ApiError
from selfservice.web.identity import mint_token

#: Files of the widget folder that are served (flat folder, no sub-paths).
_SERVED = re.compile(r"[a-z0-9][a-z0-9-]*\.(?:js|css|html|svg)")
#: The demo page's template: rendered at /demo, never served as a file.
DEMO_TEMPLATE = "demo.html"
_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: Browsers revalidate every time (a 304 when unchanged), so a deployment shows at once.
CACHE_CONTROL = "no-cache"
DEMO_TOKEN_TTL = timedelta(hours=1)
#: Below this a file gains less from gzip than its headers cost.
GZIP_MIN_BYTES = 500


def default_widget_dir() -> Path:
    """The shipped widget: inside the package (wheel), else the repository's ``widget/``."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "widget"
    if (packaged / "widget.js").is_file():
        return packaged
    return package.parents[1] / "widget"


def widget_dir(settings: Settings) -> Path:
    return settings.widget_dir if settings.widget_dir is not None else default_widget_dir()


@lru_cache(maxsize=64)
def _gzipped(path: Path, mtime_ns: int, size: int) -> bytes:
    # Keyed by the file's change time and size, so an edited file is compressed afresh.
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def _file_response(request: Request, path: Path) -> Response:
    try:
        stat = path.stat()
    except OSError:
        raise ApiError(404, "not_found") from None
    if not S_ISREG(stat.st_mode):
        raise ApiError(404, "not_found")
    if "gzip" in request.headers.get("accept-encoding", "") and stat.st_size >= GZIP_MIN_BYTES:
        # Portal owners count the widget's bytes on the wire (README, "Size budget"), and
        # the sources are served as written, with no build step: compress each version
        # once, not on every request.
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-gzip"'
        headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag, "Vary": "Accept-Encoding"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
        return Response(body, media_type=_MEDIA_TYPES[path.suffix],
                        headers={**headers, "Content-Encoding": "gzip"})
    response = FileResponse(
        path,
        media_type=_MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": CACHE_CONTROL},
        stat_result=stat,
    )
    file_etag = response.headers.get("etag")
    if file_etag is not None and file_etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304,
                        headers={"ETag": file_etag, "Cache-Control": CACHE_CONTROL})
    return response


async def loader(call: Call[None, None]) -> Response:
    """The chat widget's loader script, included by portals

    `<script src="https://support.example/widget.js" data-org="acme" data-lang="ru"
    async></script>` adds the chat (an iframe of /widget/frame.html) to the page and
    the page API `window.SelfService`; see the README, "The chat widget".
    """
    return _file_response(call.request, widget_dir(call.state["settings"]) / "widget.js")


async def widget_file(call: Call[None, None]) -> Response:
    """A file of the chat widget's frame (frame.html, its scripts and styles)

    frame.html may be framed only by the origins of the organisation named by `org`
    (Content-Security-Policy frame-ancestors); the loader puts `org`, `lang` and the
    page's origin (`host`) on the frame's URL.
    """
    name = call.path("name")
    if not _SERVED.fullmatch(name) or name == DEMO_TEMPLATE:
        raise ApiError(404, "not_found")
    return _file_response(call.request, widget_dir(call.state["settings"]) / name)


class WidgetFile(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*\.(js|css|html|svg)$")


class FrameQuery(BaseModel):
    org: str | SkipJsonSchema[None] = Field(None, max_length=64)


class DemoQuery(BaseModel):
    anonymous: Literal["1", "true", "yes"] | SkipJsonSchema[None] = None
    lang: Literal["en", "ru"] | SkipJsonSchema[None] = None


_NOT_MODIFIED = {"304": {"description": "Not modified since the ETag sent in If-None-Match"}}
_TEXT = {"schema": {"type": "string"}}


def _files(*media_types: str) -> dict[str, Any]:
    return {"200": {"description": "The file (revalidate with its ETag)",
                    "content": dict.fromkeys(media_types, _TEXT)}, **_NOT_MODIFIED}


def routes() -> list[BaseRoute]:
    get = ("GET", "HEAD")
    return [
        ApiRoute(Operation("GET", "/widget.js", loader, "widget_loader", methods=get,
                           errors=(404,), raw_responses=_files("text/javascript"))),
        ApiRoute(Operation(
            "GET", "/widget/{name}", widget_file, "widget_file", methods=get,
            path_model=WidgetFile, doc_query=FrameQuery, errors=(404,),
            raw_responses=_files("text/html", "text/javascript", "text/css", "image/svg+xml"),
        )),
    ]


# --- the demo portal ---------------------------------------------------------------------


def demo_token(engine: Engine, *, now: datetime) -> str | None:
    """A fresh portal token for the demo contact, as the demo portal would sign it."""
    org = portal.organisation(engine, org_id=DEMO_ORG)
    contact = portal.authorised_contact(engine, org_id=DEMO_ORG, email=DEMO_CONTACT)
    if org is None or contact is None:
        return None
    return mint_token(DEMO_ORG, org.token_secret, DEMO_CONTACT, ttl=DEMO_TOKEN_TTL, now=now)


def render_demo(template: str, *, token: str | None, lang: str) -> str:
    """Fill the demo template's ``{{name}}`` markers (values are HTML-escaped)."""
    values = {
        "lang": lang,
        "page_lang": lang or "en",
        "token": token or "",
        "user": DEMO_CONTACT if token else "",
        "signed_in": "true" if token else "false",
        "org": DEMO_ORG,
    }
    return re.sub(
        r"\{\{(\w+)\}\}", lambda m: html.escape(values.get(m.group(1), ""), quote=True), template
    )


async def demo_page(call: Call[None, None]) -> Response:
    """A demo client portal with the chat widget (selfservice serve --demo only)

    The widget embedded, with a fresh portal token for the demo contact
    demo@example.com of organisation demo; `anonymous=1` for a visitor who is not
    signed in.
    """
    request, state = call.request, call.state
    anonymous = request.query_params.get("anonymous", "") in {"1", "true", "yes"}
    lang = request.query_params.get("lang", "")
    lang = lang if lang in {"en", "ru"} else ""
    token = None
    if not anonymous:
        engine = call.backend.engine
        token = await run_in_threadpool(partial(demo_token, engine, now=call.now()))
    template = (widget_dir(state["settings"]) / DEMO_TEMPLATE).read_text(encoding="utf-8")
    page = render_demo(template, token=token, lang=lang)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def add_demo_page(app: Starlette) -> Starlette:
    """Serve ``/demo`` too: only for demo installations (it signs in every visitor)."""
    app.router.routes.append(ApiRoute(Operation(
        "GET", "/demo", demo_page, "demo", methods=("GET", "HEAD"), doc_query=DemoQuery,
        raw_responses={"200": {"description": "The page", "content": {"text/html": _TEXT}}},
    )))
    return app
