"""Business calendars: 24/7, or weekly business hours in an IANA time zone with holidays.

Times in and out are timezone-aware; results are in UTC. Business hours are wall-clock
times in the calendar's zone, so a 09:00–18:00 day is 9 real hours even on a DST change
day, and a 00:00–24:00 day is 23 or 25 real hours then. The arithmetic walks day by day
(never minute by minute) and is bounded.
"""

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

ZERO: Final = timedelta(0)
DAY: Final = timedelta(days=1)

#: One open span of a day, as offsets from local midnight (end may be 24:00).
Span = tuple[timedelta, timedelta]


@dataclass(frozen=True)
class YearDays:
    """A national calendar's year: public holidays and weekend days moved to be worked."""

    off: frozenset[date] = frozenset()
    worked: frozenset[date] = frozenset()


#: The days of a year, looked up when a clock reaches that year: a calendar asked about
#: any year gets an answer, so it never runs out of holiday data the way a fixed list does.
YearLookup = Callable[[int], YearDays]


@dataclass(frozen=True)
class AlwaysOpen:
    """The 24/7 calendar: every instant is business time."""

    id: str = "24x7"

    @property
    def business_day(self) -> timedelta:
        return DAY


@dataclass(frozen=True)
class BusinessHours:
    """Weekly hours (``weekly[0]`` is Monday) in ``tz``, minus ``holidays``.

    ``extra_workdays`` are dates worked although their weekday is not (e.g. a Saturday
    moved in a national calendar); they use ``workday_spans`` (default: Monday's hours).
    ``national`` gives a national calendar's days per year; the explicit ``holidays`` and
    ``extra_workdays`` take precedence over it (a listed holiday closes a moved working
    Saturday, a listed workday opens a national holiday).
    ``business_day`` is the length of one "business day" (unit ``bd`` in durations);
    default: the longest day of the week.
    """

    id: str
    tz: ZoneInfo
    weekly: Mapping[int, tuple[Span, ...]]
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    workday_spans: tuple[Span, ...] | None = None
    day_length: timedelta | None = field(default=None)
    national: YearLookup | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for weekday, spans in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) … 6 (Sunday), got {weekday}")
            _check_spans(spans)
        if self.workday_spans is not None:
            _check_spans(self.workday_spans)
        if self.weekly_total <= ZERO:
            raise ValueError("a business calendar needs some open hours in the week")
        object.__setattr__(self, "weekly", MappingProxyType(dict(self.weekly)))

    @property
    def weekly_total(self) -> timedelta:
        return sum((e - s for spans in self.weekly.values() for s, e in spans), ZERO)

    @property
    def business_day(self) -> timedelta:
        if self.day_length is not None:
            return self.day_length
        return max(sum((e - s for s, e in spans), ZERO) for spans in self.weekly.values())

    def in_zone(self, tz: ZoneInfo) -> "BusinessHours":
        """The same hours in another time zone (e.g. the client's)."""
        return replace(self, tz=tz)

    def spans_on(self, day: date) -> tuple[Span, ...]:
        if day in self.holidays:
            return ()
        if day in self.extra_workdays:
            return self.workday_spans or self.weekly.get(0, ())
        if self.national is not None:
            year = self.national(day.year)
            if day in year.off:
                return ()
            if day in year.worked:
                return self.workday_spans or self.weekly.get(0, ())
        return self.weekly.get(day.weekday(), ())

    def days_off_in(self, first: date, last: date) -> int:
        """How many listed or national holidays fall in ``[first, last]``."""
        count = sum(1 for d in self.holidays if first <= d <= last)
        if self.national is not None:
            for year in range(first.year, last.year + 1):
                count += sum(1 for d in self.national(year).off if first <= d <= last)
        return count


Calendar = AlwaysOpen | BusinessHours


def _check_spans(spans: tuple[Span, ...]) -> None:
    previous_end = ZERO
    for start, end in spans:
        if not ZERO <= start < end <= DAY:
            raise ValueError(f"open span {start}–{end} must satisfy 00:00 <= start < end <= 24:00")
        if start < previous_end:
            raise ValueError("open spans of a day must be ordered and not overlap")
        previous_end = end


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _wall(tz: ZoneInfo, day: date, offset: timedelta) -> datetime:
    return (datetime.combine(day, time()) + offset).replace(tzinfo=tz).astimezone(UTC)


def _open_intervals(calendar: BusinessHours, first: date) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals in UTC, day by day from local date ``first`` (endless)."""
    day = first
    while True:
        for start, end in calendar.spans_on(day):
            a, b = _wall(calendar.tz, day, start), _wall(calendar.tz, day, end)
            if a < b:
                yield a, b
        day += DAY


def _day_bound(calendar: BusinessHours, first: date, duration: timedelta) -> int:
    """A generous upper bound of days needed to accumulate ``duration`` from ``first``."""
    per_week = calendar.weekly_total / 2  # DST can shave at most an hour or two off a week
    weeks = math.ceil(duration / per_week) + 1 if per_week > ZERO else 1
    days = weeks * 7 + 14
    # Every holiday in reach can push the end one day further, and those days can reach
    # more holidays: a year past the plain bound is counted too.
    return days + calendar.days_off_in(first, first + timedelta(days=days + 366))


def add_business_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The instant when ``duration`` of business time has elapsed after ``start``.

    A zero duration returns ``start`` itself (in UTC), even outside business hours.
    """
    start = _utc(start, "start")
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if isinstance(calendar, AlwaysOpen) or duration == ZERO:
        return start + duration
    remaining = duration
    first_day = start.astimezone(calendar.tz).date()
    last_day = first_day + timedelta(days=_day_bound(calendar, first_day, duration))
    for open_at, close_at in _open_intervals(calendar, first_day):
        if open_at.astimezone(calendar.tz).date() > last_day:
            break
        if close_at <= start:
            continue
        begin = max(open_at, start)
        available = close_at - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise ValueError("calendar has too few open hours to fit the duration")  # pragma: no cover


def business_time_between(calendar: Calendar, a: datetime, b: datetime) -> timedelta:
    """Business time in ``[a, b)``; zero when ``b`` is not after ``a``."""
    a, b = _utc(a, "a"), _utc(b, "b")
    if b <= a:
        return ZERO
    if isinstance(calendar, AlwaysOpen):
        return b - a
    total = ZERO
    for open_at, close_at in _open_intervals(calendar, a.astimezone(calendar.tz).date()):
        if open_at >= b:
            break
        overlap = min(close_at, b) - max(open_at, a)
        if overlap > ZERO:
            total += overlap
    return total


def is_open(calendar: Calendar, moment: datetime) -> bool:
    """Whether ``moment`` falls in business time."""
    moment = _utc(moment, "moment")
    if isinstance(calendar, AlwaysOpen):
        return True
    day = moment.astimezone(calendar.tz).date()
    for open_at, close_at in _open_intervals(calendar, day):
        if open_at > moment:
            return False
        if moment < close_at:
            return True
    return False  # pragma: no cover - the generator is endless


def business_hours(
    calendar_id: str,
    tz: str,
    hours: Mapping[int, str | list[str] | tuple[str, ...]],
    *,
    holidays: frozenset[date] = frozenset(),
    extra_workdays: frozenset[date] = frozenset(),
    day_length: timedelta | None = None,
    national: YearLookup | None = None,
) -> BusinessHours:
    """Convenience builder: ``business_hours("msk", "Europe/Moscow", {0: "09:00-18:00"})``."""
    weekly = {day: parse_spans(value) for day, value in hours.items()}
    return BusinessHours(
        calendar_id,
        ZoneInfo(tz),
        weekly,
        frozenset(holidays),
        frozenset(extra_workdays),
        day_length=day_length,
        national=national,
    )


def parse_spans(value: str | list[str] | tuple[str, ...]) -> tuple[Span, ...]:
    """``"09:00-18:00"`` or ``["09:00-13:00", "14:00-18:00"]`` → spans; ValueError if bad."""
    items = [value] if isinstance(value, str) else list(value)
    spans: list[Span] = []
    for item in items:
        if not isinstance(item, str) or item.count("-") != 1:
            raise ValueError(f"'{item}' is not a span like '09:00-18:00'")
        start, end = (_parse_clock(part.strip()) for part in item.split("-"))
        spans.append((start, end))
    _check_spans(tuple(spans))
    return tuple(spans)


def _parse_clock(text: str) -> timedelta:
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"'{text}' is not a time like '09:00'")
    value = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or value > DAY:
        raise ValueError(f"'{text}' is not a time between 00:00 and 24:00")
    return value
