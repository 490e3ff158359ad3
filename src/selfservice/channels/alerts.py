"""Monitoring webhooks -> :class:`AlertEvent` values, one per alert.

Two shapes are accepted (see ``integrations/zabbix/README.md`` for the second):

* **Alertmanager** webhook bodies, any ``version`` (Prometheus Alertmanager sends ``"4"``,
  Grafana-managed alerting ``"1"``, Alertmanager's exec notifier ``"1"``). Optional fields
  really are optional: ``truncatedAlerts``, per-alert ``status``, ``fingerprint`` and
  ``generatorURL`` may be missing; unknown fields are ignored.
* **Zabbix**: the flat object of string parameters our Zabbix media type posts.

Identity, which the intake uses to avoid duplicate tickets:

* ``dedup_key`` is one alert. For Alertmanager it is the alert's *label fingerprint*,
  computed here exactly as Alertmanager does (FNV-1a 64 over the sorted label pairs), so
  it equals the sender's ``fingerprint`` for real Alertmanager traffic, is there when the
  sender omits it, and matches firing and resolved notifications of the same label set
  whatever the sender put in ``fingerprint`` (kept in :attr:`AlertEvent.fingerprint`).
  For Zabbix it is the problem's ``event_id``: recovery and update operations carry the
  original problem's id.
* ``group_key`` is what one ticket follows: Alertmanager's ``groupKey`` (the same for
  every notification of a group), the problem ``event_id`` for Zabbix.
* ``delivery_id`` is a hash of the normalised event: a retried delivery of the same
  notification gets the same id, so storing it makes the intake idempotent. A repeat
  notification of an unchanged alert (Alertmanager's ``repeat_interval``) gets the same
  id too: it carries no news.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

__all__ = [
    "AlertEvent",
    "AlertPayloadError",
    "AlertSource",
    "AlertState",
    "alertmanager_events",
    "labels_fingerprint",
    "parse_alert_payload",
    "parse_rfc3339",
    "zabbix_events",
]


class AlertSource(StrEnum):
    ALERTMANAGER = "alertmanager"
    ZABBIX = "zabbix"


class AlertState(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"
    UPDATE = "update"
    """An acknowledgement or comment on an open problem (Zabbix update operations)."""


class AlertPayloadError(ValueError):
    """The body is not an alert payload we understand; ``path`` names the offending key."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class AlertEvent:
    source: AlertSource
    sender: str
    """Who produced it: ``alertmanager``, ``grafana`` or ``zabbix``."""
    dedup_key: str
    group_key: str
    state: AlertState
    title: str
    description: str
    severity: str
    """As the sender names it, lowercased (``warning``, ``critical``, ``high``, …); may be ""."""
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    """Only for resolved events: a firing alert's ``endsAt`` is a guess of the sender."""
    host: str | None = None
    service_hint: str | None = None
    comment: str | None = None
    comment_author: str | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    extras: Mapping[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    delivery_id: str = ""


# --- helpers --------------------------------------------------------------------------------

_ZERO_TIME = re.compile(r"^0001-01-01T00:00:00(?:\.0+)?(?:Z|[+-]00:00)?$")
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$"
)
_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = 0xFFFFFFFFFFFFFFFF


def parse_rfc3339(value: object) -> datetime | None:
    """An aware datetime, or None for missing, unparseable and Go's zero time."""
    if not isinstance(value, str) or not value.strip() or _ZERO_TIME.match(value.strip()):
        return None
    m = _RFC3339.match(value.strip())
    if not m:
        return None
    day, clock, frac, zone = m.groups()
    micro = (frac or "")[:6].ljust(6, "0")
    if not zone or zone in {"Z", "z"}:
        zone = "+00:00"
    elif ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return datetime.fromisoformat(f"{day}T{clock}.{micro}{zone}")
    except ValueError:
        return None


def labels_fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's fingerprint of a label set (model.LabelSet.Fingerprint) as 16 hex."""
    h = _FNV_OFFSET
    for name in sorted(labels):
        for chunk in (name.encode(), b"\xff", labels[name].encode(), b"\xff"):
            for byte in chunk:
                h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return f"{h:016x}"


def _str_map(value: object, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AlertPayloadError(path, "expected an object of strings")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _text(value: str) -> str:
    """Annotation text: a literal backslash-n written by a template becomes a newline."""
    return value.replace("\\r\\n", "\n").replace("\\n", "\n").strip()


def _host_from(labels: Mapping[str, str]) -> str | None:
    for key in ("host", "hostname", "nodename", "node", "instance", "server"):
        value = labels.get(key, "").strip()
        if not value:
            continue
        if value.startswith("["):  # [ipv6]:port
            return value[1:].split("]", 1)[0]
        if value.count(":") == 1 and value.rsplit(":", 1)[1].isdigit():
            return value.rsplit(":", 1)[0]
        return value
    return None


def _delivery_id(event: AlertEvent) -> str:
    canonical = {
        "source": event.source.value,
        "dedup": event.dedup_key,
        "group": event.group_key,
        "state": event.state.value,
        "title": event.title,
        "description": event.description,
        "severity": event.severity,
        "labels": dict(sorted(event.labels.items())),
        "starts_at": event.starts_at.isoformat() if event.starts_at else None,
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "comment": event.comment,
        "comment_author": event.comment_author,
    }
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def _finish(event: AlertEvent) -> AlertEvent:
    return replace(event, delivery_id=_delivery_id(event))


# --- Alertmanager / Grafana -----------------------------------------------------------------


def _first(keys: tuple[str, ...], *maps: Mapping[str, str]) -> str:
    for mapping in maps:
        for key in keys:
            value = mapping.get(key, "").strip()
            if value:
                return value
    return ""


def _am_links(
    alert: Mapping[str, Any], annotations: Mapping[str, str], body: Mapping[str, Any]
) -> dict[str, str]:
    links: dict[str, str] = {}
    pairs = {
        "source": alert.get("generatorURL"),
        "silence": alert.get("silenceURL"),
        "dashboard": alert.get("dashboardURL"),
        "panel": alert.get("panelURL"),
        "image": alert.get("imageURL"),
        "runbook": annotations.get("runbook_url") or annotations.get("runbook"),
        "alertmanager": body.get("externalURL"),
    }
    for name, value in pairs.items():
        if isinstance(value, str) and value.strip():
            links[name] = value.strip()
    return links


def _am_event(alert: Mapping[str, Any], body: Mapping[str, Any], i: int, sender: str) -> AlertEvent:
    path = f"alerts[{i}]"
    labels = _str_map(alert.get("labels"), f"{path}.labels")
    annotations = _str_map(alert.get("annotations"), f"{path}.annotations")
    common_ann = _str_map(body.get("commonAnnotations"), "commonAnnotations")
    common_labels = _str_map(body.get("commonLabels"), "commonLabels")
    status = str(alert.get("status") or body.get("status") or "firing").lower()
    state = AlertState.RESOLVED if status == "resolved" else AlertState.FIRING
    computed = labels_fingerprint(labels)
    given = alert.get("fingerprint")
    group = body.get("groupKey")
    if not isinstance(group, str) or not group:
        group_labels = _str_map(body.get("groupLabels"), "groupLabels")
        group = f"{body.get('receiver', '')}:{labels_fingerprint(group_labels)}"
    title = _first(("title", "summary"), annotations, common_ann) or _first(
        ("alertname",), labels, common_labels
    )
    extras: dict[str, str] = {}
    if isinstance(alert.get("values"), Mapping):
        extras["values"] = ", ".join(f"{k}={v}" for k, v in alert["values"].items())
    if body.get("orgId") is not None:
        extras["org_id"] = str(body["orgId"])
    if body.get("receiver"):
        extras["receiver"] = str(body["receiver"])
    return AlertEvent(
        source=AlertSource.ALERTMANAGER,
        sender=sender,
        dedup_key=f"alertmanager:{computed}",
        group_key=f"alertmanager:{group}",
        state=state,
        title=_text(title) or "Alert",
        description=_text(_first(("description", "message"), annotations, common_ann)),
        severity=_first(("severity",), labels, common_labels).lower(),
        labels=labels,
        annotations={k: _text(v) for k, v in annotations.items()},
        starts_at=parse_rfc3339(alert.get("startsAt")),
        ends_at=parse_rfc3339(alert.get("endsAt")) if state is AlertState.RESOLVED else None,
        host=_host_from(labels),
        service_hint=_first(("service", "job", "grafana_folder"), labels) or None,
        links=_am_links(alert, annotations, body),
        extras=extras,
        fingerprint=given if isinstance(given, str) and given else computed,
    )


def alertmanager_events(body: Mapping[str, Any]) -> list[AlertEvent]:
    """One event per alert of an Alertmanager (or Grafana) webhook body."""
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        raise AlertPayloadError("alerts", "expected a list of alerts")
    sender = "grafana" if "orgId" in body else "alertmanager"
    events: list[AlertEvent] = []
    for i, alert in enumerate(alerts):
        if not isinstance(alert, Mapping):
            raise AlertPayloadError(f"alerts[{i}]", "expected an object")
        events.append(_finish(_am_event(alert, body, i, sender)))
    return events


# --- Zabbix -----------------------------------------------------------------------------------

_MACRO = re.compile(r"^\{\??\$?[A-Z][A-Z0-9_.]*(?:\[[^\]]*\])?(?::[^{}]*)?\}$")
_ZBX_SEVERITY = {
    "0": "not_classified",
    "1": "information",
    "2": "warning",
    "3": "average",
    "4": "high",
    "5": "disaster",
}
_STATUS_PREFIX = re.compile(r"^\s*\[[A-Za-zА-Яа-я ]+\]\s*")
_HOST_LINE = re.compile(r"^\s*(?:Host|Узел сети|Узел|Хост)\s*:\s*(\S.*?)\s*$", re.M | re.I)
_ZBX_DATE = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})$")
_ZBX_TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2})$")
_OFFSET = re.compile(r"^(?:UTC|Z|([+-])(\d{2}):?(\d{2}))$", re.I)


def _zbx_value(params: Mapping[str, Any], name: str) -> str:
    """A parameter as a string; unresolved macros and ``*UNKNOWN*`` count as not set."""
    value = params.get(name)
    if value is None:
        return ""
    text = str(value).strip()
    if text == "*UNKNOWN*" or _MACRO.match(text):
        return ""
    return text


def _zbx_tags(params: Mapping[str, Any]) -> dict[str, str]:
    raw = _zbx_value(params, "event_tags_json") or _zbx_value(params, "event_tags")
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return {}
    tags: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("tag"):
            name, value = str(item["tag"]), str(item.get("value") or "")
            tags[name] = f"{tags[name]},{value}" if name in tags else value
    return tags


def _zbx_time(params: Mapping[str, Any], date_key: str, time_key: str) -> datetime | None:
    d = _ZBX_DATE.match(_zbx_value(params, date_key))
    t = _ZBX_TIME.match(_zbx_value(params, time_key))
    if not d or not t:
        return None
    tz: timezone = UTC
    offset = _OFFSET.match(_zbx_value(params, "timezone_offset") or "UTC")
    if offset and offset.group(1):
        minutes = int(offset.group(2)) * 60 + int(offset.group(3))
        tz = timezone(timedelta(minutes=-minutes if offset.group(1) == "-" else minutes))
    year, month, day = (int(x) for x in d.groups())
    hour, minute, second = (int(x) for x in t.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _zbx_state(params: Mapping[str, Any]) -> AlertState:
    if _zbx_value(params, "event_update_status") == "1":
        return AlertState.UPDATE
    value = _zbx_value(params, "event_value") or _zbx_value(params, "event_recovery_value")
    if value not in {"0", "1"}:
        raise AlertPayloadError("event_value", 'expected "1" (problem) or "0" (recovery)')
    return AlertState.RESOLVED if value == "0" else AlertState.FIRING


def zabbix_events(params: Mapping[str, Any]) -> list[AlertEvent]:
    """The single event described by our Zabbix media type's parameters."""
    event_id = _zbx_value(params, "event_id")
    if not event_id:
        raise AlertPayloadError("event_id", "missing (the {EVENT.ID} macro did not resolve)")
    state = _zbx_state(params)
    message = _zbx_value(params, "alert_message")
    subject = _STATUS_PREFIX.sub("", _zbx_value(params, "alert_subject"))
    title = _zbx_value(params, "event_name") or subject or f"Zabbix problem {event_id}"
    nseverity = _zbx_value(params, "event_nseverity")
    if state is AlertState.UPDATE and _zbx_value(params, "event_update_nseverity"):
        nseverity = _zbx_value(params, "event_update_nseverity")
    severity = _ZBX_SEVERITY.get(nseverity) or _zbx_value(params, "event_severity").lower()
    tags = _zbx_tags(params)
    host_line = _HOST_LINE.search(message)
    host = _zbx_value(params, "host_name") or (host_line.group(1) if host_line else None)
    url, trigger = _zbx_value(params, "zabbix_url").rstrip("/"), _zbx_value(params, "trigger_id")
    links = {"problem": f"{url}/tr_events.php?triggerid={trigger}&eventid={event_id}"}
    if not (url and trigger):
        links = {"zabbix": url} if url else {}
    extras = {
        key: _zbx_value(params, name)
        for key, name in (
            ("trigger_id", "trigger_id"),
            ("event_source", "event_source"),
            ("update_action", "event_update_action"),
            ("severity_name", "event_severity"),
            ("host_ip", "host_ip"),
        )
        if _zbx_value(params, name)
    }
    is_update = state is AlertState.UPDATE
    event = AlertEvent(
        source=AlertSource.ZABBIX,
        sender="zabbix",
        dedup_key=f"zabbix:{event_id}",
        group_key=f"zabbix:{event_id}",
        state=state,
        title=title,
        description="\n".join(p for p in (_zbx_value(params, "trigger_description"), message) if p),
        severity=severity,
        labels=tags,
        starts_at=_zbx_time(params, "event_date", "event_time"),
        ends_at=_zbx_time(params, "event_recovery_date", "event_recovery_time")
        if state is AlertState.RESOLVED
        else None,
        host=host or None,
        service_hint=tags.get("service") or None,
        comment=(_zbx_value(params, "event_update_message") or None) if is_update else None,
        comment_author=(_zbx_value(params, "event_update_user") or None) if is_update else None,
        links=links,
        extras=extras,
        fingerprint=event_id,
    )
    return [_finish(event)]


# --- entry point ------------------------------------------------------------------------------


def parse_alert_payload(payload: object) -> list[AlertEvent]:
    """Normalise a decoded JSON body of either shape; :class:`AlertPayloadError` otherwise."""
    if not isinstance(payload, Mapping):
        raise AlertPayloadError("", "expected a JSON object")
    if "alerts" in payload:
        return alertmanager_events(payload)
    if "event_id" in payload:
        return zabbix_events(payload)
    raise AlertPayloadError(
        "", "neither an Alertmanager body (no 'alerts') nor a Zabbix one (no 'event_id')"
    )
