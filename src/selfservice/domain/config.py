"""The support configuration as data, parsed from a plain dict (the caller reads YAML).

Shape (see ``selfservice/config/defaults/support.yml``)::

    priority: {matrix: {<urgency>: {<impact>: P1..P5}}}
    calendars: {<id>: {type: always} | {type: business_hours, timezone, hours,
                country?, subdivision?, holidays?, removed_holidays?, workdays?,
                business_day?}}
    sla: {<contract level>: {calendar, near_breach?, P1..P5: {response, resolution,
          calendar?}, request: {response, fulfilment, calendar?}}}
    default_contract: <contract level>
    groups: {<id>: {line: L1|L2|L3|external, name: {en, ru}, specialities?: [...]}}
    escalation: {manager: <e-mail>, escalate_on_breach?: bool}
    mail: {coalesce_seconds?: int, portal_url?: <URL, {number} = the ticket number>}

Every problem is reported with the dotted path of the offending key, e.g.
``sla.standard.P1.response: must be a duration like '15m', '4h', '3bd'``; all problems
are collected and raised together as one :class:`ConfigError` (``errors`` lists them).

National holidays (``country``) come from a :data:`NationalResolver` the caller passes in:
the domain knows no holiday data of its own.
"""

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from selfservice.domain.calendars import (
    AlwaysOpen,
    BusinessHours,
    Calendar,
    Span,
    YearDays,
    YearLookup,
    parse_spans,
)
from selfservice.domain.enums import Line, Priority
from selfservice.domain.errors import ConfigError
from selfservice.domain.escalation import SupportGroup
from selfservice.domain.priority import PriorityMatrix
from selfservice.domain.sla import (
    DEFAULT_NEAR_BREACH_RATIO,
    Duration,
    PriorityTargets,
    RequestTargets,
    SlaPolicy,
)

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DURATION_HINT = "must be a duration like '15m', '4h', '3bd'"

#: ``(country, subdivision or None)`` → the national calendar's days per year; raises
#: ValueError (the reason to report) for a country or subdivision it does not know.
NationalResolver = Callable[[str, str | None], YearLookup]


@dataclass(frozen=True)
class MailPolicy:
    """The customer's e-mail: changes within ``coalesce`` of the first one go out as one
    mail; ``portal_url`` links to the ticket for organisations without their own."""

    coalesce: timedelta = timedelta(minutes=2)
    portal_url: str | None = None


@dataclass(frozen=True)
class SupportConfig:
    matrix: PriorityMatrix
    calendars: Mapping[str, Calendar]
    sla: Mapping[str, SlaPolicy]
    default_contract: str
    groups: Mapping[str, SupportGroup]
    manager: str
    escalate_on_breach: bool = True
    mail: MailPolicy = MailPolicy()

    def policy(self, contract: str | None = None) -> SlaPolicy:
        """The SLA policy of a contract level (the default one for ``None``/unknown)."""
        return self.sla.get(contract or self.default_contract) or self.sla[self.default_contract]

    def groups_on(self, line: Line) -> list[SupportGroup]:
        return [g for g in self.groups.values() if g.line is line]


class _Issues:
    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def add(self, path: str, reason: str) -> None:
        self.errors.append(ConfigError(path, reason))

    def mapping(self, value: object, path: str, *, required: bool = True) -> Mapping[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, Mapping):
            self.add(path, "missing" if value is None else "must be a mapping")
            return {}
        return value

    def unknown(self, data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.add(where, f"unknown key; expected one of {', '.join(allowed)}")


def parse_support_config(data: object, national: NationalResolver | None = None) -> SupportConfig:
    """Build a :class:`SupportConfig` or raise :class:`ConfigError` listing every problem."""
    issues = _Issues()
    root = issues.mapping(data, "")
    issues.unknown(
        root,
        ("priority", "calendars", "sla", "default_contract", "groups", "escalation", "mail"),
        "",
    )
    matrix = _matrix(root.get("priority"), issues)
    calendars = _calendars(root.get("calendars"), issues, national)
    raw_sla = issues.mapping(root.get("sla"), "sla")
    sla = {
        level: policy
        for level, raw in raw_sla.items()
        if (policy := _policy(level, raw, calendars, issues)) is not None
    }
    default_contract = root.get("default_contract", "standard")
    if raw_sla and default_contract not in raw_sla:
        issues.add("default_contract", f"'{default_contract}' is not a level under sla")
    groups = _groups(root.get("groups"), issues)
    escalation = issues.mapping(root.get("escalation"), "escalation")
    issues.unknown(escalation, ("manager", "escalate_on_breach"), "escalation")
    manager = escalation.get("manager")
    if escalation and not (isinstance(manager, str) and _EMAIL.match(manager)):
        issues.add("escalation.manager", "must be an e-mail address")
    on_breach = escalation.get("escalate_on_breach", True)
    if not isinstance(on_breach, bool):
        issues.add("escalation.escalate_on_breach", "must be true or false")
    mail = _mail(root.get("mail"), issues)
    if issues.errors or matrix is None:
        raise _combined(issues.errors)
    return SupportConfig(
        matrix, calendars, sla, str(default_contract), groups, str(manager), bool(on_breach),
        mail,
    )


def _mail(value: object, issues: _Issues) -> MailPolicy:
    raw = issues.mapping(value, "mail", required=False)
    issues.unknown(raw, ("coalesce_seconds", "portal_url"), "mail")
    seconds = raw.get("coalesce_seconds", 120)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= 3600:
        issues.add("mail.coalesce_seconds", "must be a whole number of seconds, 0 to 3600")
        seconds = 120
    url = raw.get("portal_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://",
                                                                          "http://"))):
        issues.add("mail.portal_url", "must be an http(s) URL")
        url = None
    return MailPolicy(timedelta(seconds=seconds), url)


def _combined(errors: list[ConfigError]) -> ConfigError:
    first = errors[0]
    combined = ConfigError(first.path, first.reason)
    combined.errors = list(errors)
    if len(errors) > 1:
        combined.message = "\n".join(str(e) for e in errors)
        combined.args = (combined.message,)
    return combined


def _matrix(value: object, issues: _Issues) -> PriorityMatrix | None:
    priority = issues.mapping(value, "priority")
    issues.unknown(priority, ("matrix",), "priority")
    try:
        return PriorityMatrix.from_mapping(priority.get("matrix"), path="priority.matrix")
    except ConfigError as error:
        issues.errors.append(error)
        return None


def _calendars(
    value: object, issues: _Issues, national: NationalResolver | None
) -> dict[str, Calendar]:
    result: dict[str, Calendar] = {}
    for cal_id, raw in issues.mapping(value, "calendars").items():
        path = f"calendars.{cal_id}"
        if not _ID.match(str(cal_id)):
            issues.add(path, "an id uses letters, digits, '-' and '_' only")
            continue
        spec = issues.mapping(raw, path)
        kind = spec.get("type")
        if kind == "always":
            issues.unknown(spec, ("type",), path)
            result[cal_id] = AlwaysOpen(cal_id)
        elif kind == "business_hours":
            calendar = _business_hours(cal_id, spec, path, issues, national)
            if calendar is not None:
                result[cal_id] = calendar
        elif spec:
            issues.add(f"{path}.type", "must be 'always' or 'business_hours'")
    return result


def _business_hours(
    cal_id: str,
    spec: Mapping[str, Any],
    path: str,
    issues: _Issues,
    resolver: NationalResolver | None,
) -> BusinessHours | None:
    allowed = (
        "type", "timezone", "hours", "country", "subdivision",
        "holidays", "removed_holidays", "workdays", "business_day",
    )
    issues.unknown(spec, allowed, path)
    errors_before = len(issues.errors)
    tz: ZoneInfo | None = None
    try:
        tz = ZoneInfo(str(spec.get("timezone")))
    except (ZoneInfoNotFoundError, ValueError):
        issues.add(f"{path}.timezone", "must be an IANA time zone like 'Europe/Moscow'")
    weekly: dict[int, tuple[Span, ...]] = {}
    hours = issues.mapping(spec.get("hours"), f"{path}.hours")
    issues.unknown(hours, WEEKDAYS, f"{path}.hours")
    for index, day in enumerate(WEEKDAYS):
        if day in hours and hours[day] is not None:
            try:
                weekly[index] = parse_spans(hours[day])
            except (ValueError, TypeError) as error:
                issues.add(f"{path}.hours.{day}", f'{error} (quote it: "09:00-18:00")')
    holidays = _dates(spec.get("holidays"), f"{path}.holidays", issues)
    workdays = _dates(spec.get("workdays"), f"{path}.workdays", issues)
    national = _national(spec, path, issues, resolver)
    removed = _dates(spec.get("removed_holidays"), f"{path}.removed_holidays", issues)
    if removed and national is None and "country" not in spec:
        issues.add(f"{path}.removed_holidays", "needs a country whose holidays it removes")
    if removed and national is not None:
        national = _without(national, removed)
    day_length: timedelta | None = None
    if spec.get("business_day") is not None:
        parsed = _duration(spec["business_day"], f"{path}.business_day", issues)
        if parsed is not None and parsed.business_days:
            issues.add(f"{path}.business_day", "must be clock time like '8h'")
        elif parsed is not None:
            day_length = parsed.clock
    if len(issues.errors) > errors_before or tz is None:
        return None
    if not weekly:
        issues.add(f"{path}.hours", "needs open hours on at least one weekday")
        return None
    return BusinessHours(
        cal_id, tz, weekly, holidays, workdays, day_length=day_length, national=national
    )


def _national(
    spec: Mapping[str, Any], path: str, issues: _Issues, resolver: NationalResolver | None
) -> YearLookup | None:
    country, subdivision = spec.get("country"), spec.get("subdivision")
    if country is None:
        if subdivision is not None:
            issues.add(f"{path}.subdivision", "needs a country, like 'country: CA'")
        return None
    if resolver is None:
        issues.add(f"{path}.country", "national holidays are not available here")
        return None
    for key, value in (("country", country), ("subdivision", subdivision)):
        if isinstance(value, bool):
            # YAML 1.1 reads the codes ON, NO, Y… as booleans
            issues.add(f"{path}.{key}", 'must be quoted, like "ON" or "NO"')
            return None
    if not isinstance(country, str) or not country.strip():
        issues.add(f"{path}.country", "must be a country code like RU, KZ, US, CA")
        return None
    try:
        lookup = resolver(country, None)
    except ValueError as error:
        issues.add(f"{path}.country", str(error))
        return None
    if subdivision is None:
        return lookup
    try:
        return resolver(country, str(subdivision))
    except ValueError as error:
        issues.add(f"{path}.subdivision", str(error))
        return None


def _without(national: YearLookup, removed: frozenset[date]) -> YearLookup:
    # A handful of years is in use at any time; the bound keeps a clock that wanders
    # through many years from holding them all.
    @functools.lru_cache(maxsize=8)
    def lookup(year: int) -> YearDays:
        days = national(year)
        return YearDays(days.off - removed, days.worked)

    return lookup


def _dates(value: object, path: str, issues: _Issues) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        issues.add(path, "must be a list of dates like 2025-01-01")
        return frozenset()
    result: set[date] = set()
    for index, item in enumerate(value):
        try:
            result.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            issues.add(f"{path}[{index}]", "must be a date like 2025-01-01")
    return frozenset(result)


def _duration(value: object, path: str, issues: _Issues) -> Duration | None:
    if not isinstance(value, str):
        issues.add(path, _DURATION_HINT)
        return None
    try:
        return Duration.parse(value)
    except ValueError:
        issues.add(path, _DURATION_HINT)
        return None


def _calendar_ref(
    value: object,
    default: Calendar | None,
    calendars: Mapping[str, Calendar],
    path: str,
    issues: _Issues,
) -> Calendar | None:
    if value is None:
        if default is None:
            issues.add(path, "missing")
        return default
    if str(value) not in calendars:
        known = ", ".join(calendars) or "none defined"
        issues.add(path, f"unknown calendar '{value}'; defined: {known}")
        return None
    return calendars[str(value)]


def _policy(
    level: str, raw: object, calendars: Mapping[str, Calendar], issues: _Issues
) -> SlaPolicy | None:
    path = f"sla.{level}"
    spec = issues.mapping(raw, path)
    if not spec:
        return None
    issues.unknown(spec, ("calendar", "near_breach", *Priority, "request"), path)
    errors_before = len(issues.errors)
    calendar = _calendar_ref(spec.get("calendar"), None, calendars, f"{path}.calendar", issues)
    ratio = spec.get("near_breach", DEFAULT_NEAR_BREACH_RATIO)
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 < ratio < 1:
        issues.add(f"{path}.near_breach", "must be a fraction between 0 and 1, like 0.8")
    priorities: dict[Priority, PriorityTargets] = {}
    for priority in Priority:
        targets = _targets(
            spec.get(priority.value),
            f"{path}.{priority.value}",
            ("response", "resolution"),
            calendar,
            calendars,
            issues,
        )
        if targets is not None:
            priorities[priority] = PriorityTargets(*targets)
    request = _targets(
        spec.get("request"),
        f"{path}.request",
        ("response", "fulfilment"),
        calendar,
        calendars,
        issues,
    )
    if len(issues.errors) > errors_before or request is None:
        return None
    return SlaPolicy(level, priorities, RequestTargets(*request), float(ratio))


def _targets(
    raw: object,
    path: str,
    names: tuple[str, str],
    default: Calendar | None,
    calendars: Mapping[str, Calendar],
    issues: _Issues,
) -> tuple[Duration, Duration, Calendar] | None:
    spec = issues.mapping(raw, path)
    if not spec:
        return None
    issues.unknown(spec, (*names, "calendar"), path)
    first, second = (_duration(spec.get(n), f"{path}.{n}", issues) for n in names)
    calendar = _calendar_ref(spec.get("calendar"), default, calendars, f"{path}.calendar", issues)
    if first is None or second is None or calendar is None:
        return None
    return first, second, calendar


def _groups(value: object, issues: _Issues) -> dict[str, SupportGroup]:
    result: dict[str, SupportGroup] = {}
    for group_id, raw in issues.mapping(value, "groups").items():
        path = f"groups.{group_id}"
        spec = issues.mapping(raw, path)
        if not spec:
            continue
        issues.unknown(spec, ("line", "name", "specialities"), path)
        try:
            line = Line(str(spec.get("line")))
        except ValueError:
            issues.add(f"{path}.line", "must be one of " + ", ".join(x.value for x in Line))
            continue
        name = issues.mapping(spec.get("name"), f"{path}.name")
        en, ru = name.get("en"), name.get("ru")
        for lang, text in (("en", en), ("ru", ru)):
            if name and not (isinstance(text, str) and text.strip()):
                issues.add(f"{path}.name.{lang}", "must be a non-empty text")
        specialities = spec.get("specialities", [])
        if not isinstance(specialities, list) or not all(isinstance(s, str) for s in specialities):
            issues.add(f"{path}.specialities", "must be a list of words")
            specialities = []
        if isinstance(en, str) and isinstance(ru, str):
            result[group_id] = SupportGroup(group_id, line, en, ru, frozenset(specialities))
    for line in (Line.L1, Line.L2, Line.L3):
        if value is not None and result and not any(g.line is line for g in result.values()):
            issues.add("groups", f"needs at least one {line.value} group")
    return result
