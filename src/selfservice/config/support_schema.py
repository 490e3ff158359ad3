"""The support configuration file's shape as pydantic models (see ``defaults/support.yml``).

Each value is checked where it stands (a duration, a time zone, an e-mail address, the
hours of a weekday); what spans several keys (calendar references, the default contract,
a group on every line, national holidays) is checked by ``config.support_build``, which
turns these models into the domain's plain objects.
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, PlainValidator

from selfservice.content.yaml_models import YamlModel
from selfservice.domain.calendars import Span, parse_spans
from selfservice.domain.enums import Line, Priority
from selfservice.domain.sla import DEFAULT_NEAR_BREACH_RATIO, Duration

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DURATION_HINT = "must be a duration like '15m', '4h', '3bd'"


def _duration(value: object) -> Duration:
    if not isinstance(value, str):
        raise ValueError(DURATION_HINT)
    try:
        return Duration.parse(value)
    except ValueError:
        raise ValueError(DURATION_HINT) from None


def _zone(value: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone like 'Europe/Moscow'") from None


def _spans(value: object) -> tuple[Span, ...]:
    try:
        return parse_spans(value)  # type: ignore[arg-type]
    except (ValueError, TypeError) as error:
        raise ValueError(f'{error} (quote it: "09:00-18:00")') from None


def _day(value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("must be a date like 2025-01-01") from None


def _date_list(value: object) -> object:
    if value is not None and not isinstance(value, list):
        raise ValueError("must be a list of dates like 2025-01-01")
    return value or []


def _checked(test: Callable[[Any], bool], reason: str) -> PlainValidator:
    def check(value: object) -> object:
        if not test(value):
            raise ValueError(reason)
        return value

    return PlainValidator(check)


Dur = Annotated[Duration, PlainValidator(_duration)]
Day = Annotated[date, PlainValidator(_day)]
Days = Annotated[list[Day], BeforeValidator(_date_list)]
Spans = Annotated[tuple[Span, ...] | None, PlainValidator(
    lambda v: None if v is None else _spans(v))]
Text = Annotated[str, _checked(lambda v: isinstance(v, str) and bool(v.strip()),
                               "must be a non-empty text")]
Flag = Annotated[bool, _checked(lambda v: isinstance(v, bool), "must be true or false")]


class Row(YamlModel):
    significant: Priority
    high: Priority
    medium: Priority
    low: Priority
    none: Priority


class Matrix(YamlModel):
    very_high: Row
    high: Row
    medium: Row
    low: Row
    none: Row


class PrioritySpec(YamlModel):
    matrix: Matrix


class Hours(YamlModel):
    mon: Spans = None
    tue: Spans = None
    wed: Spans = None
    thu: Spans = None
    fri: Spans = None
    sat: Spans = None
    sun: Spans = None


class CalendarSpec(YamlModel):
    type: Annotated[Literal["always", "business_hours"], _checked(
        lambda v: v in ("always", "business_hours"), "must be 'always' or 'business_hours'")]
    timezone: Annotated[ZoneInfo | None, PlainValidator(_zone)] = None
    hours: Hours | None = None
    country: object = None
    subdivision: object = None
    holidays: Days = Field(default_factory=list)
    removed_holidays: Days = Field(default_factory=list)
    workdays: Days = Field(default_factory=list)
    business_day: Annotated[Duration | None, PlainValidator(_duration)] = None


class Targets(YamlModel):
    response: Dur
    resolution: Dur
    calendar: str | None = None


class RequestSpec(YamlModel):
    response: Dur
    fulfilment: Dur
    calendar: str | None = None


class SlaSpec(YamlModel):
    calendar: str
    near_breach: Annotated[float, _checked(
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1,
        "must be a fraction between 0 and 1, like 0.8")] = DEFAULT_NEAR_BREACH_RATIO
    P1: Targets
    P2: Targets
    P3: Targets
    P4: Targets
    P5: Targets
    request: RequestSpec


class Names(YamlModel):
    en: Text = Field(default="", validate_default=True)
    ru: Text = Field(default="", validate_default=True)


class GroupSpec(YamlModel):
    line: Line
    name: Names
    specialities: Annotated[list[str], _checked(
        lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
        "must be a list of words")] = Field(default_factory=list)


class EscalationSpec(YamlModel):
    manager: Annotated[str, _checked(lambda v: isinstance(v, str) and bool(_EMAIL.match(v)),
                                     "must be an e-mail address")]
    escalate_on_breach: Flag = True


class MailSpec(YamlModel):
    coalesce_seconds: Annotated[int, _checked(
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3600,
        "must be a whole number of seconds, 0 to 3600")] = 120
    portal_url: Annotated[str | None, _checked(
        lambda v: v is None or (isinstance(v, str) and v.startswith(("https://", "http://"))),
        "must be an http(s) URL")] = None


class SupportFile(YamlModel):
    priority: PrioritySpec
    calendars: dict[str, CalendarSpec]
    sla: dict[str, SlaSpec]
    default_contract: str = "standard"
    groups: dict[str, GroupSpec]
    escalation: EscalationSpec
    mail: Annotated[MailSpec, BeforeValidator(lambda v: {} if v is None else v)] = Field(
        default_factory=MailSpec)
