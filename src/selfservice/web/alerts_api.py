"""Monitoring webhooks: Alertmanager (and Grafana) and Zabbix post alerts here.

Each monitoring system has its own bearer token (``selfservice alert-source add``) that
works on its own endpoint only (``auth.py``). Thin: parse the body (``channels.alerts``),
hand the events to ``services.alert_intake`` in the thread pool, answer 202 with what
happened to each alert. The intake (alert mapping, classifier) is
built on the first request and kept on the application's state.
"""

from typing import Any

from selfservice.channels.alerts import (
    AlertEvent,
    AlertPayloadError,
    alertmanager_events,
    zabbix_events,
)
from selfservice.config.alert_config import load_alert_config
from selfservice.services.alert_intake import AlertIntake
from selfservice.web.auth import AlertCaller
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.inputs import decode_json


async def alertmanager(call: Call[None, None]) -> dict[str, Any]:
    """Receive an Alertmanager or Grafana webhook notification

    The standard webhook body (any version), with the alert source's token as
    `Authorization: Bearer`. A firing alert opens an incident, or goes to the open
    ticket of the same alert or group; a resolved alert is recorded on its ticket.
    A retried notification is recognised and not applied again.
    """
    return await _receive(call, "alertmanager")


async def zabbix(call: Call[None, None]) -> dict[str, Any]:
    """Receive a Zabbix problem, recovery or update (our media type)

    The parameters of integrations/zabbix/selfservice_media_type.js (all strings;
    numbers are taken as their text, as Zabbix versions differ),
    with the alert source's token as `Authorization: Bearer`. event_value "1" opens
    or updates the ticket of event_id, "0" records the recovery on it, and
    event_update_status "1" adds the acknowledgement or comment.
    """
    return await _receive(call, "zabbix")


async def _receive(call: Call[None, None], kind: str) -> dict[str, Any]:
    """The body is read by ``channels.alerts``, the one reader of alert payloads (a model
    here would refuse what Alertmanager's many versions send)."""
    caller = call.user
    assert isinstance(caller, AlertCaller)
    events = _events(decode_json(await call.request.body()), kind)
    intake = _intake(call)
    result = await call.run_blocking(intake.receive, caller.source, events, now=call.now())
    tickets = result.tickets
    return {"tickets": tickets, "ticket": tickets[0] if tickets else None,
            "outcomes": [o.as_json() for o in result.outcomes]}


def _events(payload: Any, kind: str) -> list[AlertEvent]:
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_alert_payload", detail="expected a JSON object")
    try:
        return alertmanager_events(payload) if kind == "alertmanager" else zabbix_events(payload)
    except AlertPayloadError as error:
        raise ApiError(400, "invalid_alert_payload", field=error.path or None,
                       detail=error.message) from None


def _intake(call: Call[None, None]) -> AlertIntake:
    """The app's alert intake, built on first use from the settings and the backend."""
    app_state = call.request.app.state
    intake: AlertIntake | None = getattr(app_state, "alert_intake", None)
    if intake is None:
        backend, content = call.backend, call.state["content"]
        path = call.state["settings"].alert_mapping
        # An operator's file must name known services; with the built-in one a service
        # this knowledge base lacks falls back to the classifier's guess.
        alerts = load_alert_config(path, known_services=content.services if path else None)
        intake = AlertIntake(backend.engine, config=backend.config, content=content,
                             alerts=alerts, classifier=backend.classifier)
        app_state.alert_intake = intake
    return intake
