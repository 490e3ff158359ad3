"""The alert mapping's shape as pydantic models, and the build of
:class:`~selfservice.channels.alert_mapping.AlertMapping` from them.

Each value is checked where it stands (an urgency, a regular expression, a list of
strings, a service of kb/services.yml when those are given); :func:`build_mapping`
returns the plain rules, or every problem as a key path with its reason.
"""

import re
from collections.abc import Collection
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainValidator, ValidationError, ValidationInfo

from selfservice.channels.alert_rules import (
    DEFAULT_SEVERITY,
    FieldValues,
    KnownProblemTemplate,
    MappingRule,
)
from selfservice.content.yaml_models import KeyIssue, YamlModel, issues_of
from selfservice.domain.enums import Impact, Urgency

_SOURCES = ("alertmanager", "zabbix")
_SENDERS = ("alertmanager", "grafana", "zabbix")


def _strings(value: object) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ValueError("must be a string or a list of strings")
    return frozenset(v.lower() for v in items)


def _one_of(allowed: tuple[str, ...]) -> PlainValidator:
    def check(value: object) -> frozenset[str]:
        values = _strings(value)
        for bad in sorted(values - set(allowed)):
            raise ValueError(f"{bad!r} is not one of {', '.join(allowed)}")
        return values

    return PlainValidator(check)


def _regex(value: object) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise ValueError("must be a regular expression string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression: {exc}") from None


def _label_values(value: object) -> frozenset[str]:
    """Label values keep their case (``Storage``); ``*`` = the label is present."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ValueError("must be a string or a list of strings")
    return frozenset(items)


def _service(value: object, info: ValidationInfo) -> str | None:
    """A service id; one of kb/services.yml's when the context names them."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be a service id")
    known = (info.context or {}).get("services")
    if value is not None and known is not None and value not in known:
        raise ValueError(f"unknown service {value!r} (known: {', '.join(sorted(known))})")
    return value


def _no_service(value: object) -> None:
    if value is not None:
        raise ValueError("set the service in rules")


def _empty_if_none(value: object) -> object:
    return {} if value is None else value


Strings = Annotated[frozenset[str], PlainValidator(_strings)]
Regex = Annotated[re.Pattern[str], PlainValidator(_regex)]


class SetSpec(YamlModel):
    service: Annotated[str | None, PlainValidator(_service)] = None
    impact: Impact | None = None
    urgency: Urgency | None = None


class SeveritySpec(SetSpec):
    service: Annotated[None, PlainValidator(_no_service)] = None


class MatchSpec(YamlModel):
    source: Annotated[frozenset[str], _one_of(_SOURCES)] = frozenset()
    sender: Annotated[frozenset[str], _one_of(_SENDERS)] = frozenset()
    severity: Strings = frozenset()
    labels: Annotated[dict[str, Annotated[frozenset[str], PlainValidator(_label_values)]],
                      BeforeValidator(_empty_if_none)] = Field(default_factory=dict)
    labels_regex: Annotated[dict[str, Regex], BeforeValidator(_empty_if_none)] = Field(
        default_factory=dict)
    host_regex: Regex | None = None
    service_hint: Strings = frozenset()


def _places(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise ValueError("must be a string or a list of strings (\"{label}\" = the alert's "
                         "label)")
    return tuple(v.strip() for v in items)


def _customer_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a text customers read")
    if len(value) > 2000:
        raise ValueError("must be at most 2000 characters")
    return value.strip()


Places = Annotated[tuple[str, ...], PlainValidator(_places)]
CustomerText = Annotated[str, PlainValidator(_customer_text)]


class BothLanguages(YamlModel):
    en: CustomerText
    ru: CustomerText


class KnownProblemSpec(YamlModel):
    """The alert is customer-visible: it opens a known problem affecting these places."""

    zones: Places = ()
    clusters: Places = ()
    organisations: Places = ()
    title: BothLanguages
    text: BothLanguages | None = None
    next_update_minutes: Annotated[int, Field(ge=5, le=1440)] | None = None
    estimate_minutes: Annotated[int, Field(ge=5, le=10080)] | None = None

    def template(self) -> KnownProblemTemplate:
        text = self.text or self.title
        return KnownProblemTemplate(
            zones=self.zones, clusters=self.clusters, organisations=self.organisations,
            title={"en": self.title.en, "ru": self.title.ru}, text={"en": text.en, "ru": text.ru},
            next_update_minutes=self.next_update_minutes, estimate_minutes=self.estimate_minutes,
        )


class RuleSpec(YamlModel):
    name: str | None = None
    known_problem: KnownProblemSpec | None = None
    match: Annotated[MatchSpec, BeforeValidator(_empty_if_none)] = Field(
        default_factory=MatchSpec)
    sets: Annotated[SetSpec, BeforeValidator(_empty_if_none)] = Field(alias="set")


DEFAULT_SEVERITY_SPECS: dict[str, SeveritySpec] = {
    name: SeveritySpec(impact=None if "impact" not in values
                  else Impact(values["impact"]), urgency=Urgency(values["urgency"]))
    for name, values in DEFAULT_SEVERITY.items()
}


class MappingSpec(YamlModel):
    defaults: Annotated[SetSpec, BeforeValidator(_empty_if_none)] = Field(
        default_factory=SetSpec)
    severity: Annotated[dict[str, SeveritySpec], BeforeValidator(_empty_if_none)] = Field(
        default_factory=lambda: dict(DEFAULT_SEVERITY_SPECS))
    rules: Annotated[list[RuleSpec], BeforeValidator(lambda v: [] if v is None else v)] = Field(
        default_factory=list)


def _values(spec: SetSpec) -> FieldValues:
    return FieldValues(spec.service, spec.impact, spec.urgency)


def build_mapping(
    data: Any, known_services: Collection[str] | None = None
) -> tuple[FieldValues, dict[str, FieldValues], tuple[MappingRule, ...]] | list[KeyIssue]:
    """``(defaults, severity, rules)`` of the mapping ``data``, or its problems."""
    known = None if known_services is None else frozenset(known_services)
    try:
        spec = MappingSpec.model_validate({} if data is None else data,
                                          context={"services": known})
    except ValidationError as error:
        return issues_of(error, data, MappingSpec)
    rules = tuple(
        MappingRule(
            name=rule.name or f"rules[{i}]", sets=_values(rule.sets),
            sources=rule.match.source, senders=rule.match.sender,
            severities=rule.match.severity, labels=rule.match.labels,
            labels_regex=rule.match.labels_regex, host_regex=rule.match.host_regex,
            service_hints=rule.match.service_hint,
            known_problem=rule.known_problem.template() if rule.known_problem else None,
        )
        for i, rule in enumerate(spec.rules)
    )
    severity = {name.lower(): _values(s) for name, s in spec.severity.items()}
    return _values(spec.defaults), severity, rules
