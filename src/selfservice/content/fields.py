"""kb/ problems (``FILE:LINE: key.path: reason``) and the step reader.

Forms, front matter and ``services.yml`` are validated by pydantic models
(``forms_loader``, ``article_spec``); :func:`problems_of` turns their issues into
:class:`Problem` lines. :class:`Reader` reads a scripted solution's steps the same way,
by hand, in the same wording. Every reader records a problem instead of raising, so one
pass over kb/ reports every mistake an author made.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from selfservice.content.model import Text
from selfservice.content.yaml_lines import LineDict, LineList
from selfservice.content.yaml_models import KeyIssue, problems_at

E = TypeVar("E", bound=StrEnum)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Reader:
    """Typed access to one mapping; problems go to the shared list."""

    def __init__(
        self, data: LineDict, path: Path, problems: list[Problem], where: str = ""
    ) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self.where = where

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def line(self, key: str | None = None) -> int:
        return self.data.line_of(key) if key else self.data.line

    def name(self, key: str) -> str:
        return f"{self.where}{key}"

    def child(self, key: str, value: LineDict, where: str) -> "Reader":
        return Reader(value, self.path, self.problems, where)

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                allowed_list = ", ".join(allowed)
                self.problem(
                    self.line(key),
                    f"{self.name(key)}: unknown key{hint}; expected one of {allowed_list}",
                )

    def _missing(self, key: str) -> None:
        self.problem(self.line(), f"{self.name(key)}: missing")

    def string(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(self.line(key), f"{self.name(key)}: must be text")
            return None
        text = str(value).strip()
        if not text:
            self.problem(self.line(key), f"{self.name(key)}: is empty")
            return None
        return text

    def ident(self, key: str, *, pattern: re.Pattern[str] = ID_PATTERN) -> str | None:
        value = self.string(key)
        if value is not None and not pattern.match(value):
            self.problem(
                self.line(key),
                f"{self.name(key)}: {value!r} must match {pattern.pattern}",
            )
            return None
        return value

    def enum(self, key: str, enum: type[E], *, default: E | None = None) -> E | None:
        value = self.data.get(key)
        if value is None:
            if default is None:
                self._missing(key)
            return default
        try:
            return enum(str(value))
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.problem(
                self.line(key),
                f"{self.name(key)}: {value!r} is not one of {allowed}",
            )
            return default

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(self.line(key), f"{self.name(key)}: must be true or false")
            return default
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(self.line(key), f"{self.name(key)}: must be a whole number")
            return None
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.problem(self.line(key), f"{self.name(key)}: must be a positive number")
            return None
        return float(value)

    def day(self, key: str, *, required: bool = True) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if not isinstance(value, date):
            self.problem(self.line(key), f"{self.name(key)}: must be a date YYYY-MM-DD")
            return None
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, LineList):
            self.problem(self.line(key), f"{self.name(key)}: must be a list")
            return ()
        result: list[str] = []
        for index, item in enumerate(value):
            if (
                isinstance(item, bool)
                or not isinstance(item, str | int | float)
                or not str(item).strip()
            ):
                self.problem(
                    value.line_of(index), f"{self.name(key)}[{index}]: must be non-empty text"
                )
                continue
            result.append(str(item).strip())
        return tuple(result)

    def mapping(self, key: str, *, required: bool = True) -> LineDict | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return None
        if not isinstance(value, LineDict):
            self.problem(self.line(key), f"{self.name(key)}: must be a mapping")
            return None
        return value

    def items(self, key: str, *, required: bool = True) -> list[tuple[int, LineDict]]:
        """The mapping items of a list, with their lines; non-mappings are problems."""
        value = self.data.get(key)
        if value is None:
            if required:
                self._missing(key)
            return []
        if not isinstance(value, LineList):
            self.problem(self.line(key), f"{self.name(key)}: must be a list")
            return []
        result: list[tuple[int, LineDict]] = []
        for index, item in enumerate(value):
            if not isinstance(item, LineDict):
                self.problem(value.line_of(index), f"{self.name(key)}[{index}]: must be a mapping")
                continue
            result.append((index, item))
        return result

    def text(self, key: str, *, required: bool = True) -> Text | None:
        """A bilingual string: ``{en: ..., ru: ...}``, both required."""
        value = self.mapping(key, required=required)
        if value is None:
            return None
        inner = self.child(key, value, f"{self.name(key)}.")
        inner.reject_unknown(["en", "ru"])
        en = inner.string("en")
        ru = inner.string("ru")
        if en is None or ru is None:
            return None
        return Text(en=en, ru=ru)


def problems_of(path: Path, data: Any, issues: Iterable[KeyIssue]) -> list[Problem]:
    """``issues`` of a file as kb problems: ``FILE:LINE: key.path: reason``."""
    return [Problem(p.file, p.line, f"{p.path}: {p.reason}" if p.path else p.reason)
            for p in problems_at(path, data, issues)]


def as_mapping(data: Any, path: Path, problems: list[Problem], line: int) -> LineDict | None:
    if not isinstance(data, LineDict):
        problems.append(Problem(path, line, "must be a mapping of keys to values"))
        return None
    return data
