"""The one error style of every YAML reader: ``FILE:LINE: key.path: reason``.

Each reader (support configuration, alert mapping, request forms, article front matter)
validates the loaded YAML with pydantic models built on :class:`YamlModel`, then checks
what spans several keys (references, cross-checks) itself. Both kinds of problem become a
:class:`KeyIssue` (a dotted key path and a reason); :func:`issues_of` turns a pydantic
``ValidationError`` into them in our wording, and :func:`problems_at` places them with
:func:`~selfservice.content.yaml_lines.line_at` into :class:`YamlProblem` lines.
"""

import copy
import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from selfservice.content.yaml_lines import line_at


class YamlModel(BaseModel):
    """Base of the readers' models: unknown keys are errors, the result is read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


@dataclass(frozen=True)
class KeyIssue:
    path: str
    reason: str


@dataclass(frozen=True)
class YamlProblem:
    file: Path
    line: int
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.reason}"


def problems_at(file: Path, data: Any, issues: Iterable[KeyIssue]) -> list[YamlProblem]:
    """``issues`` with the line of their key in ``data`` (loaded by ``load_yaml``)."""
    return [YamlProblem(file, line_at(data, i.path), i.path, i.reason) for i in issues]


def dotted(steps: Sequence[str | int]) -> str:
    """``("rules", 2, "set")`` -> ``rules[2].set``."""
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def issues_of(error: ValidationError, data: Any, model: type[BaseModel]) -> list[KeyIssue]:
    """The problems of a failed ``model.model_validate(data)``, one per pydantic error."""
    issues: list[KeyIssue] = []
    for item in error.errors(include_url=False):
        steps = _data_steps(item["loc"], data)
        reason = _reason(item, model, steps)
        issue = KeyIssue(dotted(steps), reason)
        if issue not in issues:
            issues.append(issue)
    return issues


M = TypeVar("M", bound=BaseModel)


def validated(
    model: type[M], data: Any, *, context: dict[str, Any] | None = None
) -> tuple[M | None, list[KeyIssue]]:
    """``model`` from ``data`` and its problems. When unknown keys are the only problems,
    the model is still built without them (an author's typo costs a problem, not the file)."""
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as error:
        issues = issues_of(error, data, model)
        if any(e["type"] != "extra_forbidden" for e in error.errors()):
            return None, issues
        trimmed = copy.deepcopy(data)
        for e in error.errors():
            *parents, last = e["loc"]
            node = trimmed
            for step in parents:
                node = node[step]
            node.pop(last, None)
        try:
            return model.model_validate(trimmed, context=context), issues
        except ValidationError:
            return None, issues


def _data_steps(loc: Sequence[str | int], data: Any) -> list[str | int]:
    """The key path in the file: drops the steps pydantic adds for union members and tags
    (a step that is not a key at that point of ``data``, unless it is a missing key)."""
    steps: list[str | int] = []
    node = data
    for index, step in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, Mapping) and str(step) in node:
            steps.append(str(step))
            node = node[str(step)]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            steps.append(step)
            node = node[step]
        elif last and isinstance(node, Mapping | list):
            steps.append(step)  # a missing key
        # else: a union member's or a tag's name, not in the file
    return steps


def _reason(item: Any, model: type[BaseModel], steps: list[str | int]) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        keys = _allowed_keys(model, steps[:-1])
        close = difflib.get_close_matches(str(steps[-1]), keys, n=1) if steps else []
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key{hint}; expected one of {', '.join(keys)}" if keys else "unknown key"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or item["msg"])
    if kind in ("enum", "literal_error"):
        allowed = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{item['input']!r} is not one of {allowed}"
    return _PLAIN.get(kind, str(item["msg"]))


_PLAIN = {
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "string_type": "must be a text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
}


def _allowed_keys(model: type[BaseModel], steps: Sequence[str | int]) -> list[str]:
    """The keys the model accepts at ``steps`` (empty when it cannot tell)."""
    target: Any = model
    for step in steps:
        target = _inner(target, step)
        if target is None:
            return []
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [f.alias or name for name, f in target.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else (members[0] if len(members) == 1 else None)
    return annotation


def _inner(annotation: Any, step: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if step in (name, info.alias):
                return info.annotation
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (dict, Mapping) and len(args) == 2:
        return args[1]
    if origin in (list, tuple, Sequence) and args:
        return args[0]
    return None
