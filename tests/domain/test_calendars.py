from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from selfservice.domain.calendars import (
    AlwaysOpen,
    BusinessHours,
    Calendar,
    add_business_time,
    business_hours,
    business_time_between,
    is_open,
    parse_spans,
)

WEEKDAYS_9_18 = dict.fromkeys(range(5), "09:00-18:00")
WEEKDAYS_9_17 = dict.fromkeys(range(5), "09:00-17:00")

MOSCOW = business_hours("msk", "Europe/Moscow", WEEKDAYS_9_18)
MOSCOW_HOLIDAY = business_hours(
    "msk-h", "Europe/Moscow", WEEKDAYS_9_18, holidays=frozenset({date(2025, 3, 10)})
)
ALMATY = business_hours("ala", "Asia/Almaty", WEEKDAYS_9_18)
NEW_YORK = business_hours("nyc", "America/New_York", WEEKDAYS_9_17)
TORONTO = business_hours("tor", "America/Toronto", WEEKDAYS_9_17)
TORONTO_ALL_DAY = business_hours(
    "tor-24", "America/Toronto", dict.fromkeys(range(7), "00:00-24:00")
)
LUNCH = business_hours("lunch", "Europe/Moscow", {0: ["09:00-13:00", "14:00-18:00"]})
SATURDAY_WORKED = business_hours(
    "msk-sat", "Europe/Moscow", WEEKDAYS_9_18, extra_workdays=frozenset({date(2025, 11, 1)})
)
ALWAYS = AlwaysOpen()


def at(tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def msk(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return at("Europe/Moscow", year, month, day, hour, minute)


H, M = timedelta(hours=1), timedelta(minutes=1)

ADD_CASES = [
    # name, calendar, start, duration, expected
    ("24x7", ALWAYS, msk(2025, 3, 7, 17), 4 * H, msk(2025, 3, 7, 21)),
    ("inside the day", MOSCOW, msk(2025, 3, 11, 10), 2 * H, msk(2025, 3, 11, 12)),
    ("over the weekend", MOSCOW, msk(2025, 3, 7, 17), 2 * H, msk(2025, 3, 10, 10)),
    ("over weekend and holiday", MOSCOW_HOLIDAY, msk(2025, 3, 7, 17), 2 * H, msk(2025, 3, 11, 10)),
    ("start on Saturday", MOSCOW, msk(2025, 3, 8, 12), H, msk(2025, 3, 10, 10)),
    ("start before opening", MOSCOW, msk(2025, 3, 10, 7), 30 * M, msk(2025, 3, 10, 9, 30)),
    ("start after closing", MOSCOW, msk(2025, 3, 10, 19), 30 * M, msk(2025, 3, 11, 9, 30)),
    ("ends exactly at closing", MOSCOW, msk(2025, 3, 10, 9), 9 * H, msk(2025, 3, 10, 18)),
    ("three business days", MOSCOW, msk(2025, 3, 12, 12), 27 * H, msk(2025, 3, 17, 12)),
    ("zero duration", MOSCOW, msk(2025, 3, 8, 12), timedelta(0), msk(2025, 3, 8, 12)),
    (
        "UTC input, Almaty hours",
        ALMATY,
        datetime(2025, 3, 10, 3, tzinfo=UTC),
        H,
        at("Asia/Almaty", 2025, 3, 10, 10),
    ),
    (
        "Almaty Friday evening",
        ALMATY,
        at("Asia/Almaty", 2025, 3, 14, 17, 30),
        H,
        at("Asia/Almaty", 2025, 3, 17, 9, 30),
    ),
    (
        "New York over spring DST",
        NEW_YORK,
        at("America/New_York", 2025, 3, 7, 16),
        2 * H,
        datetime(2025, 3, 10, 14, tzinfo=UTC),
    ),  # 10:00 EDT
    (
        "Toronto over autumn DST",
        TORONTO,
        at("America/Toronto", 2025, 10, 31, 16),
        2 * H,
        datetime(2025, 11, 3, 15, tzinfo=UTC),
    ),  # 10:00 EST
    (
        "Toronto 24h day of 23 hours",
        TORONTO_ALL_DAY,
        at("America/Toronto", 2025, 3, 9, 0),
        23 * H,
        at("America/Toronto", 2025, 3, 10, 0),
    ),
    (
        "Toronto 24h day of 25 hours",
        TORONTO_ALL_DAY,
        at("America/Toronto", 2025, 11, 2, 0),
        25 * H,
        at("America/Toronto", 2025, 11, 3, 0),
    ),
    ("lunch break", LUNCH, msk(2025, 3, 10, 12), 2 * H, msk(2025, 3, 10, 15)),
    ("worked Saturday", SATURDAY_WORKED, msk(2025, 10, 31, 17), 2 * H, msk(2025, 11, 1, 10)),
    ("200 business days", MOSCOW, msk(2025, 1, 6, 9), 200 * 9 * H, msk(2025, 10, 10, 18)),
]


@pytest.mark.parametrize(
    ("calendar", "start", "duration", "expected"),
    [case[1:] for case in ADD_CASES],
    ids=[case[0] for case in ADD_CASES],
)
def test_add_business_time(
    calendar: Calendar, start: datetime, duration: timedelta, expected: datetime
) -> None:
    result = add_business_time(calendar, start, duration)
    assert result == expected
    assert result.tzinfo is UTC
    if duration:
        assert business_time_between(calendar, start, result) == duration


BETWEEN_CASES = [
    ("24x7", ALWAYS, msk(2025, 3, 7, 17), msk(2025, 3, 10, 10), 65 * H),
    ("weekend excluded", MOSCOW, msk(2025, 3, 7, 17), msk(2025, 3, 10, 10), 2 * H),
    ("holiday excluded", MOSCOW_HOLIDAY, msk(2025, 3, 7, 17), msk(2025, 3, 11, 10), 2 * H),
    ("full week", MOSCOW, msk(2025, 3, 10, 0), msk(2025, 3, 17, 0), 45 * H),
    ("both outside hours", MOSCOW, msk(2025, 3, 8, 0), msk(2025, 3, 9, 23), timedelta(0)),
    ("reversed is zero", MOSCOW, msk(2025, 3, 11, 12), msk(2025, 3, 11, 10), timedelta(0)),
    (
        "DST week in New York",
        NEW_YORK,
        at("America/New_York", 2025, 3, 3, 0),
        at("America/New_York", 2025, 3, 17, 0),
        80 * H,
    ),
    (
        "spring weekend, 24h Toronto",
        TORONTO_ALL_DAY,
        at("America/Toronto", 2025, 3, 8, 0),
        at("America/Toronto", 2025, 3, 10, 0),
        47 * H,
    ),
    (
        "autumn weekend, 24h Toronto",
        TORONTO_ALL_DAY,
        at("America/Toronto", 2025, 11, 1, 0),
        at("America/Toronto", 2025, 11, 3, 0),
        49 * H,
    ),
    ("lunch excluded", LUNCH, msk(2025, 3, 10, 8), msk(2025, 3, 10, 20), 8 * H),
    (
        "Moscow hours seen from New York",
        MOSCOW,
        at("America/New_York", 2025, 3, 10, 0),
        at("America/New_York", 2025, 3, 10, 6),
        4 * H,
    ),  # 08:00–14:00 MSK
]


@pytest.mark.parametrize(
    ("calendar", "a", "b", "expected"),
    [case[1:] for case in BETWEEN_CASES],
    ids=[case[0] for case in BETWEEN_CASES],
)
def test_business_time_between(
    calendar: Calendar, a: datetime, b: datetime, expected: timedelta
) -> None:
    assert business_time_between(calendar, a, b) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (msk(2025, 3, 10, 9), True),
        (msk(2025, 3, 10, 17, 59), True),
        (msk(2025, 3, 10, 18), False),
        (msk(2025, 3, 10, 8, 59), False),
        (msk(2025, 3, 8, 12), False),
    ],
)
def test_is_open(moment: datetime, expected: bool) -> None:
    assert is_open(MOSCOW, moment) is expected
    assert is_open(ALWAYS, moment)


def test_business_day_length_and_zone() -> None:
    assert MOSCOW.business_day == 9 * H
    assert ALWAYS.business_day == 24 * H
    assert MOSCOW.in_zone(ZoneInfo("Asia/Almaty")).tz == ZoneInfo("Asia/Almaty")
    assert business_hours("x", "UTC", {0: "09:00-10:00"}, day_length=8 * H).business_day == 8 * H


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(MOSCOW, datetime(2025, 3, 10, 9), H)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(ALWAYS, datetime(2025, 3, 10, 9), msk(2025, 3, 10, 9))


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(MOSCOW, msk(2025, 3, 10, 9), -H)


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ("9-18", "not a time"),
        ("09:00", "not a span"),
        ("18:00-09:00", "start < end"),
        ("09:00-24:30", "between 00:00 and 24:00"),
        ("09:70-10:00", "between 00:00 and 24:00"),
        (["12:00-14:00", "09:00-13:00"], "not overlap"),
    ],
)
def test_bad_spans(spans: str | list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_spans(spans)


def test_calendar_needs_open_hours() -> None:
    with pytest.raises(ValueError, match="some open hours"):
        BusinessHours("closed", ZoneInfo("UTC"), {})
    with pytest.raises(ValueError, match="weekday"):
        BusinessHours("bad", ZoneInfo("UTC"), {7: parse_spans("09:00-10:00")})


def test_parse_spans_full_day() -> None:
    assert parse_spans("00:00-24:00") == ((timedelta(0), timedelta(days=1)),)


def test_span_inside_the_dst_gap_is_empty() -> None:
    # 02:00–03:00 does not exist in New York on 2025-03-09.
    night = business_hours("night", "America/New_York", {6: "02:00-03:00", 0: "02:00-03:00"})
    start = at("America/New_York", 2025, 3, 9, 0)
    assert business_time_between(night, start, start + 24 * H) == timedelta(0)
    assert add_business_time(night, start, 30 * M) == at("America/New_York", 2025, 3, 10, 2, 30)
