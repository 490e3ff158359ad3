"""What the customer is told about their ticket's clock and about support's promises.

* :func:`customer_sla`: the response and resolution due times in the organisation's time
  zone and one plain sentence ("We will respond by 14:30 today"). While support waits
  for the customer the clocks are paused and the sentence says so; after the response the
  sentence is about the resolution; a completed or closed ticket has no promise left.
* :func:`public_status_change`: whether a status change belongs in the customer's
  timeline; the rule is ``domain.visibility`` (a change the contact is e-mailed about).
* :func:`support_promise`: the header's support hours and first-response target from the
  contract's SLA policy, in both languages.

Stdlib only; ``now`` is passed in.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selfservice.domain.calendars import AlwaysOpen, Calendar
from selfservice.domain.enums import Priority, Status
from selfservice.domain.sla import SlaClock, SlaClocks, SlaPolicy
from selfservice.domain.visibility import visibility_of
from selfservice.domain.workflow import TRANSITIONS, WAITING_FOR_CUSTOMER

_DONE = frozenset({Status.COMPLETED, Status.CLOSED})

_MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря")
_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"),
}
_SENTENCES = {
    "respond": {"en": "We will respond by {when}.", "ru": "Ответим до {when}."},
    "resolve": {"en": "We plan to resolve it by {when}.", "ru": "Планируем решить до {when}."},
    "paused": {"en": "The clock is paused until you answer.",
               "ru": "Отсчёт сроков приостановлен, пока мы ждём вашего ответа."},
    "late_response": {"en": "Our response is overdue (it was due {when}); we are on it.",
                      "ru": "Мы задерживаем ответ (срок был {when}); уже занимаемся."},
    "late_resolution": {"en": "The resolution is overdue (it was due {when}); we are on it.",
                        "ru": "Мы не успели решить к сроку ({when}); уже занимаемся."},
}


@dataclass(frozen=True)
class CustomerSla:
    response_due: datetime | None
    resolution_due: datetime | None
    paused: bool
    responded: bool
    sentence: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "response_due": self.response_due.isoformat() if self.response_due else None,
            "resolution_due": self.resolution_due.isoformat() if self.resolution_due else None,
            "paused": self.paused,
            "responded": self.responded,
            "sentence": self.sentence,
        }


def when(moment: datetime, now: datetime, tz: ZoneInfo, lang: str) -> str:
    """``14:30 today`` / ``14:30 tomorrow`` / ``14:30 on 12 December`` (and in Russian)."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    ru = lang == "ru"
    if days == 0:
        return f"{clock} {'сегодня' if ru else 'today'}"
    if days == 1:
        return f"{clock} {'завтра' if ru else 'tomorrow'}"
    if ru:
        return f"{clock} {local.day} {_MONTHS_RU[local.month - 1]}"
    return f"{clock} on {local.day} {local.strftime('%B')}"


def customer_sla(
    clocks: SlaClocks, status: Status, *, now: datetime, tz: ZoneInfo, lang: str
) -> CustomerSla:
    lang = "ru" if lang == "ru" else "en"
    paused = status in WAITING_FOR_CUSTOMER
    responded = clocks.response.is_stopped
    response_due = None if responded else _due(clocks.response, now, tz)
    resolution_due = None if status in _DONE else _due(clocks.resolution, now, tz)
    if status in _DONE:
        sentence = None
    elif paused:
        sentence = _SENTENCES["paused"][lang]
    else:
        clock, key = (clocks.resolution, "resolve") if responded else (clocks.response, "respond")
        due = clock.due(now)
        if clock.is_breached(now):
            key = "late_resolution" if responded else "late_response"
        sentence = _SENTENCES[key][lang].format(when=when(due, now, tz, lang))
    return CustomerSla(response_due, resolution_due, paused, responded, sentence)


def _due(clock: SlaClock, now: datetime, tz: ZoneInfo) -> datetime:
    return clock.due(now).astimezone(tz)


def public_status_change(source: Status, target: Status) -> bool:
    """A change the contact is told about; reassignment and line moves are not."""
    rules = TRANSITIONS.get((source, target), ())
    return any(visibility_of(rule.name).mail for rule in rules)


@dataclass(frozen=True)
class SupportPromise:
    hours: dict[str, str]
    first_response: dict[str, str]
    text: dict[str, str]


def support_promise(policy: SlaPolicy) -> SupportPromise:
    """"24/7 · first response within 15 min for critical problems" from the policy's P1
    targets (critical problems are P1), or the business hours when P1 waits for them."""
    critical = policy.priorities[Priority.P1]
    calendar = critical.calendar
    target = critical.response.on(calendar)
    hours = {lang: _hours(calendar, lang) for lang in ("en", "ru")}
    first = {
        "en": f"first response within {_span(target, 'en')} for critical problems",
        "ru": f"первый ответ в течение {_span(target, 'ru')} для критичных проблем",
    }
    return SupportPromise(hours, first, {lang: f"{hours[lang]} · {first[lang]}" for lang in hours})


def _span(amount: timedelta, lang: str) -> str:
    minutes = int(amount.total_seconds() // 60)
    if minutes < 60 or minutes % 60:
        return f"{minutes} {'мин' if lang == 'ru' else 'min'}"
    return f"{minutes // 60} {'ч' if lang == 'ru' else 'h'}"


def _hours(calendar: Calendar, lang: str) -> str:
    if isinstance(calendar, AlwaysOpen):
        return "24/7"
    names = _DAYS[lang]
    parts: list[str] = []
    groups: list[tuple[list[int], str]] = []
    for day in range(7):
        spans = calendar.weekly.get(day, ())
        if not spans:
            continue
        text = ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in spans)
        if groups and groups[-1][1] == text and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))
    for days, text in groups:
        label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        parts.append(f"{label} {text}")
    return f"{'; '.join(parts)} ({calendar.tz.key})"


def _clock(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
