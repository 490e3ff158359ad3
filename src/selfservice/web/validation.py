"""Reading a request into its model, once; pydantic's refusal becomes the API's 400.

Each refusal names its field and uses the codes (and so the en/ru messages) the API has
always used: ``required``, ``not_null``, ``not_a_string``, ``too_long``, ``blank``,
``invalid_choice``, ``not_a_boolean``, ``not_an_integer``, ``out_of_range``,
``not_an_object``. The numbers a message quotes (``max``, ``min``, the choices) are read
from the model's own JSON Schema, the one the OpenAPI document shows. The first field in
the model's order that is wrong is the one reported. What text may come in at all (no
NUL, no lone surrogates, bounded nesting) is ``inputs.py``'s, checked before this.
"""

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from selfservice.web.errors import ApiError
from selfservice.web.inputs import decode_json

M = TypeVar("M", bound=BaseModel)

#: pydantic's error type -> the API's code (types not listed are ``invalid_choice`` when
#: the field has choices, else ``bad_request``).
_CODES = {
    "missing": "required",
    "not_null": "not_null",
    "string_type": "not_a_string",
    "string_too_long": "too_long",
    "string_too_short": "blank",
    "blank": "blank",
    "bool_type": "not_a_boolean",
    "int_type": "not_an_integer",
    "int_parsing": "not_an_integer",
    "int_from_float": "not_an_integer",
    "not_an_integer": "not_an_integer",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "dict_type": "not_an_object",
    "enum": "invalid_choice",
    "literal_error": "invalid_choice",
    "invalid_date": "invalid_date",
}


async def read_model(request: Request, model: type[M], *, optional: bool = False) -> M:
    """The JSON body as ``model`` (``optional``: an empty body counts as ``{}``)."""
    raw = await request.body()
    data: Any = {} if optional and not raw.strip() else decode_json(raw)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json")
    return validated(model, data)


def query_model(request: Request, model: type[M]) -> M:
    """The query string as ``model`` (a repeated parameter: its last value)."""
    return validated(model, dict(request.query_params))


def validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refusal(model, exc.errors()) from None


def refusal(model: type[BaseModel], errors: list[ErrorDetails]) -> ApiError:
    """The 400 for the first wrong field (in the model's order)."""
    order = {name: i for i, name in enumerate(_schema(model).get("properties", {}))}
    # A ``NotNull`` field's null branch adds a "none_required" beside the real error.
    errors = [e for e in errors if e["type"] != "none_required"] or errors
    first = min(errors, key=lambda e: order.get(str(e["loc"][0]) if e["loc"] else "", -1))
    name = str(first["loc"][0]) if first["loc"] else None
    if name is None:
        return ApiError(400, "invalid_json")
    field = field_schema(model, name)
    code = _CODES.get(first["type"], "invalid_choice" if "enum" in field else "bad_request")
    if first["input"] is None and first["type"] != "missing":
        code = "not_null"  # a field that is not nullable, sent as null
    params: dict[str, object] = {}
    if code == "too_long":
        params["max"] = field.get("maxLength")
    elif code == "out_of_range":
        params["min"], params["max"] = field.get("minimum"), field.get("maximum")
    elif code == "invalid_choice":
        params["choices"] = ", ".join(str(c) for c in field.get("enum", ()))
    error = ApiError(400, code, field=name)
    error.params = params
    return error


@cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def field_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The JSON Schema of one field, its ``$ref`` resolved and ``null`` left out."""
    schema = _schema(model)
    found: dict[str, Any] = dict(schema.get("properties", {}).get(name, {}))
    for option in found.pop("anyOf", []):
        if option.get("type") != "null":
            found.update(option)
    ref = found.pop("$ref", None)
    if isinstance(ref, str):
        found.update(schema.get("$defs", {}).get(ref.rsplit("/", 1)[-1], {}))
    return found
