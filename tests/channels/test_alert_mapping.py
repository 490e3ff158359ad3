"""AlertMapping: decisions over the sample payloads, and validation with key paths."""

from collections.abc import Callable
from typing import Any

import pytest

from selfservice.channels.alert_mapping import AlertMapping, AlertMappingError
from selfservice.channels.alerts import AlertEvent, parse_alert_payload
from selfservice.domain.enums import Impact, Urgency

Load = Callable[[str], Any]
SERVICES = ["compute", "storage", "network", "backup"]

CONFIG: dict[str, Any] = {
    "defaults": {"service": "compute", "impact": "low", "urgency": "medium"},
    "rules": [
        {
            "name": "storage cluster",
            "match": {"sender": "grafana", "labels": {"grafana_folder": "Storage"}},
            "set": {"service": "storage", "impact": "high"},
        },
        {
            "name": "disasters",
            "match": {"severity": ["disaster", "critical"]},
            "set": {"urgency": "very_high"},
        },
        {
            "name": "zabbix vm tag",
            "match": {"source": "zabbix", "labels": {"service": ["vm", "kvm"], "client": "*"}},
            "set": {"service": "compute", "impact": "medium"},
        },
        {
            "name": "stor hosts",
            "match": {"host_regex": "^stor-", "labels_regex": {"alertname": "Disk.*"}},
            "set": {"service": "network", "urgency": "low"},  # shadowed by the rules above
        },
    ],
}


def one(load: Load, name: str, index: int = 0) -> AlertEvent:
    return parse_alert_payload(load(name))[index]


@pytest.fixture
def mapping() -> AlertMapping:
    return AlertMapping.from_dict(CONFIG, known_services=SERVICES)


def test_first_matching_rule_per_field(load_alert: Load, mapping: AlertMapping) -> None:
    decision = mapping.decide(one(load_alert, "ours-grafana-mixed.json"))
    assert (decision.service, decision.impact, decision.urgency) == (
        "storage",
        Impact.HIGH,
        Urgency.VERY_HIGH,
    )
    assert decision.reasons == {
        "service": "rule 'storage cluster'",
        "impact": "rule 'storage cluster'",
        "urgency": "rule 'disasters'",
    }


def test_zabbix_tags_and_the_severity_table(load_alert: Load, mapping: AlertMapping) -> None:
    decision = mapping.decide(one(load_alert, "ours-zabbix-problem.json"))
    assert (decision.service, decision.impact, decision.urgency) == (
        "compute",
        Impact.MEDIUM,
        Urgency.HIGH,  # built-in severity table: Zabbix "high" -> high urgency
    )
    assert decision.reasons["urgency"] == "severity 'high'"


def test_defaults_when_nothing_matches(load_alert: Load, mapping: AlertMapping) -> None:
    decision = mapping.decide(one(load_alert, "am-pr4561-exec-compact.json"))
    assert (decision.service, decision.impact, decision.urgency) == (
        "compute",
        Impact.LOW,
        Urgency.MEDIUM,
    )
    assert set(decision.reasons.values()) == {"defaults"}


def test_own_severity_table_replaces_the_builtin(load_alert: Load) -> None:
    mapping = AlertMapping.from_dict({"severity": {"warning": {"urgency": "low"}}})
    decision = mapping.decide(one(load_alert, "am-msteams-single-firing.json"))
    assert decision.urgency is Urgency.LOW and decision.service is None
    decision = mapping.decide(one(load_alert, "ours-zabbix-problem.json"))
    assert decision.urgency is Urgency.MEDIUM  # "high" is not in the own table


def test_empty_config_is_valid() -> None:
    assert AlertMapping.from_dict(None).rules == ()
    assert AlertMapping.from_dict({}).defaults.service is None


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"rule": []},
         "rule: unknown key (did you mean 'rules'?); expected one of defaults, severity, rules"),
        ({"rules": {}}, "rules: must be a list"),
        ({"rules": ["x"]}, "rules[0]: must be a mapping"),
        ({"rules": [{"match": {}}]}, "rules[0].set: missing"),
        ({"rules": [{"set": {"urgency": "urgent"}}]},
         "rules[0].set.urgency: 'urgent' is not one of very_high, high, medium, low, none"),
        ({"rules": [{"set": {"service": "mainframe"}}]},
         "rules[0].set.service: unknown service 'mainframe'"),
        ({"rules": [{"set": {}, "match": {"severity": 5}}]},
         "rules[0].match.severity: must be a string or a list of strings"),
        ({"rules": [{"set": {}, "match": {"source": "nagios"}}]},
         "rules[0].match.source: 'nagios' is not one of alertmanager, zabbix"),
        ({"rules": [{"set": {}, "match": {"labels_regex": {"a": "("}}}]},
         "rules[0].match.labels_regex.a: invalid regular expression"),
        ({"rules": [{"set": {}, "match": {"colour": "red"}}]},
         "rules[0].match.colour: unknown key"),
        ({"defaults": {"impact": "huge"}}, "defaults.impact: 'huge' is not one of"),
        ({"severity": {"critical": {"service": "storage"}}},
         "severity.critical.service: set the service in rules"),
        ({"severity": []}, "severity: must be a mapping"),
    ],
)  # fmt: skip
def test_validation_names_the_key_path(config: dict[str, Any], error: str) -> None:
    with pytest.raises(AlertMappingError) as info:
        AlertMapping.from_dict(config, known_services=SERVICES)
    assert any(e.startswith(error) for e in info.value.errors), info.value.errors


def test_every_problem_is_reported_at_once() -> None:
    config = {"defaults": {"urgency": "x"}, "rules": [{"set": {"impact": "y"}}, {"match": {}}]}
    with pytest.raises(AlertMappingError) as info:
        AlertMapping.from_dict(config)
    assert len(info.value.errors) == 3
    assert "defaults.urgency" in str(info.value)


def test_unknown_services_are_fine_without_a_service_list() -> None:
    mapping = AlertMapping.from_dict({"defaults": {"service": "anything"}})
    assert mapping.defaults.service == "anything"
