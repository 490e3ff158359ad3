"""Load one request form (``kb/catalog/<id>.yml``) and check it."""

import re
from pathlib import Path

from selfservice.content.fields import Problem, Reader, as_mapping
from selfservice.content.model import FieldType, FormField, Option, RequestForm, ShowIf
from selfservice.content.yaml_lines import LineDict, YamlSyntaxError, load_yaml
from selfservice.domain.enums import Impact, TicketType, Urgency

FORM_KEYS = (
    "id", "type", "service", "title", "description", "default_impact",
    "customer_sets_urgency", "default_urgency", "fulfilment_hours", "keywords", "fields",
)  # fmt: skip
FIELD_KEYS = (
    "id", "type", "label", "required", "help", "pattern", "min", "max", "max_length",
    "options", "show_if",
)  # fmt: skip
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]*$")
TEXTUAL = {FieldType.STRING, FieldType.TEXT, FieldType.PHONE, FieldType.HOSTNAME, FieldType.EMAIL}
CHOICES = {FieldType.CHOICE, FieldType.MULTI_CHOICE}


def load_form(path: Path, problems: list[Problem]) -> tuple[RequestForm | None, int]:
    """The form, or None when it cannot be used; plus the line of its ``service`` key."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.reason))
        return None, 1
    root = as_mapping(data, path, problems, 1)
    if root is None:
        return None, 1
    reader = Reader(root, path, problems)
    reader.reject_unknown(FORM_KEYS)
    form_id = reader.ident("id")
    if form_id is not None and form_id != path.stem:
        reader.problem(reader.line("id"), f"id '{form_id}' must equal the file name '{path.stem}'")
    ticket_type = reader.enum("type", TicketType)
    service = reader.ident("service")
    title = reader.text("title")
    description = reader.text("description")
    impact = reader.enum("default_impact", Impact, default=Impact.LOW)
    sets_urgency = reader.boolean("customer_sets_urgency", default=True)
    urgency = reader.enum("default_urgency", Urgency, default=Urgency.MEDIUM)
    fulfilment = reader.number("fulfilment_hours")
    if fulfilment is not None and ticket_type is TicketType.INCIDENT:
        reader.problem(reader.line("fulfilment_hours"), "fulfilment_hours applies to requests only")
    if fulfilment is None and ticket_type is TicketType.REQUEST:
        reader.problem(reader.line(), "a request form needs 'fulfilment_hours'")
    keywords = reader.strings("keywords")
    fields = _load_fields(reader)
    if (
        form_id is None or ticket_type is None or service is None or title is None
        or description is None or fields is None
    ):  # fmt: skip
        return None, reader.line("service")
    form = RequestForm(
        id=form_id, type=ticket_type, service=service, title=title, description=description,
        fields=fields, path=path, default_impact=impact or Impact.LOW,
        customer_sets_urgency=sets_urgency, default_urgency=urgency or Urgency.MEDIUM,
        fulfilment_hours=fulfilment, keywords=keywords,
    )  # fmt: skip
    return form, reader.line("service")


def _load_fields(reader: Reader) -> tuple[FormField, ...] | None:
    items = reader.items("fields")
    if "fields" in reader.data and not items:
        reader.problem(reader.line("fields"), "a form needs at least one field")
    fields: list[FormField] = []
    raw: dict[str, LineDict] = {}
    ok = True
    for index, item in items:
        field = _load_field(reader.child("fields", item, f"fields[{index}]."))
        if field is None:
            ok = False
            continue
        if field.id in raw:
            reader.problem(item.line_of("id"), f"duplicate field id '{field.id}'")
            ok = False
            continue
        raw[field.id] = item
        fields.append(field)
    by_id = {f.id: f for f in fields}
    for field in fields:
        if field.show_if is not None and not _show_if_ok(reader, field, by_id, raw[field.id]):
            ok = False
    return tuple(fields) if ok and fields else None


def _load_field(reader: Reader) -> FormField | None:
    reader.reject_unknown(FIELD_KEYS)
    field_id = reader.ident("id", pattern=FIELD_ID)
    field_type = reader.enum("type", FieldType)
    label = reader.text("label")
    required = reader.boolean("required", default=False)
    help_text = reader.text("help", required=False)
    pattern = reader.string("pattern", required=False)
    low, high = reader.integer("min"), reader.integer("max")
    max_length = reader.integer("max_length")
    options = _load_options(reader)
    show_if = _load_show_if(reader)
    valid = field_id is not None and field_type is not None and label is not None
    if field_type is not None:
        valid = _check_type_rules(reader, field_type, pattern, low, high, options) and valid
    if not valid:
        return None
    assert field_id is not None and field_type is not None and label is not None
    return FormField(
        id=field_id, type=field_type, label=label, required=required, help=help_text,
        pattern=pattern, min=low, max=high, max_length=max_length,
        options=tuple(options or ()), show_if=show_if,
    )  # fmt: skip


def _check_type_rules(
    reader: Reader,
    field_type: FieldType,
    pattern: str | None,
    low: int | None,
    high: int | None,
    options: list[Option] | None,
) -> bool:
    ok = True
    if pattern is not None:
        if field_type not in TEXTUAL:
            reader.problem(
                reader.line("pattern"), f"'pattern' does not apply to {field_type} fields"
            )
            ok = False
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                reader.problem(
                    reader.line("pattern"), f"'pattern' is not a valid regular expression: {exc}"
                )
                ok = False
    if (low is not None or high is not None) and field_type is not FieldType.INTEGER:
        reader.problem(
            reader.line("min" if low is not None else "max"),
            "'min'/'max' apply to integer fields only",
        )
        ok = False
    if low is not None and high is not None and low > high:
        reader.problem(reader.line("min"), f"'min' ({low}) is greater than 'max' ({high})")
        ok = False
    if field_type in CHOICES and not options:
        if options is None:
            reader.problem(reader.line(), f"a {field_type} field needs 'options'")
        ok = False
    if field_type not in CHOICES and "options" in reader.data:
        reader.problem(reader.line("options"), f"'options' do not apply to {field_type} fields")
        ok = False
    return ok


def _load_options(reader: Reader) -> list[Option] | None:
    if "options" not in reader.data:
        return None
    options: list[Option] = []
    seen: set[str] = set()
    items = reader.items("options")
    if not items:
        reader.problem(reader.line("options"), "'options' is empty")
    for index, item in items:
        option = reader.child("options", item, f"{reader.where}options[{index}].")
        option.reject_unknown(["value", "label"])
        value = option.string("value")
        label = option.text("label")
        if value is None or label is None:
            continue
        if value in seen:
            option.problem(item.line_of("value"), f"duplicate option value '{value}'")
            continue
        seen.add(value)
        options.append(Option(value=value, label=label))
    return options


def _load_show_if(reader: Reader) -> ShowIf | None:
    data = reader.mapping("show_if", required=False)
    if data is None:
        return None
    cond = reader.child("show_if", data, f"{reader.where}show_if.")
    cond.reject_unknown(["field", "equals", "in"])
    target = cond.string("field")
    if ("equals" in data) == ("in" in data):
        cond.problem(data.line, "'show_if' needs exactly one of 'equals' or 'in'")
        return None
    if "equals" in data:
        values: tuple[str, ...] = (_as_value(data["equals"]),)
    else:
        values = tuple(_as_value(v) for v in cond.strings("in") or ())
        if not values:
            cond.problem(cond.line("in"), "'show_if.in' must list at least one value")
            return None
    if target is None:
        return None
    return ShowIf(field=target, values=values)


def _as_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _show_if_ok(
    reader: Reader, field: FormField, by_id: dict[str, FormField], item: LineDict
) -> bool:
    assert field.show_if is not None
    line = item.line_of("show_if")
    target = by_id.get(field.show_if.field)
    if target is None:
        reader.problem(
            line, f"field '{field.id}': show_if names a missing field '{field.show_if.field}'"
        )
        return False
    if target.id == field.id:
        reader.problem(line, f"field '{field.id}': show_if cannot name the field itself")
        return False
    allowed: set[str] | None = None
    if target.type in CHOICES:
        allowed = {o.value for o in target.options}
    elif target.type is FieldType.BOOLEAN:
        allowed = {"true", "false"}
    if allowed is not None:
        bad = [v for v in field.show_if.values if v not in allowed]
        if bad:
            reader.problem(
                line,
                f"field '{field.id}': show_if value(s) {', '.join(bad)} are not options of "
                f"'{target.id}' ({', '.join(sorted(allowed))})",
            )
            return False
    return True
