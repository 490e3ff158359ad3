"""The OpenAPI 3 document: each endpoint's docstring YAML plus the shared components here.

Served as JSON (``JSONResponse``) rather than Starlette's YAML ``OpenAPIResponse`` so
that clients and schemathesis read it directly.
"""

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

from selfservice import __version__
from selfservice.web.inputs import MAX_DEPTH

_ERROR = {
    "type": "object",
    "required": ["error", "field", "message"],
    "properties": {
        "error": {"type": "string", "description": "stable machine-readable code"},
        "field": {"type": "string", "nullable": True, "description": "the parameter at fault"},
        "message": {"type": "string", "description": "in the caller's language (en/ru)"},
        "errors": {
            "type": "array",
            "description": "per-field errors of a refused request form",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "error": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_SEARCH_RESULT = {
    "type": "object",
    "required": ["type", "id", "title", "snippet", "score", "confident", "url"],
    "properties": {
        "type": {"type": "string", "enum": ["article", "form"]},
        "id": {"type": "string"},
        "title": {"type": "string"},
        "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
        "score": {"type": "number", "description": "raw BM25F, comparable within one query"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "confident": {"type": "boolean", "description": "good enough to show as the answer"},
        "lang": {"type": "string", "enum": ["en", "ru"]},
        "kind": {"type": "string", "description": "article kind, or the form's ticket type"},
        "service": {"type": "string"},
        "url": {"type": "string", "description": "KB site page, or the form in this API"},
    },
}
_STEP = {
    "type": "object",
    "required": ["id", "text", "check"],
    "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "check": _NULLABLE_STRING},
}
_ARTICLE = {
    "type": "object",
    "required": ["id", "title", "lang", "service", "kind", "tags", "body", "html", "steps", "url"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "lang": {"type": "string", "enum": ["en", "ru"]},
        "service": {"type": "string"},
        "kind": {"type": "string", "enum": ["scripted-solution", "how-to", "known-error"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "symptoms": {"type": "array", "items": {"type": "string"}},
        "summary": _NULLABLE_STRING,
        "updated": {"type": "string", "format": "date", "nullable": True},
        "body": {"type": "string", "description": "Markdown"},
        "html": {"type": "string", "description": "the body rendered to HTML"},
        "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}},
        "translation": {**_NULLABLE_STRING, "description": "id of the twin in the other language"},
        "url": {"type": "string"},
    },
}
_FORM = {
    "type": "object",
    "required": ["id", "type", "service", "title", "description", "url", "schema"],
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string", "enum": ["incident", "request"]},
        "service": {"type": "string"},
        "service_name": _NULLABLE_STRING,
        "title": {"type": "string"},
        "description": {"type": "string"},
        "customer_sets_urgency": {"type": "boolean"},
        "default_urgency": {"type": "string"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "url": {"type": "string"},
        "schema": {
            "type": "object",
            "description": "JSON Schema draft 2020-12 of the answers; UI hints under x-ui",
        },
    },
}

_MESSAGE = {
    "type": "object",
    "required": ["type"],
    "description": "One widget message: text, articles (cards), step, article, forms, form, "
    "actions (buttons), sign_in_required, confirmation or outcome",
    "properties": {
        "type": {"type": "string"},
        "text": {"type": "string"},
        "actions": {"type": "array", "items": {"type": "string"}},
        "html": {
            "type": "string",
            "description": "step: `text` (Markdown) as HTML; raw HTML in the Markdown is "
            "escaped and links are http(s) or mailto only",
        },
        "check_html": {"type": "string", "nullable": True, "description": "step: `check` "
                       "as HTML, rendered like `html`"},
    },
}
_CONVERSATION = {
    "type": "object",
    "required": ["id", "lang", "signed_in", "phase", "outcome", "messages"],
    "properties": {
        "id": {"type": "string"},
        "lang": {"type": "string", "enum": ["en", "ru"]},
        "signed_in": {"type": "boolean"},
        "phase": {
            "type": "string",
            "enum": ["searching", "walking", "choosing_form", "filling_form", "closed"],
        },
        "outcome": {
            "type": "string",
            "nullable": True,
            "enum": ["deflected", "ticket_filed", "abandoned", None],
        },
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
    },
}
_DATE_TIME = {"type": "string", "format": "date-time"}
_TICKET = {
    "type": "object",
    "required": ["number", "type", "service", "status", "priority", "urgency",
                 "urgency_confirmed", "created_at", "url"],
    "properties": {
        "number": {"type": "string", "description": "INC-000123 or REQ-000124"},
        "type": {"type": "string", "enum": ["incident", "request"]},
        "service": {"type": "string"},
        "form": _NULLABLE_STRING,
        "subject": {"type": "string"},
        "description": {"type": "string"},
        "fields": {"type": "object"},
        "status": {"type": "string"},
        "priority": {"type": "string", "enum": ["P1", "P2", "P3", "P4", "P5"]},
        "urgency": {"type": "string", "enum": ["very_high", "high", "medium", "low", "none"]},
        "urgency_confirmed": {"type": "boolean"},
        "impact": {"type": "string"},
        "channel": {"type": "string"},
        "closure_code": _NULLABLE_STRING,
        "self_service_tried": {"type": "array", "items": {"type": "object"}},
        "created_at": _DATE_TIME,
        "updated_at": _DATE_TIME,
        "completed_at": {**_DATE_TIME, "nullable": True},
        "closed_at": {**_DATE_TIME, "nullable": True},
        "url": {"type": "string"},
    },
}
_COMMENT = {
    "type": "object",
    "required": ["id", "at", "author", "mine", "body"],
    "properties": {
        "id": {"type": "integer"},
        "at": _DATE_TIME,
        "author": {"type": "string", "enum": ["contact", "support", "system"]},
        "mine": {"type": "boolean"},
        "body": {"type": "string"},
    },
}
_PHONE = {
    "type": "object",
    "required": ["required", "phone", "message"],
    "properties": {
        "required": {"type": "boolean"},
        "phone": _NULLABLE_STRING,
        "message": {**_NULLABLE_STRING, "description": "in the caller's language"},
    },
}
_FILED = {
    "allOf": [
        {"$ref": "#/components/schemas/Ticket"},
        {
            "type": "object",
            "required": ["phone_confirmation"],
            "properties": {
                "phone_confirmation": {"$ref": "#/components/schemas/PhoneConfirmation"},
                "message": {"type": "string"},
                "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
            },
        },
    ]
}
_DETAILS = {
    "allOf": [
        {"$ref": "#/components/schemas/Ticket"},
        {
            "type": "object",
            "required": ["comments", "actions"],
            "properties": {
                "comments": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/TicketComment"},
                },
                "actions": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["comment", "urgency", "confirm",
                                                        "reject"]},
                },
                "sla": {
                    "type": "object", "nullable": True,
                    "properties": {
                        "response_due": {"type": "string", "format": "date-time",
                                         "nullable": True},
                        "resolution_due": {"type": "string", "format": "date-time",
                                           "nullable": True},
                        "paused": {"type": "boolean"},
                        "responded": {"type": "boolean"},
                        "sentence": {"type": "string", "nullable": True},
                    },
                },
                "form_name": {"type": "string", "nullable": True},
                "submitted": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "label": {"type": "string"},
                    "value": {"type": "string"}}}},
                "history": {"type": "array", "items": {"type": "object", "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "from": {"type": "string", "nullable": True},
                    "to": {"type": "string"}}}},
            },
        },
    ]
}

_ALERT_OUTCOME: dict[str, Any] = {
    "type": "object",
    "properties": {
        "alert": {"type": "string"},
        "state": {"type": "string", "enum": ["firing", "resolved", "update"]},
        "outcome": {
            "type": "string",
            "enum": ["opened", "repeated", "grouped", "resolved", "completed", "updated",
                     "duplicate", "ignored"],
        },
        "ticket": {"type": "string", "nullable": True},
        "reason": {"type": "string"},
    },
}

#: The answer of both monitoring webhooks: one outcome per alert, in order.
_ALERTS_APPLIED: dict[str, Any] = {
    "description": "Applied; one outcome per alert, in order",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["tickets", "ticket", "outcomes"],
                "properties": {
                    "tickets": {"type": "array", "items": {"type": "string"}},
                    "ticket": {"type": "string", "nullable": True,
                               "description": "the first of tickets"},
                    "outcomes": {"type": "array", "items": _ALERT_OUTCOME},
                },
            }
        }
    },
}

BASE_SCHEMA: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "selfservice API",
        "version": __version__,
        "description": "Knowledge-base search, articles and request forms (public), the "
        "support widget's conversation, article feedback, and the signed-in contact's "
        "tickets (portal token); the engineers' and managers' desk (engineer token); "
        "monitoring webhooks (alert source token). Errors are {error, field, message}. "
        "No text, anywhere in a request, may contain NUL (U+0000) or an unpaired UTF-16 "
        "surrogate (\\ud800 to \\udfff without its pair): 400 invalid_character names the "
        "field. `null` is allowed only where a property is nullable (400 not_null). JSON "
        f"bodies may nest at most {MAX_DEPTH} levels deep (400 too_deep).",
    },
    "components": {
        "schemas": {
            "Error": _ERROR,
            "SearchResult": _SEARCH_RESULT,
            "Step": _STEP,
            "Article": _ARTICLE,
            "Form": _FORM,
            "Message": _MESSAGE,
            "Conversation": _CONVERSATION,
            "Ticket": _TICKET,
            "TicketComment": _COMMENT,
            "PhoneConfirmation": _PHONE,
            "FiledTicket": _FILED,
            "TicketDetails": _DETAILS,
        },
        "parameters": {
            "lang": {
                "name": "lang",
                "in": "query",
                "required": False,
                "description": "language of the answer and of error messages "
                "(default: Accept-Language, else en)",
                "schema": {"type": "string", "enum": ["en", "ru"]},
            },
            "ticketNumber": {
                "name": "number",
                "in": "path",
                "required": True,
                "description": "the ticket number, e.g. INC-000123",
                "schema": {"type": "string", "maxLength": 32},
            },
            "idempotencyKey": {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "One unique key per operation (a UUID), sent again when the "
                "request is retried: within 24 hours the retry gets the first answer, with "
                "`Idempotent-Replayed: true`, and nothing is done twice. Keys are per caller. "
                "Another request with the same key is 422 idempotency_key_reused; while the "
                "first is still running, 409 idempotency_key_in_use.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255,
                           "pattern": "^[!-~]([ -~]{0,253}[!-~])?$"},
            },
            "orgHeader": {
                "name": "X-SelfService-Org",
                "in": "header",
                "required": False,
                "description": "the organisation the request is made for",
                "schema": {"type": "string", "maxLength": 64},
            },
        },
        "responses": {
            "AlertsApplied": _ALERTS_APPLIED,
            "Error": {
                "description": "An error: {error, field, message}",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
        "securitySchemes": {
            "portalToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "engineerToken": {"type": "http", "scheme": "bearer",
                              "description": "an engineer API token (selfservice engineer add)"},
            "alertToken": {"type": "http", "scheme": "bearer",
                           "description": "an alert source's token (selfservice alert-source "
                           "add); each works on its own kind's endpoint only"},
        },
    },
}


_ERROR_REF: dict[str, Any] = {"$ref": "#/components/responses/Error"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_IDEMPOTENCY_KEY: dict[str, Any] = {"$ref": "#/components/parameters/idempotencyKey"}
#: What the Idempotency-Key adds to every POST's answers (web/idempotency.py).
_IDEMPOTENCY_ERRORS = (400, 409, 422)


def openapi_document(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """The document for ``routes``.

    An endpoint's docstring lists the error statuses it can answer as ``errors: [400, 404]``
    instead of one ``$ref`` line per status; every one of them is the shared ``Error``.
    Every POST takes the ``Idempotency-Key`` header (added here, not in each docstring).
    """
    generator = SchemaGenerator(BASE_SCHEMA)
    document = generator.get_schema(routes=list(routes))
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method in _METHODS and isinstance(operation, dict):
                responses = operation.setdefault("responses", {})
                errors = list(operation.pop("errors", ()))
                if method == "post":
                    operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
                    errors.extend(_IDEMPOTENCY_ERRORS)
                for status in errors:
                    responses.setdefault(int(status), _ERROR_REF)
    return document
