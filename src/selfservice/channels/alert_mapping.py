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
        known_problem:              # optional: the alert is customer-visible
          zones: ["{zone}"]         # {label} = the alert's label; clusters, organisations too
          title: {en: "Storage in {zone} is degraded", ru: "Хранилище в {zone} деградировало"}
          next_update_minutes: 30   # and estimate_minutes; text: {en, ru} (default: title)

Each of the three fields is decided separately: the first rule (in order) that matches
the event **and sets that field**, else the severity table, else ``defaults``. The
decision says where each value came from, so an engineer can see why.

:meth:`AlertMapping.from_dict` checks everything at load time (the pydantic models of
``channels.alert_schema``) and raises :class:`AlertMappingError` listing every problem
with its key path (``rules[2].set.urgency: 'urgent' is not one of very_high, high, …``).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from selfservice.channels.alert_rules import (
    DEFAULT_SEVERITY,
    FieldValues,
    KnownProblemDraft,
    MappingRule,
)
from selfservice.channels.alert_schema import build_mapping
from selfservice.channels.alerts import AlertEvent
from selfservice.content.yaml_models import KeyIssue
from selfservice.domain.enums import Impact, Urgency

_FIELDS = ("service", "impact", "urgency")

__all__ = [
    "DEFAULT_SEVERITY",
    "AlertDecision",
    "AlertMapping",
    "AlertMappingError",
    "MappingRule",
]


class AlertMappingError(ValueError):
    def __init__(self, issues: list[KeyIssue]) -> None:
        self.issues = issues
        self.errors = [f"{i.path}: {i.reason}" if i.path else i.reason for i in issues]
        super().__init__("invalid alert mapping:\n" + "\n".join(f"  {e}" for e in self.errors))


@dataclass(frozen=True)
class AlertDecision:
    service: str | None
    impact: Impact
    urgency: Urgency
    reasons: Mapping[str, str]
    """Per field, where the value came from: ``rule 'storage cluster'``,
    ``severity 'critical'`` or ``defaults``."""
    known_problem: KnownProblemDraft | None = None
    """Set when the first matching rule with ``known_problem`` makes the alert
    customer-visible; None: customers are never told about it."""


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
        built = build_mapping(data, known_services)
        if isinstance(built, list):
            raise AlertMappingError(built)
        return cls(*built)

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
        visible = next((r for r in matching if r.known_problem is not None), None)
        return AlertDecision(
            service=values["service"],
            impact=Impact(values["impact"] or Impact.LOW),
            urgency=Urgency(values["urgency"] or Urgency.MEDIUM),
            reasons=reasons,
            known_problem=(visible.known_problem.draft(visible.name, event.labels)
                           if visible is not None and visible.known_problem is not None
                           else None),
        )

    @property
    def customer_visible(self) -> bool:
        """Does any rule make alerts customer-visible?"""
        return any(rule.known_problem is not None for rule in self.rules)
