"""The staff console's view for authors: content gaps and per-article performance.

The same answers as ``selfservice kb gaps --json`` and ``kb stats --json``; any engineer
may read them (they name no customer).
"""

from datetime import timedelta
from typing import Any

from selfservice.services import kb_gaps, kb_stats
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.kb_insight import GapsQuery, StatsQuery

Answer = dict[str, Any]


def _period(call: Call[None, Any]) -> tuple[Any, Any]:
    try:
        period: timedelta = kb_gaps.parse_period(call.query.since)
    except ValueError:
        raise ApiError(400, "invalid_period", field="since",
                       max=kb_gaps.MAX_PERIOD.days) from None
    end = call.now()
    return end - period, end


async def gaps(call: Call[None, GapsQuery]) -> Answer:
    """Content gaps: unanswered searches grouped by meaning

    Searches and conversations of the period that got no confident answer, grouped by
    meaning (by words when the meaning model is off), biggest first: how often each was
    asked, its languages, up to three phrasings, and how many of its conversations ended
    in a ticket. An `id` is what `selfservice kb new --from-gap` takes.
    """
    start, end = _period(call)
    lang = call.query.lang.value if call.query.lang else None
    report = await call.run(kb_gaps.content_gaps, start=start, end=end, lang=lang,
                            encode=kb_gaps.meaning_encoder())
    return kb_gaps.report_json(report, start=start, limit=call.query.limit)


async def stats(call: Call[None, StatsQuery]) -> Answer:
    """Per-article performance for authors

    Per article and customer language over the period: shown, opened, steps reached,
    solved, not helped, and openings followed by a ticket within 24 hours.
    """
    start, end = _period(call)
    lang = call.query.lang.value if call.query.lang else None
    rows = await call.run(kb_stats.article_stats, start=start, end=end, lang=lang,
                          articles=call.state["content"].articles.keys())
    return {"from": start.isoformat(), "articles": [row.to_json() for row in rows]}
