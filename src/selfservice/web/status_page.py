"""The public status page: ``/status`` (HTML, English or Russian by ``?lang=``) and its
Atom feed ``/status/feed.atom``: the known problems open now and those of the last 30
days, per service. The JSON is ``GET /api/v1/status`` (``known_problems_api``).
"""

from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from selfservice.services import known_problem_views as views
from selfservice.text.catalogue import text
from selfservice.web.dispatch import ApiRoute, Call, Operation
from selfservice.web.schemas.known_problems import StatusQuery

POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
ATOM = "http://www.w3.org/2005/Atom"
_env = Environment(loader=PackageLoader("selfservice.web", "templates"),
                   autoescape=select_autoescape(["html"]))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


def _lang(call: Call[Any, Any]) -> str:
    return "ru" if str(call.lang) == "ru" else "en"


def _by_service(problems: list[views.ProblemView]) -> dict[str, list[views.ProblemView]]:
    grouped: dict[str, list[views.ProblemView]] = {}
    for problem in problems:
        grouped.setdefault(problem.service, []).append(problem)
    return grouped


async def status_page(call: Call[None, StatusQuery]) -> Response:
    """The public status page (HTML)"""
    lang = _lang(call)
    current, recent = await call.run(views.public_status, lang=lang, now=call.now())
    services = call.state["content"].services
    page = _env.get_template("status.html").render(
        lang=lang, other="en" if lang == "ru" else "ru", current=_by_service(current),
        recent=_by_service(recent), when=_when,
        t=lambda key, **params: text(f"customer.known_problem.{key}", lang, **params),
        service_name=lambda sid: services[sid].name.get(lang) if sid in services else sid,
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": POLICY,
                                       "Cache-Control": "no-cache"})


async def status_feed(call: Call[None, StatusQuery]) -> Response:
    """The status page as an Atom feed: one entry per known problem of the last 30 days"""
    lang = _lang(call)
    current, recent = await call.run(views.public_status, lang=lang, now=call.now())
    base = str(call.request.base_url).rstrip("/")
    feed = ElementTree.Element("feed", xmlns=ATOM)
    ElementTree.SubElement(feed, "title").text = text("customer.known_problem.status_title",
                                                      lang)
    ElementTree.SubElement(feed, "id").text = f"{base}/status?lang={lang}"
    ElementTree.SubElement(feed, "link", href=f"{base}/status?lang={lang}")
    newest = [p.resolved_at or p.started_at for p in current + recent]
    ElementTree.SubElement(feed, "updated").text = max(newest or [call.now()]).isoformat()
    for problem in current + recent:
        entry = ElementTree.SubElement(feed, "entry")
        ElementTree.SubElement(entry, "title").text = problem.title
        ElementTree.SubElement(entry, "id").text = f"{base}/status#problem-{problem.id}"
        ElementTree.SubElement(entry, "link", href=f"{base}/status?lang={lang}#problem-"
                               f"{problem.id}")
        ElementTree.SubElement(entry, "updated").text = (
            problem.resolved_at or problem.started_at).isoformat()
        said = [problem.text, *(f"{_when(at)}: {u}" for at, u in problem.updates)]
        if problem.resolution:
            said.append(problem.resolution)
        ElementTree.SubElement(entry, "summary").text = "\n".join(said)
    body = ElementTree.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    get = ("GET", "HEAD")
    html = {"200": {"description": "The status page", "content": {"text/html": {
        "schema": {"type": "string"}}}}}
    atom = {"200": {"description": "The Atom feed", "content": {"application/atom+xml": {
        "schema": {"type": "string"}}}}}
    return [
        ApiRoute(Operation("GET", "/status", status_page, "status_page", methods=get,
                           query=StatusQuery, errors=(400,), raw_responses=html)),
        ApiRoute(Operation("GET", "/status/feed.atom", status_feed, "status_feed",
                           methods=get, query=StatusQuery, errors=(400,), raw_responses=atom)),
    ]
