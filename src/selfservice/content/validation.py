"""Validate a submission of a typed request form, and describe the form as JSON Schema.

:func:`validate_submission` is lenient in what it reads (numbers as strings, ``""`` or
``null`` for "no answer", phone numbers with spaces) and returns *canonical* values:
stripped strings, ``int``, ``bool``, ISO dates, compressed IP addresses, lower-case host
names, phone numbers as ``+`` and digits; unanswered optional fields are left out.

:func:`form_json_schema` describes exactly those canonical values (draft 2020-12), plus
UI hints under ``x-ui``. The two agree: the validator accepts every payload the schema
accepts, and whatever the validator returns is valid against the schema.

Hidden fields (``show_if`` not met) are never required; a value submitted for one is
dropped and reported in :attr:`FormResult.dropped`, never silently lost. The error texts
are ``form.*`` of the text catalogue (``selfservice/text/languages/<lang>.yml``).
"""

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from selfservice.content.model import FieldType, FormField, RequestForm, Text
from selfservice.text.catalogue import text

T = FieldType
#: Longest accepted value per string type when the form sets no ``max_length``.
DEFAULT_MAX_LENGTH: Final = {T.STRING: 255, T.TEXT: 10_000, T.EMAIL: 254, T.HOSTNAME: 253}
STRING_TYPES: Final = frozenset(
    {T.STRING, T.TEXT, T.EMAIL, T.PHONE, T.DATE, T.IPV4, T.IPV6, T.IP, T.HOSTNAME}
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME_PATTERN: Final = rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$"
EMAIL_PATTERN: Final = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
PHONE_PATTERN: Final = r"^\+?[0-9]{7,15}$"
DATE_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_TRUE, _FALSE = frozenset({"true", "yes", "on", "1"}), frozenset({"false", "no", "off", "0"})



@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: Text


def _error(field_id: str, code: str, **params: object) -> FieldError:
    key = f"form.{code}"
    return FieldError(field_id, code, Text(text(key, "en", **params), text(key, "ru", **params)))


@dataclass(frozen=True)
class FormResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: tuple[FieldError, ...] = ()
    #: Fields that were answered but hidden by ``show_if``; their values were dropped.
    dropped: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def validate_submission(form: RequestForm, submitted: object) -> FormResult:
    """Check ``submitted`` (field id → value) against ``form``; see the module docstring."""
    if not isinstance(submitted, Mapping):
        return FormResult(errors=(_error("", "not_an_object"),))
    known = {f.id: f for f in form.fields}
    errors = [_error(str(k), "unknown_field") for k in submitted if k not in known]
    cleaned: dict[str, Any] = {}
    problems: dict[str, FieldError] = {}
    for f in form.fields:
        raw = submitted.get(f.id)
        if _is_blank(raw):
            continue
        try:
            cleaned[f.id] = _clean(f, raw)
        except _Invalid as invalid:
            problems[f.id] = _error(f.id, invalid.code, **invalid.params)
    visible = _visibility(form, cleaned)
    values: dict[str, Any] = {}
    dropped: list[str] = []
    for f in form.fields:
        if not visible[f.id]:
            if not _is_blank(submitted.get(f.id)):
                dropped.append(f.id)
        elif f.id in problems:
            errors.append(problems[f.id])
        elif f.id in cleaned:
            values[f.id] = cleaned[f.id]
        elif f.required:
            errors.append(_error(f.id, "required"))
    return FormResult(values, tuple(errors), tuple(dropped))


def visible_fields(form: RequestForm, values: Mapping[str, Any]) -> dict[str, bool]:
    """Which fields are shown with these (canonical) values: the Telegram channel asks
    only those, one by one."""
    return _visibility(form, values)


def _visibility(form: RequestForm, cleaned: Mapping[str, Any]) -> dict[str, bool]:
    """A field is visible when it has no ``show_if``, or its controlling field is visible
    and holds one of the listed values. A cycle of conditions counts as hidden."""
    result: dict[str, bool] = {}

    def visible(f: FormField, seen: frozenset[str]) -> bool:
        if f.id in result:
            return result[f.id]
        if f.show_if is None:
            return True
        controller = form.field(f.show_if.field)
        if controller is None or controller.id in seen:
            return False
        shown = visible(controller, seen | {f.id}) and _matches(
            cleaned.get(controller.id), f.show_if.values
        )
        result[f.id] = shown
        return shown

    return {f.id: visible(f, frozenset()) for f in form.fields}


def _matches(value: object, values: tuple[str, ...]) -> bool:
    if value is None:
        return False
    if isinstance(value, list):
        return any(str(v) in values for v in value)
    if isinstance(value, bool):
        return ("true" if value else "false") in values
    return str(value) in values


def _clean(f: FormField, raw: object) -> Any:
    if f.type is T.INTEGER:
        return _integer(f, raw)
    if f.type is T.BOOLEAN:
        return _boolean(raw)
    if f.type is T.MULTI_CHOICE:
        return _multi_choice(f, raw)
    if not isinstance(raw, str):
        raise _Invalid("not_text")
    text = raw.strip()
    value = _CLEANERS.get(f.type, _plain)(f, text)
    limit = f.max_length or DEFAULT_MAX_LENGTH.get(f.type)
    if limit is not None and len(value) > limit:
        raise _Invalid("too_long", limit=limit)
    if f.pattern and not re.fullmatch(f.pattern, value):
        raise _Invalid("pattern_mismatch")
    return value


def _plain(f: FormField, text: str) -> str:
    return text


def _email(f: FormField, text: str) -> str:
    if not re.fullmatch(EMAIL_PATTERN, text):
        raise _Invalid("invalid_email")
    return text


def _phone(f: FormField, text: str) -> str:
    compact = _PHONE_SEPARATORS.sub("", text)
    if not re.fullmatch(PHONE_PATTERN, compact):
        raise _Invalid("invalid_phone")
    return compact


def _date(f: FormField, text: str) -> str:
    try:
        if not re.fullmatch(DATE_PATTERN, text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise _Invalid("invalid_date") from None


def _ip(f: FormField, text: str) -> str:
    versions = {T.IPV4: (4,), T.IPV6: (6,), T.IP: (4, 6)}[f.type]
    try:
        if "%" in text:  # scoped IPv6 addresses are not accepted
            raise ValueError(text)
        address = ipaddress.ip_address(text)
    except ValueError:
        raise _Invalid(f"invalid_{f.type.value}") from None
    if address.version not in versions:
        raise _Invalid(f"invalid_{f.type.value}")
    return str(address)


def _hostname(f: FormField, text: str) -> str:
    name = text.lower().removesuffix(".")
    if not re.fullmatch(HOSTNAME_PATTERN, name):
        raise _Invalid("invalid_hostname")
    return name


def _choice(f: FormField, text: str) -> str:
    if text not in {o.value for o in f.options}:
        raise _Invalid("invalid_choice")
    return text


_CLEANERS = {
    T.EMAIL: _email,
    T.PHONE: _phone,
    T.DATE: _date,
    T.IPV4: _ip,
    T.IPV6: _ip,
    T.IP: _ip,
    T.HOSTNAME: _hostname,
    T.CHOICE: _choice,
}


def _integer(f: FormField, raw: object) -> int:
    if isinstance(raw, bool):
        raise _Invalid("not_an_integer")
    if isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and re.fullmatch(r"[+-]?[0-9]{1,18}", raw.strip()):
        value = int(raw.strip())
    else:
        raise _Invalid("not_an_integer")
    if f.min is not None and value < f.min:
        raise _Invalid("too_small", limit=f.min)
    if f.max is not None and value > f.max:
        raise _Invalid("too_large", limit=f.max)
    return value


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise _Invalid("not_a_boolean")


def _multi_choice(f: FormField, raw: object) -> list[str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _Invalid("not_a_list")
    allowed = [o.value for o in f.options]
    chosen = {i.strip() for i in items}
    if not chosen <= set(allowed):
        raise _Invalid("invalid_choice")
    if f.min is not None and len(chosen) < f.min:
        raise _Invalid("too_few", limit=f.min)
    if f.max is not None and len(chosen) > f.max:
        raise _Invalid("too_many", limit=f.max)
    return [value for value in allowed if value in chosen]  # in the form's order
