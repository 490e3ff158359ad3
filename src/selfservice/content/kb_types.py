"""The value types of kb/ YAML (forms, front matter) for the pydantic readers, with the
reasons an author reads: ``'x' must match ^[a-z0-9][a-z0-9-]*$``, ``is empty``…"""

import re
from datetime import date
from typing import Annotated

from pydantic import PlainValidator

from selfservice.content.model import Text
from selfservice.content.yaml_models import YamlModel

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def text_of(value: object) -> str:
    """A scalar as trimmed, non-empty text (YAML reads ``8`` or ``1.5`` as numbers)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be text")
    text = str(value).strip()
    if not text:
        raise ValueError("is empty")
    return text


def matching(pattern: re.Pattern[str]) -> PlainValidator:
    def check(value: object) -> str:
        text = text_of(value)
        if not pattern.match(text):
            raise ValueError(f"{text!r} must match {pattern.pattern}")
        return text

    return PlainValidator(check)


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("must be a list")
    try:
        return tuple(text_of(item) for item in value)
    except ValueError:
        raise ValueError("items must be non-empty text") from None


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


def _positive(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError("must be a positive number")
    return float(value)


def _day(value: object) -> date:
    if not isinstance(value, date):
        raise ValueError("must be a date YYYY-MM-DD")
    return value


Str = Annotated[str, PlainValidator(text_of)]
Ident = Annotated[str, matching(ID_PATTERN)]
Texts = Annotated[tuple[str, ...], PlainValidator(_texts)]
Flag = Annotated[bool, PlainValidator(_flag)]
Whole = Annotated[int, PlainValidator(_whole)]
Positive = Annotated[float, PlainValidator(_positive)]
Day = Annotated[date, PlainValidator(_day)]


class TextSpec(YamlModel):
    """A user-facing string in both languages: ``{en: ..., ru: ...}``."""

    en: Str
    ru: Str

    def text(self) -> Text:
        return Text(en=self.en, ru=self.ru)
