"""Read the support configuration from YAML (the built-in default or the operator's file).

The domain parses and validates (``selfservice.domain.config``); this module reads the
file, supplies the national holidays (``national_holidays``) and turns each problem's key
path into ``file:line`` by finding that key in the YAML node tree.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from selfservice.config.national_holidays import NationalHolidays, resolve
from selfservice.domain.calendars import BusinessHours
from selfservice.domain.config import SupportConfig, parse_support_config
from selfservice.domain.errors import ConfigError

DEFAULT_PATH = Path(__file__).parent / "defaults" / "support.yml"

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class ConfigProblem:
    file: Path
    line: int
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.reason}"


class SupportConfigError(Exception):
    """The support configuration file is unreadable or invalid; one line per problem."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_support_config(path: Path | None = None) -> SupportConfig:
    """Load ``path`` (default: the built-in ``defaults/support.yml``)."""
    return _load(path or DEFAULT_PATH)[0]


def _load(file: Path) -> tuple[SupportConfig, Node | None, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise SupportConfigError([ConfigProblem(file, 0, "", f"cannot read: {error}")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise SupportConfigError(
            [ConfigProblem(file, line, "", f"invalid YAML: {error}")]
        ) from None
    try:
        return parse_support_config(data, resolve), root, data
    except ConfigError as error:
        problems = [
            ConfigProblem(file, line_of(root, e.path), e.path, e.reason) for e in error.errors
        ]
        raise SupportConfigError(problems) from None


def line_of(root: Node | None, key_path: str) -> int:
    """1-based line of the deepest node on ``key_path`` (e.g. ``sla.standard.P1.response``
    or ``calendars.msk.holidays[2]``) that exists in the tree."""
    if root is None:
        return 1
    node, line = root, root.start_mark.line + 1
    for name, index in _SEGMENT.findall(key_path):
        found: Node | None = None
        if isinstance(node, MappingNode) and name:
            for key_node, value_node in node.value:
                if key_node.value == name:
                    line, found = key_node.start_mark.line + 1, value_node
                    break
        elif isinstance(node, SequenceNode) and index and int(index) < len(node.value):
            found = node.value[int(index)]
            line = found.start_mark.line + 1
        if found is None:
            break
        node = found
    return line


def check_support_config(
    path: Path | None = None, today: date | None = None
) -> list[ConfigProblem]:
    """Load ``path`` like :func:`load_support_config` (raising its errors) and return the
    warnings: business-hours calendars without holiday data in the 12 months from ``today``.
    """
    file = path or DEFAULT_PATH
    config, root, data = _load(file)
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
            warnings.append(ConfigProblem(file, line_of(root, key), key, reason))
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
