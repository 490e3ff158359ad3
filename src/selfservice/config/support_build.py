"""Parse the support configuration (a loaded YAML mapping) into the domain's objects.

The pydantic models of ``config.support_schema`` check each value; this module checks what
spans several keys and builds :class:`~selfservice.domain.config.SupportConfig`. Every
problem has the dotted path of its key (``sla.standard.P1.response: must be a duration
like '15m', '4h', '3bd'``); all are raised together as one :class:`ConfigError`.
"""

import functools
import re
from collections.abc import Callable
from datetime import date, timedelta

from pydantic import ValidationError

from selfservice.config.support_schema import (
    CalendarSpec,
    Matrix,
    SlaSpec,
    SupportFile,
)
from selfservice.content.yaml_models import KeyIssue, issues_of
from selfservice.domain.calendars import AlwaysOpen, BusinessHours, Calendar, YearDays, YearLookup
from selfservice.domain.config import MailPolicy, SupportConfig
from selfservice.domain.enums import Impact, Line, Priority, Urgency
from selfservice.domain.errors import ConfigError
from selfservice.domain.escalation import SupportGroup
from selfservice.domain.priority import PriorityMatrix
from selfservice.domain.sla import PriorityTargets, RequestTargets, SlaPolicy

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: ``(country, subdivision or None)`` → the national calendar's days per year; raises
#: ValueError (the reason to report) for a country or subdivision it does not know.
NationalResolver = Callable[[str, str | None], YearLookup]


def parse_support_config(data: object, national: NationalResolver | None = None) -> SupportConfig:
    """Build a :class:`SupportConfig` or raise :class:`ConfigError` listing every problem."""
    try:
        spec = SupportFile.model_validate(data)
    except ValidationError as error:
        raise _combined(issues_of(error, data, SupportFile)) from None
    issues: list[KeyIssue] = []
    calendars = _calendars(spec, issues, national)
    sla = {level: _policy(level, raw, calendars, issues) for level, raw in spec.sla.items()}
    if spec.default_contract not in spec.sla:
        issues.append(KeyIssue("default_contract",
                               f"'{spec.default_contract}' is not a level under sla"))
    groups = {
        gid: SupportGroup(gid, g.line, g.name.en, g.name.ru, frozenset(g.specialities))
        for gid, g in spec.groups.items()
    }
    for line in (Line.L1, Line.L2, Line.L3):
        if not any(g.line is line for g in groups.values()):
            issues.append(KeyIssue("groups", f"needs at least one {line.value} group"))
    policies = {level: policy for level, policy in sla.items() if policy is not None}
    if issues:
        raise _combined(issues)
    return SupportConfig(
        _matrix(spec.priority.matrix), calendars, policies, spec.default_contract, groups,
        spec.escalation.manager, spec.escalation.escalate_on_breach,
        MailPolicy(timedelta(seconds=spec.mail.coalesce_seconds), spec.mail.portal_url),
    )


def _combined(issues: list[KeyIssue]) -> ConfigError:
    errors = [ConfigError(i.path, i.reason) for i in issues]
    combined = ConfigError(errors[0].path, errors[0].reason)
    combined.errors = errors
    if len(errors) > 1:
        combined.message = "\n".join(str(e) for e in errors)
        combined.args = (combined.message,)
    return combined


def _matrix(matrix: Matrix) -> PriorityMatrix:
    return PriorityMatrix({
        (urgency, impact): getattr(getattr(matrix, urgency.value), impact.value)
        for urgency in Urgency for impact in Impact
    })


def _calendars(
    spec: SupportFile, issues: list[KeyIssue], national: NationalResolver | None
) -> dict[str, Calendar]:
    result: dict[str, Calendar] = {}
    for cal_id, raw in spec.calendars.items():
        path = f"calendars.{cal_id}"
        if not _ID.match(cal_id):
            issues.append(KeyIssue(path, "an id uses letters, digits, '-' and '_' only"))
        elif raw.type == "always":
            extra = [k for k in raw.model_fields_set if k != "type"]
            for key in extra:
                issues.append(KeyIssue(f"{path}.{key}", "unknown key; expected one of type"))
            result[cal_id] = AlwaysOpen(cal_id)
        elif (calendar := _business_hours(cal_id, raw, path, issues, national)) is not None:
            result[cal_id] = calendar
    return result


def _business_hours(
    cal_id: str, spec: CalendarSpec, path: str, issues: list[KeyIssue],
    resolver: NationalResolver | None,
) -> BusinessHours | None:
    before = len(issues)
    if spec.timezone is None:
        issues.append(KeyIssue(f"{path}.timezone",
                               "must be an IANA time zone like 'Europe/Moscow'"))
    if spec.hours is None:
        issues.append(KeyIssue(f"{path}.hours", "missing"))
    weekly = {i: spans for i, day in enumerate(WEEKDAYS)
              if spec.hours is not None and (spans := getattr(spec.hours, day)) is not None}
    national = _national(spec, path, issues, resolver)
    removed = frozenset(spec.removed_holidays)
    if removed and spec.country is None:
        issues.append(KeyIssue(f"{path}.removed_holidays",
                               "needs a country whose holidays it removes"))
    if removed and national is not None:
        national = _without(national, removed)
    day_length = spec.business_day.clock if spec.business_day is not None else None
    if spec.business_day is not None and spec.business_day.business_days:
        issues.append(KeyIssue(f"{path}.business_day", "must be clock time like '8h'"))
    if len(issues) > before or spec.timezone is None:
        return None
    if not weekly:
        issues.append(KeyIssue(f"{path}.hours", "needs open hours on at least one weekday"))
        return None
    return BusinessHours(cal_id, spec.timezone, weekly, frozenset(spec.holidays),
                         frozenset(spec.workdays), day_length=day_length, national=national)


def _national(
    spec: CalendarSpec, path: str, issues: list[KeyIssue], resolver: NationalResolver | None
) -> YearLookup | None:
    country, subdivision = spec.country, spec.subdivision
    if country is None:
        if subdivision is not None:
            issues.append(KeyIssue(f"{path}.subdivision", "needs a country, like 'country: CA'"))
        return None
    if resolver is None:
        issues.append(KeyIssue(f"{path}.country", "national holidays are not available here"))
        return None
    for key, value in (("country", country), ("subdivision", subdivision)):
        if isinstance(value, bool):
            # YAML 1.1 reads the codes ON, NO, Y… as booleans
            issues.append(KeyIssue(f"{path}.{key}", 'must be quoted, like "ON" or "NO"'))
            return None
    if not isinstance(country, str) or not country.strip():
        issues.append(KeyIssue(f"{path}.country", "must be a country code like RU, KZ, US, CA"))
        return None
    try:
        lookup = resolver(country, None)
        if subdivision is None:
            return lookup
    except ValueError as error:
        issues.append(KeyIssue(f"{path}.country", str(error)))
        return None
    try:
        return resolver(country, str(subdivision))
    except ValueError as error:
        issues.append(KeyIssue(f"{path}.subdivision", str(error)))
        return None


def _without(national: YearLookup, removed: frozenset[date]) -> YearLookup:
    # A handful of years is in use at any time; the bound keeps a clock that wanders
    # through many years from holding them all.
    @functools.lru_cache(maxsize=8)
    def lookup(year: int) -> YearDays:
        days = national(year)
        return YearDays(days.off - removed, days.worked)

    return lookup


def _calendar(
    name: str | None, default: Calendar | None, calendars: dict[str, Calendar], path: str,
    issues: list[KeyIssue],
) -> Calendar | None:
    if name is None:
        return default
    if name not in calendars:
        known = ", ".join(calendars) or "none defined"
        issues.append(KeyIssue(path, f"unknown calendar '{name}'; defined: {known}"))
        return None
    return calendars[name]


def _policy(
    level: str, spec: SlaSpec, calendars: dict[str, Calendar], issues: list[KeyIssue]
) -> SlaPolicy | None:
    path = f"sla.{level}"
    before = len(issues)
    default = _calendar(spec.calendar, None, calendars, f"{path}.calendar", issues)
    priorities: dict[Priority, PriorityTargets] = {}
    for priority in Priority:
        targets = getattr(spec, priority.value)
        calendar = _calendar(targets.calendar, default, calendars,
                             f"{path}.{priority.value}.calendar", issues)
        if calendar is not None:
            priorities[priority] = PriorityTargets(targets.response, targets.resolution, calendar)
    request = _calendar(spec.request.calendar, default, calendars, f"{path}.request.calendar",
                        issues)
    if len(issues) > before or request is None:
        return None
    return SlaPolicy(
        level, priorities,
        RequestTargets(spec.request.response, spec.request.fulfilment, request),
        float(spec.near_breach),
    )
