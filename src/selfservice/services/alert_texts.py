"""The texts an alert puts on its ticket: the subject, "since when", the description."""

from datetime import UTC

from selfservice.channels.alert_mapping import AlertDecision
from selfservice.channels.alerts import AlertEvent
from selfservice.services.alert_sources import SourceInfo


def headline(event: AlertEvent) -> str:
    host = f" on {event.host}" if event.host and event.host not in event.title else ""
    return f"{event.title}{host}"[:300]


def since(event: AlertEvent) -> str:
    if event.starts_at is None:
        return ""
    return f" (since {event.starts_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"


def describe(event: AlertEvent, decision: AlertDecision, source: SourceInfo,
              service: str) -> str:
    lines = [event.description or event.title, ""]
    lines.append(f"Source: {source.name} ({event.sender})")
    if event.host:
        lines.append(f"Host: {event.host}")
    if event.severity:
        lines.append(f"Severity: {event.severity}")
    if event.starts_at:
        lines.append(f"Started: {event.starts_at.isoformat()}")
    if event.labels:
        labels = ", ".join(f"{k}={v}" for k, v in sorted(event.labels.items()))
        lines.append(f"Labels: {labels}")
    lines.extend(f"Link ({name}): {url}" for name, url in sorted(event.links.items()))
    lines.extend(f"{name.replace('_', ' ').capitalize()}: {value}"
                 for name, value in sorted(event.extras.items()))
    reasons = "; ".join(f"{k} from {v}" for k, v in sorted(decision.reasons.items()))
    lines.append(f"Mapping: service {service}, impact {decision.impact.value}, urgency "
                 f"{decision.urgency.value} ({reasons})")
    lines.append(f"Alert: {event.dedup_key} (group {event.group_key})")
    return "\n".join(lines).strip()

