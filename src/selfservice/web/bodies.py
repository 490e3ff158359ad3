"""Reading JSON request bodies field by field; every refusal is a 400 naming its field.

The checks match the OpenAPI request schemas in the endpoints' docstrings exactly (types,
enums, lengths, "not blank" = JSON Schema ``pattern: "\\S"``), so the schema-driven
tests find neither accepted invalid bodies nor refused valid ones. ``null`` counts as
absent only for fields the schema marks ``nullable``; elsewhere it is 400 ``not_null``
(never "no value", which would store a missing reason or a "did not help"). What text
may come in at all (no NUL, no lone surrogates, bounded nesting) is ``inputs.py``'s.
"""

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from selfservice.web.errors import ApiError
from selfservice.web.inputs import decode_json
from selfservice.web.params import _BLANK

_ABSENT = object()


class Body:
    """A parsed JSON object with typed, validated accessors."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _raw(self, name: str, *, required: bool, nullable: bool) -> Any:
        value = self.data.get(name, _ABSENT)
        if value is None:
            if not nullable:
                raise ApiError(400, "not_null", field=name)
            value = _ABSENT
        if value is _ABSENT:
            if required:
                raise ApiError(400, "required", field=name)
            return None
        return value

    def text(
        self,
        name: str,
        *,
        max_length: int,
        required: bool = False,
        nullable: bool = False,
        blank_ok: bool = False,
    ) -> str | None:
        value = self._raw(name, required=required, nullable=nullable)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ApiError(400, "not_a_string", field=name)
        if len(value) > max_length:
            raise ApiError(400, "too_long", field=name, max=max_length)
        if not blank_ok and _BLANK.fullmatch(value):
            raise ApiError(400, "blank", field=name)
        return value.strip()

    def choice(
        self,
        name: str,
        choices: Sequence[str],
        *,
        required: bool = False,
        nullable: bool = False,
    ) -> str | None:
        value = self._raw(name, required=required, nullable=nullable)
        if value is None:
            return None
        if not isinstance(value, str) or value not in choices:
            raise ApiError(400, "invalid_choice", field=name, choices=", ".join(choices))
        return value

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        value = self._raw(name, required=required, nullable=False)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ApiError(400, "not_a_boolean", field=name)
        return value

    def integer(
        self, name: str, *, minimum: int, maximum: int, nullable: bool = False
    ) -> int | None:
        value = self._raw(name, required=False, nullable=nullable)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError(400, "not_an_integer", field=name)
        if not minimum <= value <= maximum:
            raise ApiError(400, "out_of_range", field=name, min=minimum, max=maximum)
        return value

    def mapping(self, name: str, *, required: bool = False) -> dict[str, Any] | None:
        value = self._raw(name, required=required, nullable=False)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ApiError(400, "not_an_object", field=name)
        return value


async def read_body(request: Request, *, optional: bool = False) -> Body:
    """The body as a JSON object (``optional``: an empty body counts as ``{}``)."""
    raw = await request.body()
    if optional and not raw.strip():
        return Body({})
    data = decode_json(raw)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json")
    return Body(data)
