import copy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from selfservice.config.national_holidays import resolve
from selfservice.config.support_build import parse_support_config
from selfservice.config.support_config import (
    DEFAULT_PATH,
    SupportConfigError,
    load_support_config,
)
from selfservice.content.yaml_lines import line_at, load_yaml
from selfservice.domain.calendars import AlwaysOpen, BusinessHours
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Line, Priority, TicketType
from selfservice.domain.errors import ConfigError

DEFAULT: dict[str, Any] = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _parse(data: object) -> SupportConfig:
    return parse_support_config(data, resolve)


def test_default_yaml_loads() -> None:
    config = load_support_config(None)
    assert config.default_contract == "standard"
    assert set(config.sla) == {"standard", "premium"}
    assert isinstance(config.calendars["24x7"], AlwaysOpen)
    msk = config.calendars["business-msk"]
    assert isinstance(msk, BusinessHours) and str(msk.tz) == "Europe/Moscow"
    assert config.manager == "support-manager@example.com"
    assert {g.line for g in config.groups.values()} == set(Line)
    assert len(config.groups_on(Line.L2)) >= 2 and len(config.groups_on(Line.L3)) >= 2
    assert config.matrix.to_mapping()["high"]["low"] == "P3"


@pytest.mark.parametrize(
    ("priority", "response_min", "resolution_h", "calendar"),
    [
        (Priority.P1, 15, 4, "24x7"),
        (Priority.P2, 30, 8, "24x7"),
        (Priority.P3, 120, 24, "business-msk"),
        (Priority.P4, 240, 27, "business-msk"),
        (Priority.P5, 540, 90, "business-msk"),
    ],
)
def test_default_standard_targets(
    priority: Priority, response_min: int, resolution_h: int, calendar: str
) -> None:
    targets = load_support_config().policy("standard").targets_for(TicketType.INCIDENT, priority)
    assert targets.response.total_seconds() == response_min * 60
    assert targets.resolution.total_seconds() == resolution_h * 3600
    assert targets.calendar.id == calendar


def test_mail_coalescing_window_and_portal_fallback() -> None:
    assert load_support_config(None).mail.coalesce == timedelta(minutes=2)
    no_mail = copy.deepcopy(DEFAULT)
    del no_mail["mail"]
    assert _parse(no_mail).mail.coalesce == timedelta(minutes=2)
    assert _parse(no_mail).mail.portal_url is None
    mail = _parse(_edit("mail", {"coalesce_seconds": 0, "portal_url": "https://p.example/{number}"}))
    assert mail.mail.coalesce == timedelta(0)
    assert mail.mail.portal_url == "https://p.example/{number}"


def test_policy_falls_back_to_default_contract() -> None:
    config = load_support_config()
    assert config.policy(None).name == "standard"
    assert config.policy("gold").name == "standard"
    assert config.policy("premium").near_breach_ratio == 0.75


def _edit(path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()

ERRORS = [
    ("sla.standard.P1.response", 15, "must be a duration like '15m', '4h', '3bd'"),
    ("sla.standard.P1.response", "15 minutes", "must be a duration like '15m', '4h', '3bd'"),
    ("sla.standard.P3", _DELETE, "missing"),
    ("sla.standard.P2.calendar", "mars", "unknown calendar 'mars'"),
    ("sla.standard.near_breach", 1.5, "between 0 and 1"),
    ("sla.standard.P1.reaction", "1h", "unknown key"),
    ("sla.premium.request.fulfilment", "soon", "must be a duration"),
    ("sla.standard.calendar", _DELETE, "missing"),
    ("priority.matrix.low.none", "P0", "'P0' is not one of P1, P2, P3, P4, P5"),
    ("priority.matrix.none", _DELETE, "missing"),
    ("calendars.business-msk.timezone", "Mars/Olympus", "IANA time zone"),
    ("calendars.business-msk.hours", {"mon": "9-18"}, "not a time"),
    ("calendars.business-msk.hours", {"monday": "09:00-18:00"}, "unknown key"),
    ("calendars.business-msk.hours", {}, "needs open hours"),
    ("calendars.business-nyc.type", "sometimes", "must be 'always' or 'business_hours'"),
    ("calendars.business-msk.business_day", "2bd", "clock time"),
    ("groups.l2-linux.line", "L4", "'L4' is not one of L1, L2, L3, external"),
    ("groups.l2-linux.name", {"en": "Linux"}, "non-empty text"),
    ("groups.l2-linux.specialities", "linux", "list of words"),
    ("escalation.manager", "nobody", "e-mail address"),
    ("escalation.escalate_on_breach", "yes", "true or false"),
    ("default_contract", "gold", "not a level under sla"),
    ("surprise", 1, "unknown key"),
    ("mail.coalesce_seconds", "2m", "whole number of seconds"),
    ("mail.coalesce_seconds", -1, "whole number of seconds"),
    ("mail.portal_url", "portal.example/{number}", "http(s) URL"),
    ("mail.bcc", "x@example.com", "unknown key"),
]


@pytest.mark.parametrize(("path", "value", "reason"), ERRORS)
def test_config_errors_name_the_path(path: str, value: object, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        _parse(_edit(path, value))
    error = info.value
    paths = [e.path for e in error.errors]
    assert any(p.startswith(path) for p in paths), paths
    assert any(reason in e.reason for e in error.errors), [e.reason for e in error.errors]


def test_error_message_format() -> None:
    with pytest.raises(ConfigError) as info:
        _parse(_edit("sla.standard.P1.response", "15"))
    assert str(info.value) == "sla.standard.P1.response: must be a duration like '15m', '4h', '3bd'"


def test_all_problems_are_collected() -> None:
    data = _edit("escalation.manager", "nobody")
    data["sla"]["standard"]["P1"]["response"] = "x"
    with pytest.raises(ConfigError) as info:
        _parse(data)
    assert [e.path for e in info.value.errors] == [
        "sla.standard.P1.response",
        "escalation.manager",
    ]
    assert str(info.value).count("\n") == 1


def test_unknown_key_names_the_keys_allowed_there() -> None:
    with pytest.raises(ConfigError) as info:
        _parse(_edit("sla.standard.P1.reaction", "1h"))
    assert str(info.value) == (
        "sla.standard.P1.reaction: unknown key (did you mean 'resolution'?); "
        "expected one of response, resolution, calendar"
    )


def test_references_are_checked_once_the_values_are_valid() -> None:
    with pytest.raises(ConfigError) as info:
        _parse(_edit("sla.standard.P2.calendar", "mars"))
    assert str(info.value).startswith(
        "sla.standard.P2.calendar: unknown calendar 'mars'; defined: 24x7"
    )


def test_holiday_dates_may_be_strings_and_bad_ones_are_indexed() -> None:
    data = _edit("calendars.business-nyc.holidays", ["2025-07-04", "July 4th"])
    with pytest.raises(ConfigError) as info:
        _parse(data)
    assert info.value.path == "calendars.business-nyc.holidays[1]"


def test_groups_need_every_line() -> None:
    data = copy.deepcopy(DEFAULT)
    data["groups"] = {k: v for k, v in data["groups"].items() if v["line"] != "L3"}
    with pytest.raises(ConfigError, match="needs at least one L3 group"):
        _parse(data)


def test_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a mapping"):
        _parse(["nope"])


BROKEN_YAML = """\
priority:
  matrix: {}
sla:
  standard:
    calendar: 24x7
    P1: {response: fast, resolution: 4h}
"""


def test_loader_reports_file_and_line(tmp_path: Path) -> None:
    file = tmp_path / "support.yml"
    file.write_text(BROKEN_YAML, encoding="utf-8")
    with pytest.raises(SupportConfigError) as info:
        load_support_config(file)
    problems = {p.path: p for p in info.value.problems}
    assert problems["priority.matrix.very_high"].line == 2  # deepest existing key
    assert problems["sla.standard.P2"].line == 4  # missing key: line of its parent
    assert problems["sla.standard.P1.response"].line == 6
    assert f"{file}:6: sla.standard.P1.response: must be a duration" in str(info.value)
    assert problems["calendars"].line == 1  # missing top-level key: start of document


def test_loader_reports_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    file = tmp_path / "bad.yml"
    file.write_text("sla:\n  standard: [\n", encoding="utf-8")
    with pytest.raises(SupportConfigError, match=r"bad\.yml:\d+: invalid YAML"):
        load_support_config(file)
    with pytest.raises(SupportConfigError, match="cannot read"):
        load_support_config(tmp_path / "missing.yml")


def test_line_of_list_items() -> None:
    data = load_yaml("a:\n  b:\n    - x\n    - y\n")
    assert line_at(data, "a.b[1]") == 4
    assert line_at(data, ("a", "b", 1)) == 4  # a pydantic loc
    assert line_at(data, "a.b[9]") == 2
    assert line_at(None, "a") == 1
