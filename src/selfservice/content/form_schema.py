"""A request form as JSON Schema (draft 2020-12) with UI hints, for the API and the widget.

The schema describes the canonical values that
:func:`selfservice.content.validation.validate_submission` returns; it is the same rules
written for a client: every payload the schema accepts (with format assertion on), the
validator accepts too. UI hints live under ``x-ui``: labels and help in both languages,
field order, widget kind, options and ``show_if`` conditions.
"""

from typing import Any, Final

from selfservice.content.model import FieldType, FormField, RequestForm, ShowIf
from selfservice.content.validation import (
    DATE_PATTERN,
    DEFAULT_MAX_LENGTH,
    EMAIL_PATTERN,
    PHONE_PATTERN,
)

T = FieldType
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = rf"^{_LABEL}(?:\.{_LABEL})*$"
_NON_BLANK = r"\S"
WIDGETS: Final = {
    T.STRING: "text", T.TEXT: "textarea", T.EMAIL: "email", T.PHONE: "tel",
    T.INTEGER: "number", T.CHOICE: "select", T.MULTI_CHOICE: "checkboxes",
    T.BOOLEAN: "yes-no", T.DATE: "date", T.IPV4: "ip", T.IPV6: "ip", T.IP: "ip",
    T.HOSTNAME: "hostname",
}  # fmt: skip


def form_json_schema(form: RequestForm, lang: str = "en") -> dict[str, Any]:
    """JSON Schema of ``form``; titles and descriptions in ``lang`` (``en`` or ``ru``)."""
    properties = {f.id: _property(f, lang) for f in form.fields}
    always = [f for f in form.fields if f.required and f.show_if is None]
    for f in always:
        properties[f.id] = _merge(properties[f.id], _answered(f))
    conditional = [
        {
            "if": _visible(form, f),
            "then": {"required": [f.id], "properties": {f.id: _answered(f)}},
        }
        for f in form.fields
        if f.required and f.show_if is not None
    ]
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"urn:selfservice:form:{form.id}",
        "title": form.title.get(lang),
        "description": form.description.get(lang),
        "type": "object",
        "properties": properties,
        "required": [f.id for f in always],
        "additionalProperties": False,
    }
    if conditional:
        schema["allOf"] = conditional
    schema["x-ui"] = _ui(form, lang)
    return schema


def _property(f: FormField, lang: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": f.label.get(lang)}
    if f.help is not None:
        schema["description"] = f.help.get(lang)
    schema.update(_type_schema(f))
    patterns = [schema.pop("pattern")] if "pattern" in schema else []
    if f.pattern and schema.get("type") == "string":
        patterns.append(f"^(?:{f.pattern})$")
    if len(patterns) == 1:
        schema["pattern"] = patterns[0]
    elif patterns:
        schema["allOf"] = [{"pattern": p} for p in patterns]
    return schema


def _type_schema(f: FormField) -> dict[str, Any]:
    values = [o.value for o in f.options]
    if f.type is T.INTEGER:
        return _drop_none({"type": "integer", "minimum": f.min, "maximum": f.max})
    if f.type is T.BOOLEAN:
        return {"type": "boolean"}
    if f.type is T.MULTI_CHOICE:
        return _drop_none(
            {"type": "array", "items": {"type": "string", "enum": values}, "uniqueItems": True,
             "minItems": f.min, "maxItems": f.max}
        )  # fmt: skip
    if f.type is T.CHOICE:
        return {"type": "string", "enum": values}
    limit = f.max_length or DEFAULT_MAX_LENGTH.get(f.type)
    schema: dict[str, Any] = _drop_none({"type": "string", "maxLength": limit})
    formats: dict[FieldType, dict[str, Any]] = {
        T.EMAIL: {"format": "email", "pattern": EMAIL_PATTERN},
        T.PHONE: {"pattern": PHONE_PATTERN},
        T.DATE: {"format": "date", "pattern": DATE_PATTERN},
        T.IPV4: {"format": "ipv4"},
        T.IPV6: {"format": "ipv6"},
        T.IP: {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]},
        T.HOSTNAME: {"format": "hostname", "pattern": _HOSTNAME},
    }
    schema.update(formats.get(f.type, {}))
    return schema


def _answered(f: FormField) -> dict[str, Any]:
    """What "answered" means for a required field (blank text and [] are no answer)."""
    if f.type is T.MULTI_CHOICE:
        return {"minItems": max(1, f.min or 1)}
    if f.type in (T.INTEGER, T.BOOLEAN):
        return {}
    return {"allOf": [{"pattern": _NON_BLANK}]}


def _visible(form: RequestForm, f: FormField) -> dict[str, Any]:
    """The condition under which ``f`` is shown: its ``show_if`` and its controller's."""
    conditions: list[dict[str, Any]] = []
    seen = {f.id}
    current: FormField | None = f
    while current is not None and current.show_if is not None:
        controller = form.field(current.show_if.field)
        if controller is None or controller.id in seen:
            return {"not": {}}  # never shown, as the validator decides
        conditions.append(_condition(controller, current.show_if))
        seen.add(controller.id)
        current = controller
    return conditions[0] if len(conditions) == 1 else {"allOf": conditions}


def _condition(controller: FormField, show_if: ShowIf) -> dict[str, Any]:
    values = list(show_if.values)
    match: dict[str, Any]
    if controller.type is T.MULTI_CHOICE:
        match = {"contains": {"enum": values}}
    elif controller.type is T.BOOLEAN:
        match = {"enum": [v == "true" for v in values if v in ("true", "false")]}
    elif controller.type is T.INTEGER:
        match = {"enum": [int(v) for v in values if v.lstrip("+-").isdigit()]}
    else:
        match = {"enum": values}
    return {"properties": {controller.id: match}, "required": [controller.id]}


def _ui(form: RequestForm, lang: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for f in form.fields:
        hint: dict[str, Any] = {
            "widget": WIDGETS[f.type],
            "type": f.type.value,
            "label": {"en": f.label.en, "ru": f.label.ru},
            "required": f.required,
        }
        if f.help is not None:
            hint["help"] = {"en": f.help.en, "ru": f.help.ru}
        if f.options:
            hint["options"] = [
                {"value": o.value, "label": {"en": o.label.en, "ru": o.label.ru}} for o in f.options
            ]
        if f.show_if is not None:
            hint["show_if"] = {"field": f.show_if.field, "values": list(f.show_if.values)}
        fields[f.id] = hint
    return {"lang": lang, "order": [f.id for f in form.fields], "fields": fields}


def _merge(schema: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = {**schema, **extra}
    if "allOf" in schema and "allOf" in extra:
        merged["allOf"] = [*schema["allOf"], *extra["allOf"]]
    return merged


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
