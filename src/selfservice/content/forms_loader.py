"""Load one request form (``kb/catalog/<id>.yml``) and check it.

:class:`FormSpec` (pydantic) checks each value; :func:`load_form` checks what spans
several keys (the file name, the type's rules, ``show_if`` references) and builds the
plain :class:`~selfservice.content.model.RequestForm`. Every problem is
``FILE:LINE: key.path: reason`` (``content.yaml_models``).
"""

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PlainValidator, model_validator

from selfservice.content.fields import Problem, problems_of
from selfservice.content.kb_types import (
    Flag,
    Ident,
    Positive,
    Str,
    Texts,
    TextSpec,
    Whole,
    matching,
    text_of,
)
from selfservice.content.model import FieldType, FormField, Option, RequestForm, ShowIf
from selfservice.content.yaml_lines import YamlSyntaxError, line_at, load_yaml
from selfservice.content.yaml_models import KeyIssue, YamlModel, validated
from selfservice.domain.enums import Impact, TicketType, Urgency

FIELD_ID = re.compile(r"^[a-z][a-z0-9_]*$")
TEXTUAL = {FieldType.STRING, FieldType.TEXT, FieldType.PHONE, FieldType.HOSTNAME, FieldType.EMAIL}
CHOICES = {FieldType.CHOICE, FieldType.MULTI_CHOICE}


def _as_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return text_of(value)


class OptionSpec(YamlModel):
    value: Str
    label: TextSpec


class ShowIfSpec(YamlModel):
    field: Str
    equals: Annotated[str | None, PlainValidator(_as_value)] = None
    in_: Texts | None = Field(default=None, alias="in")

    @model_validator(mode="before")
    @classmethod
    def _one_of(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("equals" in data) == ("in" in data):
            raise ValueError("needs exactly one of 'equals' or 'in'")
        if isinstance(data, dict) and "in" in data and data["in"] == []:
            raise ValueError("'in' must list at least one value")
        return data

    def values(self) -> tuple[str, ...]:
        return self.in_ if self.in_ is not None else (str(self.equals),)


class FieldSpec(YamlModel):
    id: Annotated[str, matching(FIELD_ID)]
    type: FieldType
    label: TextSpec
    required: Flag = False
    help: TextSpec | None = None
    pattern: Str | None = None
    min: Whole | None = None
    max: Whole | None = None
    max_length: Whole | None = None
    options: list[OptionSpec] | None = None
    show_if: ShowIfSpec | None = None


class FormSpec(YamlModel):
    id: Ident
    type: TicketType
    service: Ident
    title: TextSpec
    description: TextSpec
    default_impact: Impact = Impact.LOW
    customer_sets_urgency: Flag = True
    default_urgency: Urgency = Urgency.MEDIUM
    fulfilment_hours: Positive | None = None
    keywords: Texts = ()
    fields: list[FieldSpec]


def load_form(path: Path, problems: list[Problem]) -> tuple[RequestForm | None, int]:
    """The form, or None when it cannot be used; plus the line of its ``service`` key."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.reason))
        return None, 1
    service_line = line_at(data, "service")
    spec, issues = validated(FormSpec, data)
    problems.extend(problems_of(path, data, issues))
    if spec is None:
        return None, service_line
    issues = _check(spec, path)
    if issues:
        problems.extend(problems_of(path, data, issues))
        return None, service_line
    form = RequestForm(
        id=spec.id, type=spec.type, service=spec.service, title=spec.title.text(),
        description=spec.description.text(), fields=tuple(_field(f) for f in spec.fields),
        path=path, default_impact=spec.default_impact,
        customer_sets_urgency=spec.customer_sets_urgency,
        default_urgency=spec.default_urgency, fulfilment_hours=spec.fulfilment_hours,
        keywords=spec.keywords,
    )  # fmt: skip
    return form, service_line


def _field(spec: FieldSpec) -> FormField:
    return FormField(
        id=spec.id, type=spec.type, label=spec.label.text(), required=spec.required,
        help=spec.help.text() if spec.help else None, pattern=spec.pattern, min=spec.min,
        max=spec.max, max_length=spec.max_length,
        options=tuple(Option(o.value, o.label.text()) for o in spec.options or ()),
        show_if=ShowIf(spec.show_if.field, spec.show_if.values()) if spec.show_if else None,
    )  # fmt: skip


def _check(spec: FormSpec, path: Path) -> list[KeyIssue]:
    issues: list[KeyIssue] = []
    if spec.id != path.stem:
        issues.append(KeyIssue("id", f"id '{spec.id}' must equal the file name '{path.stem}'"))
    if spec.fulfilment_hours is not None and spec.type is TicketType.INCIDENT:
        issues.append(KeyIssue("fulfilment_hours", "applies to requests only"))
    if spec.fulfilment_hours is None and spec.type is TicketType.REQUEST:
        issues.append(KeyIssue("fulfilment_hours", "missing: a request form needs it"))
    if not spec.fields:
        issues.append(KeyIssue("fields", "a form needs at least one field"))
    seen: dict[str, FieldSpec] = {}
    for index, field in enumerate(spec.fields):
        where = f"fields[{index}]"
        if field.id in seen:
            issues.append(KeyIssue(f"{where}.id", f"duplicate field id '{field.id}'"))
        seen.setdefault(field.id, field)
        issues += _type_rules(field, where)
    for index, field in enumerate(spec.fields):
        if field.show_if is not None:
            issues += _show_if(field, seen, f"fields[{index}].show_if")
    return issues


def _type_rules(field: FieldSpec, where: str) -> list[KeyIssue]:
    issues: list[KeyIssue] = []
    kind = field.type
    if field.pattern is not None and kind not in TEXTUAL:
        issues.append(KeyIssue(f"{where}.pattern", f"does not apply to {kind} fields"))
    elif field.pattern is not None:
        try:
            re.compile(field.pattern)
        except re.error as exc:
            issues.append(KeyIssue(f"{where}.pattern", f"not a valid regular expression: {exc}"))
    if (field.min is not None or field.max is not None) and kind is not FieldType.INTEGER:
        key = "min" if field.min is not None else "max"
        issues.append(KeyIssue(f"{where}.{key}", "min/max apply to integer fields only"))
    if field.min is not None and field.max is not None and field.min > field.max:
        issues.append(KeyIssue(f"{where}.min",
                               f"{field.min} is greater than max ({field.max})"))
    if kind in CHOICES and field.options is None:
        issues.append(KeyIssue(f"{where}.options", f"missing: a {kind} field needs options"))
    elif kind in CHOICES and not field.options:
        issues.append(KeyIssue(f"{where}.options", "is empty"))
    if kind not in CHOICES and field.options is not None:
        issues.append(KeyIssue(f"{where}.options", f"do not apply to {kind} fields"))
    values = [o.value for o in field.options or ()]
    for index, value in enumerate(values):
        if value in values[:index]:
            issues.append(KeyIssue(f"{where}.options[{index}].value",
                                   f"duplicate option value '{value}'"))
    return issues


def _show_if(field: FieldSpec, by_id: dict[str, FieldSpec], where: str) -> list[KeyIssue]:
    assert field.show_if is not None
    target = by_id.get(field.show_if.field)
    if target is None:
        return [KeyIssue(f"{where}.field", f"names a missing field '{field.show_if.field}'")]
    if target.id == field.id:
        return [KeyIssue(f"{where}.field", "cannot name the field itself")]
    allowed: set[str] | None = None
    if target.type in CHOICES and not target.options:
        return []  # reported on the target
    if target.type in CHOICES:
        allowed = {o.value for o in target.options or ()}
    elif target.type is FieldType.BOOLEAN:
        allowed = {"true", "false"}
    bad = [v for v in field.show_if.values() if allowed is not None and v not in allowed]
    if bad and allowed is not None:
        key = "in" if field.show_if.in_ is not None else "equals"
        return [KeyIssue(f"{where}.{key}", f"value(s) {', '.join(bad)} are not options of "
                         f"'{target.id}' ({', '.join(sorted(allowed))})")]
    return []
