"""Shared by the schemathesis tests: the document loaded for fuzzing, and the coverage
cases of one operation.

The coverage cases are schemathesis' deterministic boundary cases (each property at its
limits, of a wrong type, ``null``, missing, ...), the ones its command line runs before
random fuzzing; random examples alone rarely hit, say, ``{"to": null}``.
"""

import uuid
from typing import Any

import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.types import ASGIApp


def api_schema(app: ASGIApp, *, nul: bool = False) -> OpenApiSchema:
    """The document; generated text holds NUL only with ``nul``: the API refuses NUL in
    all text (the document's description says so), which the document cannot express
    per field, so a schema-valid request with NUL is refused, as it should be."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    schema.config.generation.update(allow_x00=nul)
    return schema


def coverage_cases(
    schema: OpenApiSchema, path: str, method: str, mode: GenerationMode
) -> list[schemathesis.Case[Any]]:
    operation = schema[path][method]
    config = schema.config.generation_for(operation=operation, phase="coverage")
    return list(
        schema.iter_coverage_cases(operation, generation_modes=[mode], generation_config=config)
    )


def unique_idempotency_key(case: schemathesis.Case[Any]) -> None:
    """Hypothesis reuses a generated ``Idempotency-Key`` with other bodies, which the API
    refuses on purpose (422 ``idempotency_key_reused``); a valid case gets a key of its own."""
    headers = dict(case.headers or {})
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = f"{headers['Idempotency-Key'][:200]}-{uuid.uuid4().hex}"
        case.headers = headers
