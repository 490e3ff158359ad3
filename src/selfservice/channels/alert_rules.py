"""An alert mapping's parts: what a rule matches and the values it sets.

Plain values built by ``channels.alert_schema`` from the mapping file; used by
:class:`~selfservice.channels.alert_mapping.AlertMapping` to decide.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from selfservice.channels.alerts import AlertEvent
from selfservice.domain.enums import Impact, Urgency
from selfservice.domain.known_problems import render

#: Used when the configuration has no ``severity`` table. Names from Alertmanager
#: conventions and Zabbix severities.
DEFAULT_SEVERITY: dict[str, dict[str, str]] = {
    "disaster": {"urgency": "very_high", "impact": "high"},
    "critical": {"urgency": "high", "impact": "medium"},
    "high": {"urgency": "high", "impact": "medium"},
    "error": {"urgency": "medium"},
    "average": {"urgency": "medium"},
    "warning": {"urgency": "medium"},
    "info": {"urgency": "low"},
    "information": {"urgency": "low"},
    "not_classified": {"urgency": "low"},
}

@dataclass(frozen=True)
class FieldValues:
    """What a rule, a severity entry or the defaults set; None = not set here."""

    service: str | None = None
    impact: Impact | None = None
    urgency: Urgency | None = None

    def get(self, name: str) -> str | None:
        value = getattr(self, name)
        return None if value is None else str(value)


@dataclass(frozen=True)
class KnownProblemDraft:
    """A customer-visible alert's known problem, its texts filled from the alert's labels."""

    rule: str
    zones: tuple[str, ...]
    clusters: tuple[str, ...]
    organisations: tuple[str, ...]
    title: Mapping[str, str]
    text: Mapping[str, str]
    next_update_minutes: int | None
    estimate_minutes: int | None


@dataclass(frozen=True)
class KnownProblemTemplate:
    """A rule's ``known_problem``: the alert is customer-visible and affects these places
    (``{label}`` in any value is replaced by the alert's label)."""

    zones: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    title: Mapping[str, str] = field(default_factory=dict)
    text: Mapping[str, str] = field(default_factory=dict)
    next_update_minutes: int | None = None
    estimate_minutes: int | None = None

    def draft(self, rule: str, labels: Mapping[str, str]) -> KnownProblemDraft:
        def each(values: tuple[str, ...]) -> tuple[str, ...]:
            filled = (render(v, labels).strip() for v in values)
            return tuple(v for v in dict.fromkeys(filled) if v and v != "?")

        return KnownProblemDraft(
            rule=rule, zones=each(self.zones), clusters=each(self.clusters),
            organisations=each(self.organisations),
            title={k: render(v, labels) for k, v in self.title.items()},
            text={k: render(v, labels) for k, v in self.text.items()},
            next_update_minutes=self.next_update_minutes,
            estimate_minutes=self.estimate_minutes,
        )


@dataclass(frozen=True)
class MappingRule:
    name: str
    sets: FieldValues
    sources: frozenset[str] = frozenset()
    senders: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    labels: Mapping[str, frozenset[str]] = field(default_factory=dict)
    labels_regex: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    host_regex: re.Pattern[str] | None = None
    service_hints: frozenset[str] = frozenset()
    known_problem: KnownProblemTemplate | None = None

    def matches(self, event: AlertEvent) -> bool:
        if self.sources and event.source.value not in self.sources:
            return False
        if self.senders and event.sender not in self.senders:
            return False
        if self.severities and event.severity not in self.severities:
            return False
        if self.service_hints and (event.service_hint or "").lower() not in self.service_hints:
            return False
        for name, allowed in self.labels.items():
            value = event.labels.get(name)
            if value is None or ("*" not in allowed and value not in allowed):
                return False
        for name, pattern in self.labels_regex.items():
            if not pattern.fullmatch(event.labels.get(name, "")):
                return False
        return self.host_regex is None or bool(self.host_regex.search(event.host or ""))
