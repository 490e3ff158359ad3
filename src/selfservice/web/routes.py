"""The route table of the HTTP API, in one place: each operation's path, caller, models,
answer and error statuses (``dispatch.Operation``); the OpenAPI document is written from
it (``openapi.py``).

Public and rate-limited: everything under ``/api/v1`` except
``/api/v1/engineer/``, which is reserved for the engineers' API (token-authenticated,
with its own limits), and ``/api/v1/alerts/``, the monitoring webhooks (each authenticated
by its alert source's token). ``/healthz`` sits outside the API prefix for load balancers.
"""

from typing import Any

from pydantic import BaseModel, Field
from starlette.routing import BaseRoute

from selfservice.web import (
    alerts_api,
    attachments_api,
    conversation_api,
    desk_api,
    engineer_api,
    feedback_api,
    kb_api,
    kb_insight_api,
    known_problems_api,
    metrics_api,
    search_api,
    status_page,
    system_api,
    telegram_api,
    tickets_api,
    widget_routes,
)
from selfservice.web.dispatch import Access, ApiRoute, Handler, Operation
from selfservice.web.schemas import answers as a
from selfservice.web.schemas import kb_insight as k
from selfservice.web.schemas import known_problems as kp
from selfservice.web.schemas import metric_views as mv
from selfservice.web.schemas import requests as r
from selfservice.web.schemas import staff_answers as s
from selfservice.web.schemas.fields import MAX_ID, MAX_REF
from selfservice.web.urls import API_PREFIX

ENGINEER_PREFIX = f"{API_PREFIX}/engineer/"
#: Monitoring webhooks: token-authenticated machines, not under the public per-IP limit.
ALERTS_PREFIX = f"{API_PREFIX}/alerts/"


class TicketPath(BaseModel):
    number: str = Field(max_length=32, description="the ticket number, e.g. INC-000123")


class ConversationPath(BaseModel):
    id: str = Field(max_length=MAX_ID)


class AttachmentPath(BaseModel):
    number: str = Field(max_length=32, description="the ticket number, e.g. INC-000123")
    id: str = Field(max_length=MAX_ID, description="the attachment's id")


FILE = {"200": {"description": "The file, as a download (Content-Disposition: attachment)",
                "content": {"application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}}}}}


UPLOAD = {"required": True, "content": {"*/*": {
    "schema": {"type": "string", "format": "binary"}}}}


class RefPath(BaseModel):
    id: str = Field(max_length=MAX_REF)


READ = (400, 429)
CUSTOMER = (400, 401, 404, 409, 413, 422, 429)
STAFF_ACT = (400, 401, 403, 404, 409, 422)
ALERT = (400, 401, 403, 413, 503)


def _api(
    method: str, path: str, handler: Handler, name: str, access: Access = Access.PUBLIC,
    **options: Any,
) -> ApiRoute:
    return ApiRoute(Operation(method, f"{API_PREFIX}{path}", handler, name, access, **options))


def public_routes() -> list[ApiRoute]:
    return [
        _api("GET", "/search", search_api.search, "search", query=r.SearchQuery,
             answer=a.SearchResults, errors=READ),
        _api("GET", "/suggest", search_api.suggest, "suggest", query=r.SuggestQuery,
             answer=a.Suggestions, errors=READ),
        _api("GET", "/articles/{id}", kb_api.get_article, "article", query=r.LangQuery,
             path_model=RefPath, answer=a.Article, errors=(400, 404, 429)),
        _api("GET", "/forms", kb_api.list_forms, "forms", query=r.FormsQuery, answer=a.Forms,
             errors=READ),
        _api("GET", "/forms/{id}", kb_api.get_form, "form", query=r.LangQuery,
             path_model=RefPath, answer=a.Form, errors=(400, 404, 429)),
        _api("GET", "/me", system_api.me, "me", Access.PORTAL_TOKEN, query=r.LangQuery,
             answer=a.Me, errors=(400, 401, 429)),
        _api("GET", "/openapi.json", system_api.openapi_json, "openapi",
             raw_responses={"200": {"description": "The OpenAPI document of the public API",
                                    "content": {"application/json": {
                                        "schema": {"type": "object"}}}}}),
        _api("GET", "/status", known_problems_api.status, "status", query=kp.StatusQuery,
             answer=kp.Status, errors=READ),
        *customer_routes(),
        *known_problem_routes(),
    ]


def known_problem_routes() -> list[ApiRoute]:
    """The widget's banner and "notify me" (a signed-in contact)."""
    c, m = Access.CONTACT, known_problems_api
    return [
        _api("GET", "/known-problems", m.mine, "known_problems", c, query=r.LangQuery,
             answer=kp.Problems, errors=(400, 401, 429)),
        _api("POST", "/known-problems/{id}/subscribe", m.subscribe, "known_problem_subscribe",
             c, query=r.LangQuery, path_model=kp.ProblemPath, body=kp.Subscribe,
             body_optional=True, answer=kp.Subscribed,
             errors=(400, 401, 404, 429)),
    ]


def engineer_problem_routes() -> list[ApiRoute]:
    """Engineers declare, update and resolve known problems; managers read the numbers."""
    m, st, p = known_problems_api, Access.STAFF, kp.ProblemPath
    return [
        _api("POST", "/engineer/known-problems", m.declare, "engineer_declare_problem", st,
             body=kp.Declare, answer=kp.StaffProblem, status=201,
             errors=(400, 401, 403, 404, 409)),
        _api("GET", "/engineer/known-problems/{id}", m.get_problem, "engineer_problem", st,
             path_model=p, answer=kp.StaffProblem, errors=(400, 401, 404)),
        _api("POST", "/engineer/known-problems/{id}/updates", m.add_update,
             "engineer_problem_update", st, path_model=p, body=kp.Update,
             answer=kp.StaffProblem, errors=(400, 401, 404, 409)),
        _api("POST", "/engineer/known-problems/{id}/resolve", m.resolve,
             "engineer_resolve_problem", st, path_model=p, body=kp.Resolve,
             answer=kp.Resolved, errors=(400, 401, 404, 409)),
        _api("GET", "/engineer/metrics/known-problems", m.metrics,
             "engineer_metrics_known_problems", Access.MANAGER, query=mv.ViewQuery,
             answer=kp.ProblemMetrics, errors=(400, 401, 403)),
    ]


def customer_routes() -> list[ApiRoute]:
    """The widget's conversation, article feedback, and the contact's tickets."""
    c, v, t = Access.CONTACT, Access.VISITOR, TicketPath
    return [
        _api("POST", "/conversations", conversation_api.start_conversation, "conversations", v,
             query=r.LangQuery, body=r.StartConversation, body_optional=True,
             answer=a.Conversation, status=201, errors=(400, 401, 413, 429)),
        _api("GET", "/conversations/{id}", conversation_api.get_conversation, "conversation", v,
             query=r.LangQuery, path_model=ConversationPath, answer=a.Conversation,
             errors=(400, 401, 404, 429)),
        _api("POST", "/conversations/{id}/messages", conversation_api.post_message, "messages",
             v, query=r.LangQuery, path_model=ConversationPath, body=r.ChatInput,
             answer=a.Conversation, errors=CUSTOMER),
        _api("POST", "/articles/{id}/feedback", feedback_api.article_feedback, "feedback", v,
             query=r.LangQuery, path_model=RefPath, body=r.ArticleFeedback,
             answer=a.FeedbackStored, status=201, errors=(400, 401, 404, 413, 429)),
        _api("POST", "/tickets", tickets_api.file_ticket, "file_ticket", c, query=r.LangQuery,
             body=r.FileTicket, answer=a.FiledTicket, status=201, errors=CUSTOMER),
        _api("GET", "/tickets", tickets_api.list_tickets, "tickets", c, query=r.TicketsQuery,
             answer=a.Tickets, errors=(400, 401, 429)),
        _api("GET", "/tickets/{number}", tickets_api.get_ticket, "ticket", c, query=r.LangQuery,
             path_model=t, answer=a.TicketDetails, errors=(400, 401, 404, 429)),
        _api("POST", "/tickets/{number}/comments", tickets_api.add_comment, "comment", c,
             query=r.LangQuery, path_model=t, body=r.NewComment, answer=a.TicketComment,
             status=201, errors=CUSTOMER),
        _api("POST", "/attachments", attachments_api.upload, "upload", c, query=r.UploadQuery,
             raw_body=UPLOAD, answer=a.Uploaded, status=201,
             errors=(400, 401, 413, 415, 422, 429, 503)),
        _api("GET", "/tickets/{number}/attachments/{id}", attachments_api.download,
             "attachment", c, query=r.LangQuery, path_model=AttachmentPath, raw_responses=FILE,
             errors=(400, 401, 404, 429)),
        _api("POST", "/tickets/{number}/urgency", tickets_api.set_urgency, "urgency", c,
             query=r.LangQuery, path_model=t, body=r.NewUrgency, answer=a.FiledTicket,
             errors=CUSTOMER),
        _api("POST", "/tickets/{number}/confirm", tickets_api.confirm, "confirm", c,
             query=r.LangQuery, path_model=t, body=r.Confirmation, body_optional=True,
             answer=a.Ticket, errors=CUSTOMER),
        _api("POST", "/tickets/{number}/reject", tickets_api.reject, "reject", c,
             query=r.LangQuery, path_model=t, body=r.Rejection, answer=a.Ticket,
             errors=CUSTOMER),
        _api("POST", "/telegram/link-code", telegram_api.link_code, "telegram_link_code", c,
             query=r.LangQuery, body=r.TelegramLinkRequest, body_optional=True,
             answer=a.TelegramLinkCode, status=201,
             errors=(400, 401, 403, 404, 429)),
    ]


def engineer_routes() -> list[ApiRoute]:
    """The engineers' and managers' API (engineer API token; ``web/auth.py``)."""
    e, st, t = engineer_api, Access.STAFF, TicketPath
    return [
        _api("GET", "/engineer/queue", e.queue, "engineer_queue", st, query=r.QueueQuery,
             answer=s.Queue, errors=(400, 401, 403)),
        _api("GET", "/engineer/search", desk_api.search, "engineer_search", st,
             query=r.StaffSearchQuery, answer=s.StaffHits, errors=(400, 401)),
        _api("GET", "/engineer/metrics", desk_api.get_metrics, "engineer_metrics",
             Access.MANAGER, query=r.MetricsQuery, answer=s.Metrics, errors=(400, 401, 403)),
        *dashboard_routes(),
        *engineer_problem_routes(),
        _api("GET", "/engineer/kb/phrasings", desk_api.list_phrasings, "engineer_kb_phrasings",
             Access.STAFF, query=r.PhrasingsQuery, answer=s.Phrasings, errors=(400, 401, 403)),
        _api("GET", "/engineer/kb/gaps", kb_insight_api.gaps, "engineer_kb_gaps", st,
             query=k.GapsQuery, answer=k.Gaps, errors=(400, 401)),
        _api("GET", "/engineer/kb/stats", kb_insight_api.stats, "engineer_kb_stats", st,
             query=k.StatsQuery, answer=k.ArticlesPerformance, errors=(400, 401)),
        _api("POST", "/engineer/tickets", desk_api.register_call, "engineer_register", st,
             body=r.PhoneCall, answer=s.StaffTicket, status=201, errors=(400, 401, 404)),
        _api("GET", "/engineer/tickets/{number}", e.get_ticket, "engineer_ticket", st,
             path_model=t, answer=s.StaffTicketDetails, errors=(401, 403, 404)),
        _api("GET", "/engineer/tickets/{number}/attachments/{id}",
             attachments_api.engineer_download, "engineer_attachment", st,
             path_model=AttachmentPath, raw_responses=FILE, errors=(401, 403, 404)),
        _api("POST", "/engineer/tickets/{number}/assign", e.assign, "engineer_assign", st,
             path_model=t, body=r.Assignment, body_optional=True, answer=s.StaffTicket,
             errors=STAFF_ACT),
        _api("POST", "/engineer/tickets/{number}/transition", e.transition,
             "engineer_transition", st, path_model=t, body=r.Transition, answer=s.StaffTicket,
             errors=STAFF_ACT),
        _api("POST", "/engineer/tickets/{number}/comments", e.add_comment, "engineer_comment",
             st, path_model=t, body=r.StaffComment, answer=s.StaffComment, status=201,
             errors=(400, 401, 403, 404, 409)),
        _api("POST", "/engineer/tickets/{number}/priority", e.set_priority, "engineer_priority",
             st, path_model=t, body=r.Reprioritisation, answer=s.StaffTicket,
             errors=(400, 401, 403, 404, 409)),
        _api("POST", "/engineer/tickets/{number}/escalate", e.escalate, "engineer_escalate", st,
             path_model=t, body=r.Escalation, answer=s.StaffTicket, errors=STAFF_ACT),
        _api("POST", "/engineer/tickets/{number}/confirm-urgency", e.confirm_urgency,
             "engineer_confirm_urgency", st, path_model=t, body=r.UrgencyConfirmation,
             body_optional=True, answer=s.StaffTicket, errors=(400, 401, 403, 404, 409)),
    ]


def dashboard_routes() -> list[ApiRoute]:
    """The managers' dashboard metrics: one table each, JSON or CSV (``format=csv``)."""
    m, errors = metrics_api, (400, 401, 403)
    views: list[tuple[str, Handler, type[BaseModel]]] = [
        ("funnel", m.funnel, mv.ViewQuery), ("articles", m.articles, mv.ViewQuery),
        ("services", m.services, mv.ViewQuery), ("sla", m.sla, mv.SlaQuery),
        ("backlog", m.backlog, mv.NowQuery), ("channels", m.channels, mv.ViewQuery),
        ("escalations", m.escalations, mv.ViewQuery),
    ]
    return [
        _api("GET", f"/engineer/metrics/{name}", handler, f"engineer_metrics_{name}",
             Access.MANAGER, query=query, answer=mv.MetricTable, errors=errors,
             raw_responses=m.CSV)
        for name, handler, query in views
    ]


def alert_routes() -> list[ApiRoute]:
    """Monitoring webhooks, each authenticated by its alert source's token."""
    return [
        _api("POST", "/alerts/alertmanager", alerts_api.alertmanager, "alerts_alertmanager",
             Access.ALERTMANAGER, doc_body=a.AlertmanagerBody, answer=a.AlertsApplied,
             status=202, errors=ALERT),
        _api("POST", "/alerts/zabbix", alerts_api.zabbix, "alerts_zabbix", Access.ZABBIX,
             doc_body=a.ZabbixBody, answer=a.AlertsApplied, status=202, errors=ALERT),
    ]


def routes() -> list[BaseRoute]:
    return [
        ApiRoute(Operation("GET", "/healthz", system_api.healthz, "healthz",
                           answer=a.Health)),
        ApiRoute(Operation("POST", "/telegram/webhook", telegram_api.webhook,
                           "telegram_webhook", doc_body=a.TelegramUpdateBody,
                           answer=a.TelegramReceived, errors=(400, 401, 404, 413))),
        *public_routes(),
        *alert_routes(),
        *engineer_routes(),
        *widget_routes.routes(),
        *status_page.routes(),
    ]


def is_public_api(path: str) -> bool:
    """Paths the public rate limit applies to."""
    return path.startswith(API_PREFIX + "/") and not path.startswith(
        (ENGINEER_PREFIX, ALERTS_PREFIX)
    )
