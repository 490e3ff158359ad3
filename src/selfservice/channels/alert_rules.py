"""An alert mapping's parts: what a rule matches and the values it sets.

Plain values built by ``channels.alert_schema`` from the mapping file; used by
:class:`~selfservice.channels.alert_mapping.AlertMapping` to decide.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from selfservice.channels.alerts import AlertEvent
from selfservice.domain.enums import Impact, Urgency

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
