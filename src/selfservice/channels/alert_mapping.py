"""Which service, impact and urgency an alert gets: configuration, not code.

The configuration is a plain dict (from YAML or JSON), for example::

    defaults: {service: compute, impact: low, urgency: medium}
    severity:                       # optional; replaces the built-in table below
      critical: {urgency: high, impact: medium}
      warning: {urgency: medium}
    rules:                          # first matching rule that sets a field wins
      - name: storage cluster
        match:
          source: alertmanager      # alertmanager | zabbix (string or list)
          sender: grafana           # alertmanager | grafana | zabbix
          severity: [critical, disaster]
          labels: {grafana_folder: Storage, team: "*"}   # value, list of values, "*" = present
          labels_regex: {instance: "^stor-\\d+"}        # full match
          host_regex: "^stor-"
          service_hint: [storage, ceph]
        set: {service: storage, impact: high, urgency: high}

Each of the three fields is decided separately: the first rule (in order) that matches
the event **and sets that field**, else the severity table, else ``defaults``. The
decision says where each value came from, so an engineer can see why.

:meth:`AlertMapping.from_dict` checks everything at load time and raises
:class:`AlertMappingError` listing every problem with its key path
(``rules[2].set.urgency: 'urgent' is not one of very_high, high, medium, low, none``).
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from selfservice.channels.alerts import AlertEvent
from selfservice.domain.enums import Impact, Urgency

__all__ = [
    "DEFAULT_SEVERITY",
    "AlertDecision",
    "AlertMapping",
    "AlertMappingError",
    "MappingRule",
]

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

_TOP_KEYS = frozenset({"defaults", "severity", "rules"})
_RULE_KEYS = frozenset({"name", "match", "set"})
_MATCH_KEYS = frozenset(
    {"source", "sender", "severity", "labels", "labels_regex", "host_regex", "service_hint"}
)
_SET_KEYS = frozenset({"service", "impact", "urgency"})
_FIELDS = ("service", "impact", "urgency")
_SOURCES = frozenset({"alertmanager", "zabbix"})
_SENDERS = frozenset({"alertmanager", "grafana", "zabbix"})


class AlertMappingError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("invalid alert mapping:\n" + "\n".join(f"  {e}" for e in errors))
        self.errors = errors


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


@dataclass(frozen=True)
class AlertDecision:
    service: str | None
    impact: Impact
    urgency: Urgency
    reasons: Mapping[str, str]
    """Per field, where the value came from: ``rule 'storage cluster'``,
    ``severity 'critical'`` or ``defaults``."""


@dataclass(frozen=True)
class AlertMapping:
    defaults: FieldValues
    severity: Mapping[str, FieldValues]
    rules: tuple[MappingRule, ...]

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | None, *, known_services: Collection[str] | None = None
    ) -> "AlertMapping":
        """Build and check a mapping; ``known_services`` (e.g. kb/services.yml ids) makes an
        unknown service id an error."""
        return _Loader(known_services).load({} if data is None else data)

    def decide(self, event: AlertEvent) -> AlertDecision:
        values: dict[str, str | None] = {}
        reasons: dict[str, str] = {}
        matching = [rule for rule in self.rules if rule.matches(event)]
        by_severity = self.severity.get(event.severity)
        for name in _FIELDS:
            for rule in matching:
                if rule.sets.get(name) is not None:
                    values[name], reasons[name] = rule.sets.get(name), f"rule {rule.name!r}"
                    break
            else:
                if by_severity is not None and by_severity.get(name) is not None:
                    values[name] = by_severity.get(name)
                    reasons[name] = f"severity {event.severity!r}"
                else:
                    values[name], reasons[name] = self.defaults.get(name), "defaults"
        return AlertDecision(
            service=values["service"],
            impact=Impact(values["impact"] or Impact.LOW),
            urgency=Urgency(values["urgency"] or Urgency.MEDIUM),
            reasons=reasons,
        )


def _opt(data: Mapping[str, Any], key: str) -> Any:
    """The value of an optional mapping key: missing or null -> empty mapping."""
    value = data.get(key)
    return {} if value is None else value


class _Loader:
    def __init__(self, known_services: Collection[str] | None) -> None:
        self.known = set(known_services) if known_services is not None else None
        self.errors: list[str] = []

    def load(self, data: Mapping[str, Any]) -> AlertMapping:
        if not isinstance(data, Mapping):
            raise AlertMappingError(["(top): expected a mapping"])
        self._keys(data, _TOP_KEYS, "")
        defaults = self._settings(_opt(data, "defaults"), "defaults")
        severity_raw = data.get("severity", DEFAULT_SEVERITY)
        severity: dict[str, FieldValues] = {}
        if self._is_map(severity_raw, "severity"):
            for name, value in severity_raw.items():
                settings = self._settings(value, f"severity.{name}")
                if settings.service is not None:
                    self.errors.append(f"severity.{name}.service: set the service in rules")
                severity[str(name).lower()] = settings
        rules: list[MappingRule] = []
        rules_raw = data.get("rules")
        if rules_raw is None:
            rules_raw = []
        elif not isinstance(rules_raw, list):
            self.errors.append("rules: expected a list")
            rules_raw = []
        for i, raw in enumerate(rules_raw):
            rule = self._rule(raw, f"rules[{i}]")
            if rule is not None:
                rules.append(rule)
        if self.errors:
            raise AlertMappingError(self.errors)
        return AlertMapping(defaults, severity, tuple(rules))

    # checks
    def _is_map(self, value: object, path: str) -> bool:
        if not isinstance(value, Mapping):
            self.errors.append(f"{path}: expected a mapping, got {type(value).__name__}")
            return False
        return True

    def _keys(self, data: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.errors.append(f"{where}: unknown key (allowed: {', '.join(sorted(allowed))})")

    def _strings(self, value: object, path: str) -> frozenset[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            self.errors.append(f"{path}: expected a string or a list of strings")
            return frozenset()
        return frozenset(items)

    def _regex(self, value: object, path: str) -> re.Pattern[str] | None:
        if not isinstance(value, str):
            self.errors.append(f"{path}: expected a regular expression string")
            return None
        try:
            return re.compile(value)
        except re.error as exc:
            self.errors.append(f"{path}: invalid regular expression: {exc}")
            return None

    def _settings(self, value: object, path: str) -> FieldValues:
        if not self._is_map(value, path):
            return FieldValues()
        assert isinstance(value, Mapping)
        self._keys(value, _SET_KEYS, path)
        service = value.get("service")
        if service is not None and not isinstance(service, str):
            self.errors.append(f"{path}.service: expected a service id")
            service = None
        if service is not None and self.known is not None and service not in self.known:
            self.errors.append(
                f"{path}.service: unknown service {service!r} "
                f"(known: {', '.join(sorted(self.known))})"
            )
        return FieldValues(
            service=service,
            impact=self._enum(Impact, value.get("impact"), f"{path}.impact"),
            urgency=self._enum(Urgency, value.get("urgency"), f"{path}.urgency"),
        )

    def _enum(self, enum: Any, value: object, path: str) -> Any:
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.errors.append(f"{path}: {value!r} is not one of {allowed}")
            return None

    def _label_values(self, value: object, path: str) -> dict[str, frozenset[str]]:
        if not self._is_map(value, path):
            return {}
        assert isinstance(value, Mapping)
        return {str(k): self._strings(v, f"{path}.{k}") for k, v in value.items()}

    def _choice(
        self, match: Mapping[str, Any], key: str, path: str, allowed: frozenset[str] | None = None
    ) -> frozenset[str]:
        if key not in match:
            return frozenset()
        values = frozenset(v.lower() for v in self._strings(match[key], f"{path}.{key}"))
        for bad in sorted(values - allowed if allowed is not None else ()):
            self.errors.append(
                f"{path}.{key}: {bad!r} is not one of {', '.join(sorted(allowed or ()))}"
            )
        return values

    def _rule(self, raw: object, path: str) -> MappingRule | None:
        if not self._is_map(raw, path):
            return None
        assert isinstance(raw, Mapping)
        self._keys(raw, _RULE_KEYS, path)
        mp = f"{path}.match"
        match = _opt(raw, "match")
        if not self._is_map(match, mp):
            match = {}
        self._keys(match, _MATCH_KEYS, mp)
        if "set" not in raw:
            self.errors.append(f"{path}.set: missing (what does the rule decide?)")
        regexes: dict[str, re.Pattern[str]] = {}
        raw_regexes = _opt(match, "labels_regex")
        if self._is_map(raw_regexes, f"{mp}.labels_regex"):
            for key, value in raw_regexes.items():
                pattern = self._regex(value, f"{mp}.labels_regex.{key}")
                if pattern is not None:
                    regexes[str(key)] = pattern
        return MappingRule(
            name=str(raw.get("name") or path),
            sets=self._settings(_opt(raw, "set"), f"{path}.set"),
            sources=self._choice(match, "source", mp, _SOURCES),
            senders=self._choice(match, "sender", mp, _SENDERS),
            severities=self._choice(match, "severity", mp),
            labels=self._label_values(_opt(match, "labels"), f"{mp}.labels"),
            labels_regex=regexes,
            host_regex=self._regex(match["host_regex"], f"{mp}.host_regex")
            if "host_regex" in match
            else None,
            service_hints=self._choice(match, "service_hint", mp),
        )
