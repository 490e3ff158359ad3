"""Monitoring webhooks: Alertmanager (and Grafana) and Zabbix post alerts here.

Each monitoring system has its own bearer token (``selfservice alert-source add``) that
works on its own endpoint only. Thin: authenticate, parse the body
(``channels.alerts``), hand the events to ``services.alert_intake`` in the thread pool,
answer 202 with what happened to each alert. The intake (alert mapping, classifier) is
built on the first request and kept on the application's state.
"""

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.channels.alerts import (
    AlertEvent,
    AlertPayloadError,
    alertmanager_events,
    zabbix_events,
)
from selfservice.config.alert_config import load_alert_config
from selfservice.services import alert_sources
from selfservice.services.alert_intake import AlertIntake
from selfservice.web.backend import backend_of
from selfservice.web.errors import ApiError
from selfservice.web.idempotency import identify
from selfservice.web.identity import bearer_token
from selfservice.web.inputs import decode_json
from selfservice.web.state import state_of

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="alerts"'}


async def alertmanager(request: Request) -> JSONResponse:
    """
    summary: Receive an Alertmanager or Grafana webhook notification
    description: >
      The standard webhook body (any version), with the alert source's token as
      `Authorization: Bearer`. A firing alert opens an incident, or goes to the open
      ticket of the same alert or group; a resolved alert is recorded on its ticket.
      A retried notification is recognised and not applied again.
    security: [{alertToken: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [alerts]
            properties:
              groupKey: {description: "a string; anything else is ignored (groupLabels then
                           group the alerts)"}
              status: {description: "firing or resolved; each alert's own status comes first"}
              alerts: {type: array, items: {type: object}}
    responses:
      202: {$ref: "#/components/responses/AlertsApplied"}
    errors: [400, 401, 403, 413, 503]
    """
    return await _receive(request, "alertmanager")


async def zabbix(request: Request) -> JSONResponse:
    """
    summary: Receive a Zabbix problem, recovery or update (our media type)
    description: >
      The parameters of integrations/zabbix/selfservice_media_type.js (all strings;
      numbers are taken as their text, as Zabbix versions differ),
      with the alert source's token as `Authorization: Bearer`. event_value "1" opens
      or updates the ticket of event_id, "0" records the recovery on it, and
      event_update_status "1" adds the acknowledgement or comment.
    security: [{alertToken: []}]
    requestBody:
      required: true
      content:
        application/json:
          schema:
            type: object
            required: [event_id, event_value]
            properties:
              event_id: {description: "{EVENT.ID}; a number is taken as its text"}
              event_value: {enum: ["0", "1", 0, 1]}
              event_update_status: {description: '"1" for an update; a number is taken
                                      as its text'}
    responses:
      202: {$ref: "#/components/responses/AlertsApplied"}
    errors: [400, 401, 403, 413, 503]
    """
    return await _receive(request, "zabbix")


async def _receive(request: Request, kind: str) -> JSONResponse:
    backend = backend_of(request)
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "alert_token_missing", headers=_CHALLENGE)
    source = await run_in_threadpool(alert_sources.authenticate, backend.engine, token=token)
    if source is None:
        raise ApiError(401, "alert_token_invalid", headers=_CHALLENGE)
    if source.kind != kind:
        raise ApiError(403, "alert_source_wrong_kind", kind=source.kind)
    await identify(f"alert-source:{source.id}")
    events = _events(await _json(request), kind)
    intake = _intake(request)
    now = state_of(request)["clock"]()
    result = await run_in_threadpool(intake.receive, source, events, now=now)
    tickets = result.tickets
    return JSONResponse(
        {"tickets": tickets, "ticket": tickets[0] if tickets else None,
         "outcomes": [o.as_json() for o in result.outcomes]},
        status_code=202,
    )


async def _json(request: Request) -> Any:
    return decode_json(await request.body())


def _events(payload: Any, kind: str) -> list[AlertEvent]:
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_alert_payload", detail="expected a JSON object")
    try:
        return alertmanager_events(payload) if kind == "alertmanager" else zabbix_events(payload)
    except AlertPayloadError as error:
        raise ApiError(400, "invalid_alert_payload", field=error.path or None,
                       detail=error.message) from None


def _intake(request: Request) -> AlertIntake:
    """The app's alert intake, built on first use from the settings and the backend."""
    app_state = request.app.state
    intake: AlertIntake | None = getattr(app_state, "alert_intake", None)
    if intake is None:
        state = state_of(request)
        backend = backend_of(request)
        content = state["content"]
        path = state["settings"].alert_mapping
        # An operator's file must name known services; with the built-in one a service
        # this knowledge base lacks falls back to the classifier's guess.
        alerts = load_alert_config(path, known_services=content.services if path else None)
        intake = AlertIntake(backend.engine, config=backend.config, content=content,
                             alerts=alerts, classifier=backend.classifier)
        app_state.alert_intake = intake
    return intake

