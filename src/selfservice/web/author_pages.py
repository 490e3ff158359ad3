"""The author's preview (``selfservice kb preview``): what the kb/ being written looks like
to customers, refreshed as files are saved.

``/author/`` lists the ``kb check`` problems of the files as they are now (the service keeps
serving the last good publication meanwhile) and every scripted solution, English and
Russian side by side; ``/author/walk/<id>`` walks one in two copies of the real chat widget,
one per language. ``/author/status.json`` changes when a publication or the problems do:
the pages and the site (``assets/service-search.js``) reload themselves then.
Served only by ``selfservice serve --author``: a tool for the author's own machine.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from selfservice.content.live import LiveContent, tree_digest
from selfservice.content.loader import check_kb
from selfservice.content.model import Article
from selfservice.domain.enums import Language, Line
from selfservice.web.context import request_context

#: The pages' own policy: their script, their style, and the widget framed from here.
AUTHOR_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-src 'self'; img-src 'self' data:; frame-ancestors 'self'"
)

TEXTS: dict[str, dict[Language, str]] = {
    "title": {Language.EN: "Author preview", Language.RU: "Предпросмотр для авторов"},
    "published": {Language.EN: "Published generation", Language.RU: "Опубликовано поколение"},
    "none": {Language.EN: "nothing published yet", Language.RU: "ещё ничего не опубликовано"},
    "ok": {Language.EN: "kb check: no problems — every save is published within seconds.",
           Language.RU: "kb check: проблем нет — каждое сохранение публикуется за секунды."},
    "problems": {Language.EN: "kb check found problems; the service keeps the last good "
                              "publication until they are fixed:",
                 Language.RU: "kb check нашёл проблемы; пока они не исправлены, сервис "
                              "показывает последнюю исправную публикацию:"},
    "scripted": {Language.EN: "Scripted solutions", Language.RU: "Пошаговые решения"},
    "walk": {Language.EN: "walk in the widget", Language.RU: "пройти в виджете"},
    "site": {Language.EN: "site page", Language.RU: "страница сайта"},
    "english": {Language.EN: "English", Language.RU: "Английский"},
    "russian": {Language.EN: "Russian", Language.RU: "Русский"},
    "steps": {Language.EN: "steps", Language.RU: "шагов"},
    "missing": {Language.EN: "no translation", Language.RU: "нет перевода"},
    "back": {Language.EN: "All scripted solutions", Language.RU: "Все пошаговые решения"},
    "reloads": {Language.EN: "This page reloads itself when you save a file in kb/.",
                Language.RU: "Страница обновляется сама, когда вы сохраняете файл в kb/."},
    "unknown": {Language.EN: "No published scripted solution has this id.",
                Language.RU: "Среди опубликованных пошаговых решений такого нет."},
}


@dataclass(frozen=True)
class Pair:
    """A scripted solution in both languages (either may be missing)."""

    en: Article | None
    ru: Article | None


class KbProblems:
    """``kb check`` of the authored folder, recomputed only when its files change."""

    def __init__(self, kb_dir: Path, groups: dict[str, Line] | None) -> None:
        self.kb_dir = kb_dir
        self.groups = groups
        self._lock = threading.Lock()
        self._digest = ""
        self._problems: list[str] = []

    def current(self) -> list[str]:
        with self._lock:
            digest = tree_digest(self.kb_dir)
            if digest != self._digest:
                _content, problems = check_kb(self.kb_dir, groups=self.groups)
                self._digest, self._problems = digest, [str(p) for p in problems]
            return list(self._problems)


def status_stamp(generation: str | None, problems: list[str]) -> str:
    """What a page was rendered from, short: the page carries it, and its script reloads
    when ``status.json`` says another. Starting from the page's own stamp (not from the
    script's first look) matters: a file saved while the page loads would otherwise be
    taken for what the page shows and never reloaded."""
    seen = json.dumps([generation, problems], ensure_ascii=False)
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def pairs(live: LiveContent) -> list[Pair]:
    """The published scripted solutions, English with its Russian twin, by title."""
    articles = live.content.articles
    seen: set[str] = set()
    out: list[Pair] = []
    for article in sorted(articles.values(), key=lambda a: (a.lang is not Language.EN, a.title)):
        if not article.steps or article.id in seen:
            continue
        twin = articles.get(article.translation or "")
        seen.update({article.id, twin.id if twin else ""})
        en, ru = (article, twin) if article.lang is Language.EN else (twin, article)
        out.append(Pair(en, ru))
    return out


def author_routes(live: LiveContent, kb_dir: Path, groups: dict[str, Line] | None,
                  site_url: str) -> list[BaseRoute]:  # fmt: skip
    """The preview's routes over the live content and the authored ``kb_dir``."""
    env = Environment(
        loader=PackageLoader("selfservice.web", "templates"), autoescape=select_autoescape()
    )
    checker = KbProblems(kb_dir, groups)

    async def status() -> dict[str, Any]:
        problems = await run_in_threadpool(checker.current)
        generation = live.generation
        return {"generation": generation, "problems": problems,
                "stamp": status_stamp(generation, problems)}  # fmt: skip

    def page(request: Request, name: str, **values: Any) -> Response:
        lang = request_context(request).lang
        texts = {key: value[lang] for key, value in TEXTS.items()}
        html = env.get_template(name).render(lang=lang.value, t=texts, site=site_url, **values)
        return HTMLResponse(html, headers={"Content-Security-Policy": AUTHOR_POLICY,
                                           "Cache-Control": "no-store"})  # fmt: skip

    async def home(request: Request) -> Response:
        return page(request, "author_home.html", status=await status(), pairs=pairs(live))

    async def walk(request: Request) -> Response:
        ref = request.path_params["article"]
        found = next((p for p in pairs(live) if ref in {a.id for a in (p.en, p.ru) if a}), None)
        code = 200 if found else 404
        response = page(request, "author_walk.html", pair=found, status=await status())
        response.status_code = code
        return response

    async def status_json(request: Request) -> Response:
        return JSONResponse(await status(), headers={"Cache-Control": "no-store"})

    return [
        Route("/author/", home, methods=["GET"], name="author"),
        Route("/author/walk/{article}", walk, methods=["GET"], name="author_walk"),
        Route("/author/status.json", status_json, methods=["GET"], name="author_status"),
        Route("/author/live.js", live_script, methods=["GET"], name="author_live_js"),
    ]


LIVE_JS = """// Reload the page when the author's kb/ is published anew or its problems change.
(function () {
  var shown = document.documentElement.getAttribute("data-status");
  function poll() {
    fetch("/author/status.json", { cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) {
        if (status !== null && status.stamp !== shown) window.location.reload();
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
"""


async def live_script(request: Request) -> Response:
    return Response(LIVE_JS, media_type="text/javascript",
                    headers={"Cache-Control": "no-store"})  # fmt: skip
