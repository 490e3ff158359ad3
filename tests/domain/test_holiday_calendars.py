"""SLA calendars with national holidays from the `holidays` package, over 2027 dates:
the built-in calendars listed holidays only up to 2026 (Moscow) or 2025 (New York)."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from selfservice.cli import main
from selfservice.config.support_config import (
    SupportConfigError,
    check_support_config,
    load_support_config,
)
from selfservice.domain.calendars import (
    BusinessHours,
    YearDays,
    add_business_time,
    business_hours,
    is_open,
)
from selfservice.domain.enums import Priority, TicketType

H = timedelta(hours=1)
MSK = ZoneInfo("Europe/Moscow")
CONFIG = load_support_config()


def calendar(cal_id: str) -> BusinessHours:
    found = CONFIG.calendars[cal_id]
    assert isinstance(found, BusinessHours)
    return found


def test_p3_filed_before_new_year_skips_the_january_holidays_2027() -> None:
    filed = datetime(2026, 12, 30, 10, 0, tzinfo=MSK)
    clocks = CONFIG.policy("standard").start(TicketType.INCIDENT, Priority.P3, now=filed)
    # 24 business hours: 30 Dec 10-18 (8 h); 31 Dec is a moved day off, 1-8 January are
    # holidays, 9-10 January a weekend; 11 January 9 h, then 7 h on 12 January.
    assert clocks.resolution.deadline == datetime(2027, 1, 12, 16, 0, tzinfo=MSK)
    assert clocks.response.deadline == datetime(2026, 12, 30, 12, 0, tzinfo=MSK)


def test_moscow_works_the_moved_saturday_and_rests_the_bridge_monday_2027() -> None:
    msk = calendar("business-msk")
    # Saturday 20 February 2027 is worked so that Monday 22 February is off.
    assert is_open(msk, datetime(2027, 2, 20, 10, 0, tzinfo=MSK))
    assert not is_open(msk, datetime(2027, 2, 22, 10, 0, tzinfo=MSK))
    friday_evening = datetime(2027, 2, 19, 17, 0, tzinfo=MSK)
    assert add_business_time(msk, friday_evening, 2 * H) == datetime(
        2027, 2, 20, 10, 0, tzinfo=MSK
    )


@pytest.mark.parametrize(
    ("cal_id", "closed", "tz"),
    [
        ("business-nyc", datetime(2027, 7, 5, 10, 0), "America/New_York"),  # 4 July observed
        ("business-nyc", datetime(2027, 11, 25, 10, 0), "America/New_York"),  # Thanksgiving
        ("business-tor", datetime(2027, 5, 24, 10, 0), "America/Toronto"),  # Victoria Day
        ("business-tor", datetime(2027, 12, 28, 10, 0), "America/Toronto"),  # Boxing Day obs.
        ("business-ala", datetime(2027, 3, 22, 10, 0), "Asia/Almaty"),  # Nauryz
        ("business-ala", datetime(2027, 12, 16, 10, 0), "Asia/Almaty"),  # Independence Day
    ],
)
def test_national_holidays_of_2027_are_closed(cal_id: str, closed: datetime, tz: str) -> None:
    moment = closed.replace(tzinfo=ZoneInfo(tz))
    assert not is_open(calendar(cal_id), moment)
    assert is_open(calendar(cal_id), moment + timedelta(days=7))


def test_a_clock_never_runs_out_of_holidays() -> None:
    msk = calendar("business-msk")
    filed = datetime(2040, 12, 30, 17, 0, tzinfo=MSK)  # a Sunday: opens on 31 December
    due = add_business_time(msk, filed, 10 * H)
    assert due.astimezone(MSK).date() == date(2041, 1, 9)


def test_explicit_dates_win_over_the_national_calendar() -> None:
    national = YearDays(frozenset({date(2027, 5, 3)}), frozenset({date(2027, 2, 20)}))
    office = business_hours(
        "office", "Europe/Moscow", dict.fromkeys(range(5), "09:00-18:00"),
        holidays=frozenset({date(2027, 2, 20)}),  # this office skips the moved Saturday
        extra_workdays=frozenset({date(2027, 5, 3)}),  # and works the May holiday
        national=lambda year: national,
    )
    assert not is_open(office, datetime(2027, 2, 20, 10, 0, tzinfo=MSK))
    assert is_open(office, datetime(2027, 5, 3, 10, 0, tzinfo=MSK))


OFFICE = """\
{head}
calendars:
  24x7: {{type: always}}
  office:
    type: business_hours
    timezone: Europe/Moscow
    hours: {{mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00",
             thu: "09:00-18:00", fri: "09:00-18:00"}}
{calendar}
"""


def _config(tmp_path: Path, calendar_lines: str) -> Path:
    default = (
        Path(__file__).parents[2] / "src/selfservice/config/defaults/support.yml"
    ).read_text()
    head = default[: default.index("calendars:")]
    tail = default[default.index("# SLA per contract level."):]
    tail = tail.replace("business-msk", "office")
    file = tmp_path / "support.yml"
    file.write_text(OFFICE.format(head=head, calendar=calendar_lines) + tail, encoding="utf-8")
    return file


def test_additions_and_removals_per_calendar(tmp_path: Path) -> None:
    file = _config(
        tmp_path,
        '    country: "RU"\n'
        "    holidays: [2027-04-12]          # the office's own day off\n"
        "    removed_holidays: [2027-11-05]  # worked here despite the national calendar\n",
    )
    office = load_support_config(file).calendars["office"]
    assert not is_open(office, datetime(2027, 4, 12, 10, 0, tzinfo=MSK))
    assert is_open(office, datetime(2027, 11, 5, 10, 0, tzinfo=MSK))
    assert not is_open(office, datetime(2027, 11, 4, 10, 0, tzinfo=MSK))  # still a holiday


@pytest.mark.parametrize(
    ("lines", "key", "message"),
    [
        ('    country: "XX"\n', "country", "no holiday data for country 'XX'"),
        ('    country: "CA"\n    subdivision: ON\n', "subdivision", 'must be quoted, like "ON"'),
        ('    country: "CA"\n    subdivision: "ZZ"\n', "subdivision", "'ZZ' is not a subdivision"),
        ("    removed_holidays: [2027-01-01]\n", "removed_holidays", "needs a country"),
    ],
)
def test_bad_holiday_settings_are_reported_with_file_and_line(
    tmp_path: Path, lines: str, key: str, message: str
) -> None:
    file = _config(tmp_path, lines)
    line = 1 + file.read_text().splitlines().index(lines.splitlines()[-1])
    expected = f"{file}:{line}: calendars.office.{key}: {message}"
    with pytest.raises(SupportConfigError) as info:
        load_support_config(file)
    assert expected in str(info.value)
    result = CliRunner().invoke(main, ["config", "check", "--file", str(file)])
    assert result.exit_code == 1
    assert expected in result.output


def test_check_warns_about_a_calendar_without_next_years_holidays(tmp_path: Path) -> None:
    file = _config(tmp_path, "    holidays: [2026-01-01, 2026-01-02, 2026-05-01]\n")
    result = CliRunner().invoke(
        main, ["config", "check", "--file", str(file), "--on", "2026-12-15"]
    )
    assert result.exit_code == 0
    line = 1 + file.read_text().splitlines().index("  office:")
    assert f"warning: {file}:{line}: calendars.office: no holiday data for 2027" in result.output
    strict = ["config", "check", "--file", str(file), "--on", "2026-12-15", "--strict"]
    assert CliRunner().invoke(main, strict).exit_code == 1


def test_check_of_the_built_in_calendars(tmp_path: Path) -> None:
    warnings = [str(w) for w in check_support_config(None, date(2026, 12, 15))]
    # Russia's moves for 2027 are in the package; Kazakhstan's after 2025 are not.
    assert not any("business-msk" in w for w in warnings)
    assert any("business-ala" in w and "only through 2025" in w for w in warnings)
    later = [str(w) for w in check_support_config(None, date(2027, 6, 1))]
    assert any("business-msk" in w and "for 2028 check the official calendar" in w for w in later)
    listed = _config(tmp_path, '    country: "RU"\n    workdays: [2028-07-01]\n')
    assert check_support_config(listed, date(2027, 6, 1)) == []


def test_holidays_in_the_client_zone_keep_the_national_dates() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    moved = calendar("business-msk").in_zone(tokyo)
    assert not is_open(moved, datetime(2027, 1, 4, 10, 0, tzinfo=tokyo))
    assert is_open(moved, datetime(2027, 1, 11, 10, 0, tzinfo=tokyo).astimezone(UTC))
