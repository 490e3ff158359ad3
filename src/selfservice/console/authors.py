"""The authors' page: what customers could not find, and how each article performs.

``GET /console/authors?since=30d&lang=ru`` shows the content gaps (unanswered searches
grouped by meaning, biggest first, with `selfservice kb new --from-gap ID` to start an
article) and the per-article figures (shown, opened, steps reached, solved, not helped,
a ticket within 24 hours) — the same as ``kb gaps`` / ``kb stats`` and their API. Any
engineer may read them: they name no customer.
"""

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from selfservice.console.pages import backend, current_user, now, render, to_login
from selfservice.services import kb_gaps, kb_stats
from selfservice.web.state import state_of

#: How many gap groups the page lists.
GAPS_SHOWN = 50
PERIODS = ("7d", "30d", "90d")


async def authors_page(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return to_login(request)
    since = request.query_params.get("since", "30d")
    try:
        period = kb_gaps.parse_period(since)
    except ValueError:
        since, period = "30d", timedelta(days=30)
    lang = request.query_params.get("lang") or None
    lang = lang if lang in ("en", "ru") else None
    end = now(request)
    start = end - period
    engine = backend(request).engine
    content = state_of(request)["content"]
    report = await run_in_threadpool(kb_gaps.content_gaps, engine, start=start, end=end,
                                     lang=lang, encode=kb_gaps.meaning_encoder())
    uses = await run_in_threadpool(kb_stats.article_stats, engine, start=start, end=end,
                                   lang=lang, articles=content.articles.keys())
    titles = {a.id: a.title for a in content.articles.values()}
    return render(request, "authors.html", user=user, gaps=report.gaps[:GAPS_SHOWN],
                  searches=report.searches, groups=len(report.gaps), uses=uses,
                  titles=titles, since=since, periods=PERIODS, chosen_lang=lang or "")


def routes() -> list[BaseRoute]:
    return [Route("/authors", authors_page)]
