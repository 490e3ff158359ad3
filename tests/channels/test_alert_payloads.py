"""Every payload of ../shared/eval/alerts normalised, and the identities across files."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from selfservice.channels.alerts import (
    AlertEvent,
    AlertPayloadError,
    AlertSource,
    AlertState,
    labels_fingerprint,
    parse_alert_payload,
    parse_rfc3339,
)

Load = Callable[[str], Any]
FILES = [
    "am-msteams-2-alerts.json",
    "am-msteams-3-alerts-fingerprints.json",
    "am-msteams-no-common-annotations.json",
    "am-msteams-single-firing.json",
    "am-pr4561-exec-compact.json",
    "ours-am-resolved.json",
    "ours-grafana-mixed.json",
    "ours-zabbix-problem.json",
    "ours-zabbix-recovery.json",
    "ours-zabbix-update.json",
]
MEMORY_GROUP = 'alertmanager:{}:{alertname="high_memory_load"}'


def events(load: Load, name: str) -> list[AlertEvent]:
    return parse_alert_payload(load(name))


def test_the_file_list_is_complete(alerts_dir: Path) -> None:
    assert sorted(p.name for p in alerts_dir.glob("*.json")) == FILES


@pytest.mark.parametrize(
    ("name", "states"),
    [
        ("am-msteams-2-alerts.json", ["firing", "firing"]),
        ("am-msteams-3-alerts-fingerprints.json", ["firing", "firing", "firing"]),
        ("am-msteams-no-common-annotations.json", ["firing"]),
        ("am-msteams-single-firing.json", ["firing"]),
        ("am-pr4561-exec-compact.json", ["firing"]),
        ("ours-am-resolved.json", ["resolved"]),
        ("ours-grafana-mixed.json", ["firing", "resolved"]),
        ("ours-zabbix-problem.json", ["firing"]),
        ("ours-zabbix-recovery.json", ["resolved"]),
        ("ours-zabbix-update.json", ["update"]),
    ],
)
def test_states(load_alert: Load, name: str, states: list[str]) -> None:
    found = events(load_alert, name)
    assert [e.state.value for e in found] == states
    again = events(load_alert, name)  # a retried delivery: the same ids
    assert [e.delivery_id for e in found] == [e.delivery_id for e in again]
    for event in found:
        assert event.title and event.dedup_key and event.group_key
        assert len(event.delivery_id) == 32


def test_single_firing_old_alertmanager_shape(load_alert: Load) -> None:
    (event,) = events(load_alert, "am-msteams-single-firing.json")
    assert event.source is AlertSource.ALERTMANAGER and event.sender == "alertmanager"
    assert event.group_key == MEMORY_GROUP
    labels = {
        "alertname": "high_memory_load",
        "instance": "instance-with-hyphen_and_underscore",
        "job": "docker_nodes",
        "monitor": "master",
        "severity": "warning",
    }
    assert event.labels == labels
    assert event.dedup_key == f"alertmanager:{labels_fingerprint(labels)}"
    assert event.fingerprint == labels_fingerprint(labels)  # none sent: computed
    assert event.title == "Server High Memory usage"  # the alert's own summary wins
    assert event.description == "10.80.40.11 reported high memory usage with 23.28%."
    assert event.severity == "warning"
    assert event.host == "instance-with-hyphen_and_underscore"
    assert event.starts_at == datetime(
        2018, 3, 7, 6, 33, 21, 873077, tzinfo=timezone(timedelta(hours=-5))
    )
    assert event.ends_at is None  # 0001-01-01T00:00:00Z means "none"


def test_resolved_file_maps_to_the_single_firing_alert(load_alert: Load) -> None:
    (firing,) = events(load_alert, "am-msteams-single-firing.json")
    (resolved,) = events(load_alert, "ours-am-resolved.json")
    assert resolved.state is AlertState.RESOLVED
    assert (resolved.group_key, resolved.dedup_key) == (firing.group_key, firing.dedup_key)
    assert resolved.fingerprint == "5f2c0b9e7a1d4c83"  # what the sender said is kept
    assert resolved.ends_at == datetime(
        2018, 3, 7, 7, 18, 21, 873077, tzinfo=timezone(timedelta(hours=-5))
    )
    assert resolved.delivery_id != firing.delivery_id
    assert resolved.links["source"].startswith("http://prometheus.example.org:9090/graph")


def test_second_notification_of_the_open_group(load_alert: Load) -> None:
    (first,) = events(load_alert, "am-msteams-single-firing.json")
    two = events(load_alert, "am-msteams-2-alerts.json")
    assert {e.group_key for e in two} == {first.group_key}
    assert len({e.dedup_key for e in two}) == 2
    assert [e.labels["alertname"] for e in two] == ["high_memory_load", "high_memory_load2"]
    assert [e.severity for e in two] == ["warning", "warning"]  # from commonLabels


def test_empty_common_annotations_title_from_the_alert(load_alert: Load) -> None:
    (event,) = events(load_alert, "am-msteams-no-common-annotations.json")
    (single,) = events(load_alert, "am-msteams-single-firing.json")
    assert event.title == "Server High Memory usage"
    assert event.group_key == MEMORY_GROUP
    # The same alert as in the single-firing file: a repeat, recognised as such.
    assert (event.dedup_key, event.delivery_id) == (single.dedup_key, single.delivery_id)


def test_three_alerts_with_fingerprints_and_slashes(load_alert: Load) -> None:
    found = events(load_alert, "am-msteams-3-alerts-fingerprints.json")
    fingerprints = ["ff6a7a0f5f1c1309", "554664fa753a2b45", "911c76f0240f015b"]
    assert [e.fingerprint for e in found] == fingerprints
    assert len({e.dedup_key for e in found}) == 3
    assert {e.group_key for e in found} == {
        'alertmanager:{}/{namespace="whatever/promstack"}:{alertname="JustATestAlert_1"}'
    }
    assert [e.labels["name"] for e in found] == ["grafana", "nginx", "prometheus"]
    assert all(e.title == "Memory: Relativ memory usage low" for e in found)
    assert all(not e.description.endswith("\\n") for e in found)  # literal \n cleaned
    assert all(e.severity == "info" for e in found)
    assert "name_space" not in found[0].labels  # commonLabels oddity not merged in
    assert found[0].links["source"].startswith("https://domain.com/promstack/prometheus/graph")


def test_compact_exec_body_with_unknown_version(load_alert: Load) -> None:
    (event,) = events(load_alert, "am-pr4561-exec-compact.json")
    # Alertmanager's own fingerprint equals ours: the algorithm is the same.
    assert event.fingerprint == "4ea129fd903f0e45"
    assert event.dedup_key == "alertmanager:4ea129fd903f0e45"
    assert event.group_key == "alertmanager:1"
    assert event.title == "Alert"  # no annotations, no alertname
    assert event.starts_at == datetime(1970, 1, 1, tzinfo=UTC)
    assert "receiver" not in event.extras  # empty receiver


def test_grafana_group_firing_with_one_resolved_alert(load_alert: Load) -> None:
    firing, resolved = events(load_alert, "ours-grafana-mixed.json")
    assert {firing.sender, resolved.sender} == {"grafana"}
    assert (firing.state, resolved.state) == (AlertState.FIRING, AlertState.RESOLVED)
    assert firing.title == "Диск почти заполнен"
    assert firing.description == "Свободно менее 5% на /var/lib/ceph на stor-03"
    assert (firing.host, resolved.host) == ("stor-03", "stor-01")
    assert firing.severity == "critical"
    assert firing.extras["values"] == "A=96.4, C=1" and firing.extras["org_id"] == "1"
    assert set(firing.links) >= {"source", "silence", "dashboard", "panel", "runbook"}
    assert "dashboard" not in resolved.links  # "" means absent
    assert resolved.ends_at == datetime(2025, 3, 4, 7, 10, tzinfo=UTC)
    assert firing.ends_at is None
    assert firing.group_key == resolved.group_key != firing.dedup_key


def test_zabbix_problem_recovery_update(load_alert: Load) -> None:
    (problem,) = events(load_alert, "ours-zabbix-problem.json")
    (recovery,) = events(load_alert, "ours-zabbix-recovery.json")
    (update,) = events(load_alert, "ours-zabbix-update.json")
    assert {e.dedup_key for e in (problem, recovery, update)} == {"zabbix:4242"}
    assert {e.group_key for e in (problem, recovery, update)} == {"zabbix:4242"}
    assert len({e.delivery_id for e in (problem, recovery, update)}) == 3
    assert problem.source is AlertSource.ZABBIX and problem.sender == "zabbix"
    assert problem.title == "High CPU utilization on web-01"
    assert problem.severity == "high"
    assert problem.host == "web-01"
    assert problem.labels == {"service": "vm", "scope": "performance", "client": "acme"}
    assert problem.service_hint == "vm"
    assert problem.links == {
        "problem": "https://zabbix.example.org/tr_events.php?triggerid=23817&eventid=4242"
    }
    # Unresolved {EVENT.UPDATE.*} macros count as empty.
    assert problem.comment is None and problem.comment_author is None
    assert "update_action" not in problem.extras
    assert update.state is AlertState.UPDATE
    assert update.comment == "Смотрим, похоже на бэкап."
    assert update.comment_author == "Ivan Petrov"
    assert update.extras["update_action"] == "acknowledged and commented"
    assert recovery.comment is None


# --- edge cases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
        ("not a time", None),
        ("2020-10-11T14:34:11.279383004Z", datetime(2020, 10, 11, 14, 34, 11, 279383, tzinfo=UTC)),
        ("2025-03-04T10:15:00+0300", datetime(2025, 3, 4, 7, 15, tzinfo=UTC)),
        ("2025-03-04T10:15:00", datetime(2025, 3, 4, 10, 15, tzinfo=UTC)),
    ],
)
def test_parse_rfc3339(value: Any, expected: datetime | None) -> None:
    assert parse_rfc3339(value) == expected


def test_missing_per_alert_status_falls_back_to_the_group() -> None:
    body = {"status": "resolved", "alerts": [{"labels": {"alertname": "x"}}]}
    (event,) = parse_alert_payload(body)
    assert event.state is AlertState.RESOLVED
    assert event.group_key.startswith("alertmanager:")  # no groupKey: derived, stable
    assert event.group_key == parse_alert_payload(body)[0].group_key


def test_unknown_fields_are_ignored() -> None:
    body = {
        "version": "5",
        "notification_reason": "new alerts added",
        "routeLabels": {"a": "b"},
        "alerts": [{"labels": {"alertname": "x"}, "something": [1, 2]}],
    }
    assert len(parse_alert_payload(body)) == 1


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ([], ""),
        ({"hello": 1}, ""),
        ({"alerts": {}}, "alerts"),
        ({"alerts": ["x"]}, "alerts[0]"),
        ({"alerts": [{"labels": ["a"]}]}, "alerts[0].labels"),
        ({"event_id": "{EVENT.ID}", "event_value": "1"}, "event_id"),
        ({"event_id": "1", "event_value": "2"}, "event_value"),
    ],
)
def test_payload_errors_name_the_key(payload: Any, path: str) -> None:
    with pytest.raises(AlertPayloadError) as info:
        parse_alert_payload(payload)
    assert info.value.path == path


def test_zabbix_unknown_values_tags_and_times() -> None:
    (event,) = parse_alert_payload(
        {
            "event_id": "7",
            "event_value": "0",
            "event_nseverity": "*UNKNOWN*",
            "event_severity": "Warning",
            "event_tags": "not json",
            "host_name": "db-01",
            "event_date": "2025.03.04",
            "event_time": "10:15:02",
            "event_recovery_date": "2025.03.04",
            "event_recovery_time": "10:57:12",
            "timezone_offset": "+03:00",
            "zabbix_url": "{$ZABBIX.URL}",
        }
    )
    assert event.state is AlertState.RESOLVED
    assert event.severity == "warning"
    assert event.labels == {}
    assert event.host == "db-01"
    assert event.title == "Zabbix problem 7"
    assert event.links == {}
    assert event.starts_at == datetime(2025, 3, 4, 7, 15, 2, tzinfo=UTC)
    assert event.ends_at == datetime(2025, 3, 4, 7, 57, 12, tzinfo=UTC)
