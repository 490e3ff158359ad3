"""The field types the request models are made of; each states its limit once.

What the API has always answered stays: a value that only holds whitespace is 400
``blank`` (whitespace as JSON Schema's ``\\S`` sees it, so the document's
``pattern: "\\S"`` and this check agree), text is stripped, ``null`` is refused with
``not_null`` where a field is not nullable (``NotNull``), integers and booleans are
strict (``1`` is not ``true``, ``1.0`` is not ``1``), and query integers are plain
decimal digits. ``web/validation.py`` turns pydantic's errors into the API's codes.
"""

import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import PydanticCustomError, core_schema

T = TypeVar("T")

#: Blank = only characters JSON Schema's (ECMAScript) ``\s`` matches (Python's isspace()
#: also counts \x1c-\x1f, which the document's ``pattern: "\S"`` lets through).
BLANK = re.compile(
    r"[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*"
)
_INTEGER = re.compile(r"-?[0-9]{1,9}")

MAX_COMMENT = 5_000
MAX_DESCRIPTION = 10_000
MAX_SUBJECT = 300
#: Organisation, group, service and form ids.
MAX_ID = 64
#: Article and form ids in paths and conversation buttons.
MAX_REF = 200
#: The largest database id (32-bit integer columns on PostgreSQL).
MAX_ROW_ID = 2_147_483_647


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "null is not allowed here")
    return value


#: An optional field that may be left out but not sent as ``null``.
NotNull = Annotated[T | SkipJsonSchema[None], BeforeValidator(_refuse_null)]
#: An optional query parameter (a query string has no null).
Absent = SkipJsonSchema[None]


def _stripped(value: str) -> str:
    return value.strip()


class _NotBlank:
    """Refuses whitespace-only text (400 ``blank``), strips the rest; documents ``\\S``."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        found["pattern"] = r"\S"
        return found

    @staticmethod
    def _check(value: str) -> str:
        if BLANK.fullmatch(value):
            raise PydanticCustomError("blank", "must not be blank")
        return value.strip()


NOT_BLANK = _NotBlank()
STRIP = AfterValidator(_stripped)

#: Free text with a limit; ``Some...`` must hold a non-space character, ``Any...`` may not.
SomeComment = Annotated[str, Field(max_length=MAX_COMMENT), NOT_BLANK]
AnyComment = Annotated[str, Field(max_length=MAX_COMMENT), STRIP]
SomeDescription = Annotated[str, Field(max_length=MAX_DESCRIPTION), NOT_BLANK]
AnyDescription = Annotated[str, Field(max_length=MAX_DESCRIPTION), STRIP]
Subject = Annotated[str, Field(max_length=MAX_SUBJECT), NOT_BLANK]
SomeId = Annotated[str, Field(max_length=MAX_ID), NOT_BLANK]
AnyId = Annotated[str, Field(max_length=MAX_ID), STRIP]
AnyRef = Annotated[str, Field(max_length=MAX_REF), STRIP]
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID, strict=True)]
Flag = Annotated[bool, Field(strict=True)]


def _query_integer(value: Any) -> Any:
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise PydanticCustomError("not_an_integer", "not a whole number")
    return value


#: An integer of the query string: decimal digits only (no "+1", no "1e3"); it comes
#: after the field's limits (``Annotated[int, Field(ge=1, le=20), QUERY_INT]``) so
#: that they stay the integer's own, in the document too.
QUERY_INT = BeforeValidator(_query_integer)


def cut(raw: str, max_length: int) -> str:
    """The first ``max_length`` characters, at a word boundary when there is one."""
    if len(raw) <= max_length:
        return raw
    head = raw[: max_length + 1]
    space = max(head.rfind(" "), head.rfind("\n"))
    return head[:space] if space > max_length // 2 else raw[:max_length]


#: Characters of a search query that count; a longer query is cut, never refused (a
#: customer who pastes a whole error message gets results for its beginning).
MAX_QUERY = 300


def _search_text(value: str) -> str:
    return cut(value, MAX_QUERY)


SearchText = Annotated[
    str,
    Field(min_length=1, description="only its first 300 characters are searched (a longer "
          "text, such as a pasted error message, is cut, not refused)"),
    NOT_BLANK,
    BeforeValidator(lambda v: _search_text(v) if isinstance(v, str) else v),
]
