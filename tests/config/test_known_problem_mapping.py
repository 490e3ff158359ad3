"""The alert mapping's ``known_problem``: which alerts are customer-visible and what they
affect, filled from the alert's labels; checked at load with FILE:LINE."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.host_outage import host_outage, mapping

from selfservice.channels.alerts import parse_alert_payload
from selfservice.config.alert_config import DEFAULT_PATH, AlertConfigError, load_alert_config

SERVICES = ["compute", "storage"]


def test_a_customer_visible_rule_fills_its_texts_from_the_labels(tmp_path: Path) -> None:
    file = tmp_path / "alerts.yml"
    file.write_text(mapping("noc@support.example"), encoding="utf-8")
    config = load_alert_config(file, known_services=SERVICES)
    started = datetime(2026, 12, 7, 10, 42, tzinfo=UTC)
    [event] = parse_alert_payload(host_outage("firing", zone="ru-1b", host="hv-17",
                                              starts_at=started))
    draft = config.mapping.decide(event).known_problem
    assert draft is not None and draft.rule == "hypervisor down"
    assert draft.zones == ("ru-1b",) and draft.organisations == ()
    assert draft.title == {"en": "VMs in zone ru-1b are not responding",
                           "ru": "Виртуальные машины в зоне ru-1b не отвечают"}
    assert draft.next_update_minutes == 30 and draft.estimate_minutes is None
    [disk] = parse_alert_payload(host_outage("firing", zone="ru-1b", host="hv-3",
                                             starts_at=started, alertname="DiskAlmostFull"))
    assert config.mapping.decide(disk).known_problem is None  # never told to customers


def test_the_default_mapping_tells_customers_nothing() -> None:
    assert not load_alert_config(DEFAULT_PATH).mapping.customer_visible


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("rules:\n  - set: {service: compute}\n    known_problem:\n      zones: [ru-1]\n"
     "      title: {en: Down}\n", 5, "rules[0].known_problem.title.ru: missing"),
    ("completed_by: noc@support.example\nrules:\n  - set: {service: compute}\n"
     "    known_problem:\n      zones: 7\n      title: {en: A, ru: Б}\n", 5,
     "rules[0].known_problem.zones: must be a string or a list of strings"),
    ("completed_by: noc@support.example\nrules:\n  - set: {service: compute}\n"
     "    known_problem:\n      title: {en: A, ru: Б}\n      next_update_minutes: 1\n", 6,
     "rules[0].known_problem.next_update_minutes"),
    ("rules:\n  - set: {service: compute}\n    known_problem:\n      title: {en: A, ru: Б}\n",
     1, "completed_by: rules with known_problem need completed_by"),
])
def test_mistakes_are_reported_at_their_line(tmp_path: Path, text: str, line: int,
                                             problem: str) -> None:
    file = tmp_path / "alerts.yml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(AlertConfigError) as error:
        load_alert_config(file, known_services=SERVICES)
    assert f"{file}:{line}: {problem}" in str(error.value), str(error.value)
