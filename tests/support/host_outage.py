"""A host outage as Alertmanager posts it, and an alert mapping that makes it
customer-visible: shared by the known-problem tests (API and browser)."""

from datetime import datetime, timedelta
from typing import Any

#: ``completed_by`` is filled in by the test (an engineer of its database).
MAPPING = """\
completed_by: {engineer}
rules:
  - name: hypervisor down
    match: {{labels: {{alertname: HypervisorDown}}}}
    set: {{service: compute, impact: significant, urgency: very_high}}
    known_problem:
      zones: ["{{zone}}"]
      title:
        en: "VMs in zone {{zone}} are not responding"
        ru: "Виртуальные машины в зоне {{zone}} не отвечают"
      text:
        en: "A hypervisor host in zone {{zone}} is down; the VMs on it do not respond."
        ru: "Отказал хост виртуализации в зоне {{zone}}; его виртуальные машины не отвечают."
      next_update_minutes: 30
  - name: disks
    match: {{labels: {{alertname: DiskAlmostFull}}}}
    set: {{service: compute}}
"""


def mapping(engineer: str) -> str:
    return MAPPING.format(engineer=engineer)


def host_outage(status: str, *, zone: str, host: str, starts_at: datetime,
                alertname: str = "HypervisorDown") -> dict[str, Any]:
    """One alert of one group; ``status`` firing or resolved."""
    labels = {"alertname": alertname, "instance": host, "zone": zone, "severity": "critical",
              "job": "node"}
    ends = starts_at + timedelta(minutes=40) if status == "resolved" else None
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{alertname}",instance="{host}",zone="{zone}"}}',
        "truncatedAlerts": 0, "status": status, "receiver": "selfservice",
        "groupLabels": {"alertname": alertname, "zone": zone}, "commonLabels": labels,
        "commonAnnotations": {"summary": f"Hypervisor {host} is down"},
        "externalURL": "http://alertmanager.provider.example:9093",
        "alerts": [{
            "status": status, "labels": labels,
            "annotations": {"summary": f"Hypervisor {host} is down",
                            "description": f"{host} in {zone} does not answer"},
            "startsAt": starts_at.isoformat(),
            "endsAt": ends.isoformat() if ends else "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.provider.example:9090/graph",
            "fingerprint": f"fp-{alertname}-{host}".lower(),
        }],
    }
