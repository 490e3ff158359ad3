"""The OpenAPI 3.1 document, written from the route table (``routes.py``) and the
request and answer models (``schemas/``): nothing is written twice.

An operation's summary is the first line of its handler's docstring and the rest its
description; its parameters are its path model's and query model's fields (plus the
organisation header for the customer endpoints); every listed error status is the
shared ``Error``; every POST takes the ``Idempotency-Key`` header and may answer 400,
409 and 422 for it (``idempotency.py``). Served as JSON so that clients and schemathesis
read it directly.
"""

import inspect
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute

from selfservice import __version__
from selfservice.domain import idempotency as key_rules
from selfservice.web.dispatch import Access, ApiRoute, Operation
from selfservice.web.inputs import MAX_DEPTH
from selfservice.web.schemas.answers import Error
from selfservice.web.schemas.fields import MAX_ID
from selfservice.web.schemas.requests import LangQuery

_REF = "#/components/schemas/{model}"
_ERROR_REF: dict[str, Any] = {"$ref": "#/components/responses/Error"}
_IDEMPOTENCY_KEY: dict[str, Any] = {"$ref": "#/components/parameters/idempotencyKey"}
_ORG_HEADER: dict[str, Any] = {"$ref": "#/components/parameters/orgHeader"}
#: What the Idempotency-Key adds to every POST's answers.
_IDEMPOTENCY_ERRORS = (400, 409, 422)
_SECURITY: dict[Access, list[dict[str, list[str]]]] = {
    Access.VISITOR: [{}, {"portalToken": []}],
    Access.CONTACT: [{"portalToken": []}],
    Access.PORTAL_TOKEN: [{"portalToken": []}],
    Access.STAFF: [{"engineerToken": []}],
    Access.MANAGER: [{"engineerToken": []}],
    Access.ALERTMANAGER: [{"alertToken": []}],
    Access.ZABBIX: [{"alertToken": []}],
}

INFO = {
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
}
PARAMETERS: dict[str, Any] = {
    "idempotencyKey": {
        "name": key_rules.KEY_HEADER,
        "in": "header",
        "required": False,
        "description": "One unique key per operation (a UUID), sent again when the "
        "request is retried: within 24 hours the retry gets the first answer, with "
        "`Idempotent-Replayed: true`, and nothing is done twice. Keys are per caller. "
        "Another request with the same key is 422 idempotency_key_reused; while the "
        "first is still running, 409 idempotency_key_in_use.",
        "schema": {"type": "string", "minLength": 1, "maxLength": key_rules.MAX_KEY_LENGTH,
                   "pattern": "^[!-~]([ -~]{0,253}[!-~])?$"},
    },
    "orgHeader": {
        "name": "X-SelfService-Org",
        "in": "header",
        "required": False,
        "description": "the organisation the request is made for",
        "schema": {"type": "string", "maxLength": MAX_ID},
    },
}
SECURITY_SCHEMES = {
    "portalToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "engineerToken": {"type": "http", "scheme": "bearer",
                      "description": "an engineer API token (selfservice engineer add)"},
    "alertToken": {"type": "http", "scheme": "bearer",
                   "description": "an alert source's token (selfservice alert-source add); "
                   "each works on its own kind's endpoint only"},
}


#: Query parameters many operations share, documented once under components.
_SHARED: dict[str, Any] = {"lang": {"$ref": "#/components/parameters/lang"}}


def openapi_document(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """The document for the operations among ``routes``."""
    operations = [r.operation for r in routes if isinstance(r, ApiRoute)]
    schemas = _component_schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, schemas)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {"lang": _parameters(LangQuery, "query")[0], **PARAMETERS},
            "responses": {"Error": {
                "description": "An error: {error, field, message}",
                "content": {"application/json": {"schema": {"$ref": _REF.format(
                    model="Error")}}},
            }},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def _component_schemas(operations: list[Operation]) -> dict[str, Any]:
    models: set[type[BaseModel]] = {Error}
    for operation in operations:
        models.update(m for m in (operation.body, operation.doc_body, operation.answer) if m)
    _, found = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template=_REF,
    )
    return dict(found.get("$defs", {}))


def _operation(operation: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    summary, _, description = inspect.cleandoc(operation.handler.__doc__ or "").partition("\n")
    documented: dict[str, Any] = {"summary": summary.strip()}
    if description.strip():
        documented["description"] = description.strip()
    if operation.access in _SECURITY:
        documented["security"] = _SECURITY[operation.access]
    parameters = [
        _SHARED.get(p["name"], p) if p["in"] == "query" else p
        for p in (*_parameters(operation.path_model, "path"),
                  *_parameters(operation.query or operation.doc_query, "query"))
    ]
    if operation.access in (Access.VISITOR, Access.CONTACT, Access.PORTAL_TOKEN):
        parameters.append(_ORG_HEADER)
    body = operation.body or operation.doc_body
    if body is not None:
        documented["requestBody"] = {
            "required": not operation.body_optional,
            "content": {"application/json": {"schema": {"$ref": _ref(body)}}},
        }
    if operation.raw_body is not None:
        documented["requestBody"] = operation.raw_body
    responses: dict[str, Any] = dict(operation.raw_responses)
    if operation.answer is not None:
        other = responses.get(str(operation.status), {}).get("content", {})  # e.g. text/csv
        responses[str(operation.status)] = {
            "description": _first_line(operation.answer) or summary.strip(),
            "content": {"application/json": {"schema": {"$ref": _ref(operation.answer)}},
                        **other},
        }
    errors = list(operation.errors)
    if operation.method == "POST":
        parameters.append(_IDEMPOTENCY_KEY)
        errors.extend(_IDEMPOTENCY_ERRORS)
    for status in errors:
        responses.setdefault(str(status), _ERROR_REF)
    if parameters:
        documented["parameters"] = parameters
    documented["responses"] = responses
    return documented


def _ref(model: type[BaseModel]) -> str:
    return _REF.format(model=model.__name__)


def _first_line(model: type[BaseModel]) -> str:
    doc = model.__doc__ or ""
    own = doc and doc is not BaseModel.__doc__ and "__doc__" in vars(model)
    return inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ") if own else ""


def _parameters(model: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    """One parameter per field of ``model`` (by its alias), with its JSON Schema."""
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    found = []
    for name, prop in schema.get("properties", {}).items():
        prop = _inlined(prop, schema.get("$defs", {}))
        prop.pop("title", None)
        if prop.get("default", 0) is None:
            del prop["default"]  # left out, not null: a query string has no null
        description = prop.pop("description", None)
        parameter: dict[str, Any] = {"name": name, "in": where,
                                     "required": where == "path" or name in required,
                                     "schema": prop}
        if description:
            parameter["description"] = description
        found.append(parameter)
    return found


def _inlined(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its references to the model's own definitions (enums) copied in:
    a parameter stands alone."""
    inlined = dict(schema)
    ref = inlined.pop("$ref", None)
    if isinstance(ref, str):
        found = dict(defs.get(ref.rsplit("/", 1)[-1], {}))
        found.pop("title", None)
        inlined = {**found, **inlined}
    return inlined
