"""The route table of the HTTP API, in one place.

Public and rate-limited: everything under ``/api/v1`` except
``/api/v1/engineer/``, which is reserved for the engineers' API (token-authenticated,
with its own limits), and ``/api/v1/alerts/``, the monitoring webhooks (each authenticated
by its alert source's token). ``/healthz`` sits outside the API prefix for load balancers.
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from selfservice.web import (
    alerts_api,
    conversation_api,
    desk_api,
    engineer_api,
    feedback_api,
    kb_api,
    search_api,
    system_api,
    tickets_api,
    widget_routes,
)
from selfservice.web.urls import API_PREFIX

ENGINEER_PREFIX = f"{API_PREFIX}/engineer/"
#: Monitoring webhooks: token-authenticated machines, not under the public per-IP limit.
ALERTS_PREFIX = f"{API_PREFIX}/alerts/"


Endpoint = Callable[[Request], Awaitable[Response]]


def _api(path: str, endpoint: Endpoint, name: str, method: str = "GET") -> Route:
    return Route(f"{API_PREFIX}{path}", endpoint, methods=[method], name=name)


def public_routes() -> list[BaseRoute]:
    return [
        _api("/search", search_api.search, "search"),
        _api("/suggest", search_api.suggest, "suggest"),
        _api("/articles/{id}", kb_api.get_article, "article"),
        _api("/forms", kb_api.list_forms, "forms"),
        _api("/forms/{id}", kb_api.get_form, "form"),
        _api("/me", system_api.me, "me"),
        _api("/openapi.json", system_api.openapi_json, "openapi"),
        *customer_routes(),
    ]


def customer_routes() -> list[BaseRoute]:
    """The widget's conversation, article feedback, and the contact's tickets."""
    post = "POST"
    return [
        _api("/conversations", conversation_api.start_conversation, "conversations", post),
        _api("/conversations/{id}", conversation_api.get_conversation, "conversation"),
        _api("/conversations/{id}/messages", conversation_api.post_message, "messages", post),
        _api("/articles/{id}/feedback", feedback_api.article_feedback, "feedback", post),
        _api("/tickets", tickets_api.file_ticket, "file_ticket", post),
        _api("/tickets", tickets_api.list_tickets, "tickets"),
        _api("/tickets/{number}", tickets_api.get_ticket, "ticket"),
        _api("/tickets/{number}/comments", tickets_api.add_comment, "comment", post),
        _api("/tickets/{number}/urgency", tickets_api.set_urgency, "urgency", post),
        _api("/tickets/{number}/confirm", tickets_api.confirm, "confirm", post),
        _api("/tickets/{number}/reject", tickets_api.reject, "reject", post),
    ]


def engineer_routes() -> list[BaseRoute]:
    """The engineers' and managers' API (engineer API token; ``web/engineer_auth.py``)."""
    post = "POST"
    e = engineer_api
    return [
        _api("/engineer/queue", e.queue, "engineer_queue"),
        _api("/engineer/search", desk_api.search, "engineer_search"),
        _api("/engineer/metrics", desk_api.get_metrics, "engineer_metrics"),
        _api("/engineer/tickets", desk_api.register_call, "engineer_register", post),
        _api("/engineer/tickets/{number}", e.get_ticket, "engineer_ticket"),
        _api("/engineer/tickets/{number}/assign", e.assign, "engineer_assign", post),
        _api("/engineer/tickets/{number}/transition", e.transition, "engineer_transition", post),
        _api("/engineer/tickets/{number}/comments", e.add_comment, "engineer_comment", post),
        _api("/engineer/tickets/{number}/priority", e.set_priority, "engineer_priority", post),
        _api("/engineer/tickets/{number}/escalate", e.escalate, "engineer_escalate", post),
        _api("/engineer/tickets/{number}/confirm-urgency", e.confirm_urgency,
             "engineer_confirm_urgency", post),
    ]


def alert_routes() -> list[BaseRoute]:
    """Monitoring webhooks, each authenticated by its alert source's token."""
    return [
        _api("/alerts/alertmanager", alerts_api.alertmanager, "alerts_alertmanager", "POST"),
        _api("/alerts/zabbix", alerts_api.zabbix, "alerts_zabbix", "POST"),
    ]


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", system_api.healthz, methods=["GET"], name="healthz"),
        *public_routes(),
        *alert_routes(),
        *engineer_routes(),
        *widget_routes.routes(),
    ]


def is_public_api(path: str) -> bool:
    """Paths the public rate limit applies to."""
    return path.startswith(API_PREFIX + "/") and not path.startswith(
        (ENGINEER_PREFIX, ALERTS_PREFIX)
    )
