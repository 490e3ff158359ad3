"""Read the support configuration from YAML (the built-in default or the operator's file).

``support_schema`` (pydantic) and ``support_build`` check and build it; this module reads
the file, supplies the national holidays (``national_holidays``) and reports each problem
as ``FILE:LINE: key.path: reason`` (``content.yaml_models``, the readers' one error style).
"""

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from selfservice.config.national_holidays import NationalHolidays, resolve
from selfservice.config.support_build import parse_support_config
from selfservice.content.yaml_lines import YamlSyntaxError, line_at, load_yaml
from selfservice.content.yaml_models import KeyIssue, YamlProblem, problems_at
from selfservice.domain.calendars import BusinessHours
from selfservice.domain.config import SupportConfig
from selfservice.domain.errors import ConfigError

DEFAULT_PATH = Path(__file__).parent / "defaults" / "support.yml"


#: One problem of a configuration file (``FILE:LINE: key.path: reason``).
ConfigProblem = YamlProblem


class SupportConfigError(Exception):
    """The support configuration file is unreadable or invalid; one line per problem."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_support_config(path: Path | None = None) -> SupportConfig:
    """Load ``path`` (default: the built-in ``defaults/support.yml``)."""
    return _load(path or DEFAULT_PATH)[0]


def _load(file: Path) -> tuple[SupportConfig, Any]:
    try:
        data = load_yaml(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise SupportConfigError([ConfigProblem(file, 0, "", f"cannot read: {error}")]) from None
    except YamlSyntaxError as error:
        raise SupportConfigError([ConfigProblem(file, error.line, "", error.reason)]) from None
    try:
        return parse_support_config(data, resolve), data
    except ConfigError as error:
        issues = [KeyIssue(e.path, e.reason) for e in error.errors]
        raise SupportConfigError(problems_at(file, data, issues)) from None


def check_support_config(
    path: Path | None = None, today: date | None = None
) -> list[ConfigProblem]:
    """Load ``path`` like :func:`load_support_config` (raising its errors) and return the
    warnings: business-hours calendars without holiday data in the 12 months from ``today``.
    """
    file = path or DEFAULT_PATH
    config, data = _load(file)
    today = today or date.today()
    years = range(today.year, (today + timedelta(days=364)).year + 1)
    raw_calendars = data.get("calendars") or {}
    warnings: list[ConfigProblem] = []
    for cal_id, calendar in config.calendars.items():
        if not isinstance(calendar, BusinessHours):
            continue
        spec: Mapping[str, Any] = raw_calendars.get(cal_id) or {}
        key = f"calendars.{cal_id}"
        for reason in _holiday_gaps(calendar, spec, years, today):
            warnings.append(ConfigProblem(file, line_at(data, key), key, reason))
    return warnings


def _holiday_gaps(
    calendar: BusinessHours, spec: Mapping[str, Any], years: range, today: date
) -> list[str]:
    listed = {d.year for d in calendar.holidays | calendar.extra_workdays}
    if spec.get("country") is None:
        missing = [y for y in years if y not in listed]
        return [
            f"no holiday data for {_years(missing)}: set 'country' (e.g. RU, KZ, US, CA "
            "with subdivision ON) or list that year's dates under 'holidays'"
        ] if missing else []
    national = resolve(str(spec["country"]), _optional(spec.get("subdivision")))
    label = _label(national)
    unknown = [y for y in years if y not in national.known_years()]
    if unknown:
        return [f"the holidays package has no {label} holidays for {_years(unknown)}"]
    through = national.moves_known_through(today)
    pending = [y for y in years if through is not None and y > through and y not in listed]
    if pending:
        return [
            f"the holidays package lists {label}'s moved days off only through {through}; "
            f"for {_years(pending)} check the official calendar: update the package "
            "(pip install -U holidays) or list the dates under 'holidays'/'workdays'"
        ]
    return []


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _label(national: NationalHolidays) -> str:
    sub = f"-{national.subdivision}" if national.subdivision else ""
    return f"{national.country}{sub}"


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)
