"""Known problems over HTTP: the widget's banner and "notify me" (a signed-in contact),
the public status data, and the engineers' declare / update / resolve and numbers.

Thin: each endpoint calls one use case of ``services.known_problems`` or
``services.known_problem_views`` and shapes the answer.
"""

import re
import statistics
from datetime import datetime, timedelta
from typing import Any

from selfservice.services import known_problem_views as views
from selfservice.services import known_problems
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.metrics_api import _period
from selfservice.web.schemas.fields import MAX_ROW_ID
from selfservice.web.schemas.known_problems import (
    Declare,
    Resolve,
    StatusQuery,
    Subscribe,
    Update,
)
from selfservice.web.schemas.metric_views import ViewQuery
from selfservice.web.schemas.requests import LangQuery

Answer = dict[str, Any]
_ID = re.compile(r"[1-9][0-9]{0,9}")


def _lang(call: Call[Any, Any]) -> str:
    return str(call.lang.value if hasattr(call.lang, "value") else call.lang)


def _id(call: Call[Any, Any]) -> int:
    raw = call.path("id")
    if not _ID.fullmatch(raw) or int(raw) > MAX_ROW_ID:
        raise ApiError(404, "not_found", field="id")
    return int(raw)


def _after(now: datetime, minutes: int | None) -> datetime | None:
    return now + timedelta(minutes=minutes) if minutes else None


async def mine(call: Call[None, LangQuery]) -> Answer:
    """The open known problems affecting the contact's organisation (the widget's banner)

    Asking counts as having been told: the contact is recorded as having seen each one.
    """
    found = await call.run(views.for_contact, contact_id=call.contact_id, lang=_lang(call),
                           now=call.now())
    return {"problems": [p.as_json() for p in found]}


async def subscribe(call: Call[Subscribe, LangQuery]) -> Answer:
    """"Notify me": one e-mail when the known problem is resolved

    Only for a problem affecting the contact's organisation (else 404).
    """
    await call.run(views.subscribe, contact_id=call.contact_id, problem_id=_id(call),
                   now=call.now())
    return {"id": _id(call), "subscribed": True}


async def status(call: Call[None, StatusQuery]) -> Answer:
    """Service status: current known problems and those of the last 30 days

    Public, no sign-in; the same data as the page at `/status`.
    """
    current, recent = await call.run(views.public_status, lang=_lang(call), now=call.now())
    return {"current": [p.as_json() for p in current], "recent": [p.as_json() for p in recent]}


def _staff_json(found: views.StaffProblem, lang: str) -> Answer:
    answer = views.view_of(found.problem, lang, found.updates).as_json()
    answer.update(ticket=found.ticket, children=found.children,
                  organisations=list(found.problem.organisations),
                  title_en=found.problem.title_en, title_ru=found.problem.title_ru)
    return answer


async def declare(call: Call[Declare, None]) -> Answer:
    """Declare a known problem: an open incident customers are told about

    Affected: the organisations named, and those whose locations include a zone or
    cluster named; nothing named = every organisation using the service.
    """
    body, now = call.body, call.now()
    declaration = known_problems.Declaration(
        title=body.title.model_dump(), text=body.text.model_dump(), zones=body.zones,
        clusters=body.clusters, organisations=body.organisations, service=body.service,
        estimate_at=_after(now, body.estimate_minutes),
        next_update_at=_after(now, body.next_update_minutes))
    problem = await call.run(known_problems.declare, number=body.ticket,
                             engineer_id=call.staff.id, declaration=declaration, now=now)
    found = await call.run(views.staff_view, problem_id=problem.id or 0)
    return _staff_json(found, "en")


async def get_problem(call: Call[None, None]) -> Answer:
    """A known problem with its incident and child tickets"""
    found = await call.run(views.staff_view, problem_id=_id(call))
    return _staff_json(found, "en")


async def add_update(call: Call[Update, None]) -> Answer:
    """A public update of an open known problem (banner, chat and status page show it)"""
    body, now = call.body, call.now()
    await call.run(known_problems.add_update, problem_id=_id(call), engineer_id=call.staff.id,
                   text_by_lang=body.text.model_dump(), now=now,
                   estimate_at=_after(now, body.estimate_minutes),
                   next_update_at=_after(now, body.next_update_minutes))
    found = await call.run(views.staff_view, problem_id=_id(call))
    return _staff_json(found, "en")


async def resolve(call: Call[Resolve, None]) -> Answer:
    """Resolve a known problem: its incident and every child ticket are completed with the
    resolution (in each contact's language); each subscriber gets one e-mail"""
    done = await call.run(known_problems.resolve, problem_id=_id(call),
                          engineer_id=call.staff.id,
                          resolution=call.body.resolution.model_dump(), now=call.now(),
                          config=call.backend.config)
    return {"id": done.problem_id, "children_completed": done.children_completed,
            "children_left": done.children_left, "subscribers_mailed": done.subscribers_mailed}


async def metrics(call: Call[None, ViewQuery]) -> Answer:
    """Known problems that started in the period: children linked, contacts told,
    duplicates avoided, and alert-to-first-notice times (managers only)"""
    period = _period(call.query)
    found = await call.run(views.numbers, start=period.start, end=period.end)
    waits = found.seconds_to_first_notice
    return {
        "from": call.query.start.isoformat(), "to": call.query.end.isoformat(),
        "problems": found.problems, "children_linked": found.children_linked,
        "contacts_told": found.contacts_told, "duplicates_avoided": found.duplicates_avoided,
        "first_notice_seconds_median": statistics.median(waits) if waits else None,
        "first_notice_seconds_max": max(waits) if waits else None,
    }

