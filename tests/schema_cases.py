"""Shared by the schemathesis tests: the document loaded for fuzzing, and the coverage
cases of one operation.

The coverage cases are schemathesis' deterministic boundary cases (each property at its
limits, of a wrong type, ``null``, missing, ...), the ones its command line runs before
random fuzzing; random examples alone rarely hit, say, ``{"to": null}``.
"""

from typing import Any

import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.types import ASGIApp


def api_schema(app: ASGIApp) -> OpenApiSchema:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    # NUL is refused in all text (the document's description says so; tested in
    # tests/api/test_input_text.py), which the document cannot express per field.
    schema.config.generation.update(allow_x00=False)
    return schema


def coverage_cases(
    schema: OpenApiSchema, path: str, method: str, mode: GenerationMode
) -> list[schemathesis.Case[Any]]:
    operation = schema[path][method]
    config = schema.config.generation_for(operation=operation, phase="coverage")
    return list(
        schema.iter_coverage_cases(operation, generation_modes=[mode], generation_config=config)
    )
