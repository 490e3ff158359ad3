"""The ticket page's known-problem forms: tell customers about an open incident (declare),
post a public update, resolve it. The same use cases as the engineers' API
(``services.known_problems``); every text is asked in English and Russian, because the
banner, the chat and the status page speak the customer's language.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from starlette.datastructures import FormData

from selfservice.console.pages import field
from selfservice.domain.errors import DomainError
from selfservice.services import known_problems
from selfservice.services.staff_auth import ConsoleUser
from selfservice.web.backend import Backend

UseCase = Callable[[], object]
#: The longest "next update in" / "estimate in" the forms take (a week), in minutes.
MAX_MINUTES = 7 * 24 * 60


def _both(form: FormData, name: str) -> dict[str, str]:
    """``name_en`` and ``name_ru``, both required: customers read either language."""
    texts = {lang: field(form, f"{name}_{lang}") for lang in ("en", "ru")}
    for lang, value in texts.items():
        if not value:
            raise DomainError(f"{name}_{lang} is required", code="required",
                              field=f"{name}_{lang}", params={"field": f"{name}_{lang}"})
    return texts


def _places(form: FormData, name: str) -> list[str]:
    return [p.strip() for p in field(form, name).replace("\n", ",").split(",") if p.strip()]


def _after(form: FormData, name: str, now: datetime) -> datetime | None:
    raw = field(form, name)
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_MINUTES:
        raise DomainError(f"{name} must be 1 to {MAX_MINUTES} minutes", code="out_of_range",
                          field=name, params={"field": name, "min": 1, "max": MAX_MINUTES})
    return now + timedelta(minutes=int(raw))


def _problem_id(form: FormData) -> int:
    raw = field(form, "problem")
    if not raw.isdigit():
        raise DomainError("no known problem given", code="required", field="problem",
                          params={"field": "problem"})
    return int(raw)


def declare(store: Backend, user: ConsoleUser, number: str, form: FormData,
            at: datetime) -> UseCase:
    declaration = known_problems.Declaration(
        title=_both(form, "title"), text=_both(form, "text"), zones=_places(form, "zones"),
        clusters=_places(form, "clusters"), organisations=_places(form, "organisations"),
        next_update_at=_after(form, "next_update_minutes", at),
        estimate_at=_after(form, "estimate_minutes", at))
    return partial(known_problems.declare, store.engine, number=number,
                   engineer_id=user.engineer_id, declaration=declaration, now=at)


def update(store: Backend, user: ConsoleUser, number: str, form: FormData,
           at: datetime) -> UseCase:
    return partial(known_problems.add_update, store.engine, problem_id=_problem_id(form),
                   engineer_id=user.engineer_id, text_by_lang=_both(form, "text"), now=at,
                   next_update_at=_after(form, "next_update_minutes", at),
                   estimate_at=_after(form, "estimate_minutes", at))


def resolve(store: Backend, user: ConsoleUser, number: str, form: FormData,
            at: datetime) -> UseCase:
    return partial(known_problems.resolve, store.engine, problem_id=_problem_id(form),
                   engineer_id=user.engineer_id, resolution=_both(form, "resolution"),
                   now=at, config=store.config)
