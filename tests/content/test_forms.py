"""Typed form submissions: the validator and the JSON Schema, and that they agree."""

from pathlib import Path
from typing import Any

import pytest

from selfservice.content.form_schema import form_json_schema
from selfservice.content.model import FieldType, FormField, Option, RequestForm, ShowIf, Text
from selfservice.content.validation import FormResult, validate_submission
from selfservice.domain.enums import TicketType

T = FieldType


def text(en: str) -> Text:
    return Text(en, f"{en} (ru)")


def options(*values: str) -> tuple[Option, ...]:
    return tuple(Option(v, text(v.title())) for v in values)


def make_form(*fields: FormField) -> RequestForm:
    return RequestForm(
        id="everything",
        type=TicketType.REQUEST,
        service="compute",
        title=Text("Everything", "Всё"),
        description=Text("A form with every field type", "Форма со всеми типами полей"),
        fields=fields or EVERY_FIELD,
        path=Path("kb/catalog/everything.yml"),
        fulfilment_hours=8,
    )


EVERY_FIELD = (
    FormField("name", T.STRING, text("Name"), required=True, max_length=20),
    FormField("note", T.TEXT, text("Note"), help=text("Anything else")),
    FormField("mail", T.EMAIL, text("E-mail"), required=True),
    FormField("phone", T.PHONE, text("Phone")),
    FormField("cores", T.INTEGER, text("Cores"), required=True, min=1, max=64),
    FormField("os", T.CHOICE, text("OS"), required=True, options=options("linux", "windows")),
    FormField(
        "rdp_port", T.INTEGER, text("RDP port"), required=True, min=1, max=65535,
        show_if=ShowIf("os", ("windows",)),
    ),
    FormField(
        "rdp_note", T.STRING, text("Why not 3389"), required=True,
        show_if=ShowIf("rdp_port", ("3390", "3391")),
    ),
    FormField(
        "features", T.MULTI_CHOICE, text("Features"), max=2,
        options=options("backup", "monitoring", "antivirus"),
    ),
    FormField(
        "av_vendor", T.STRING, text("Antivirus vendor"), required=True,
        show_if=ShowIf("features", ("antivirus",)),
    ),
    FormField("urgent", T.BOOLEAN, text("Urgent")),
    FormField(
        "urgent_why", T.TEXT, text("Why urgent"), required=True, show_if=ShowIf("urgent", ("true",))
    ),
    FormField("start", T.DATE, text("Start")),
    FormField("ip4", T.IPV4, text("IPv4")),
    FormField("ip6", T.IPV6, text("IPv6")),
    FormField("any_ip", T.IP, text("IP")),
    FormField("host", T.HOSTNAME, text("Host")),
    FormField("contract", T.STRING, text("Contract"), pattern=r"[A-Z]{2}-\d{6}"),
)  # fmt: skip

MINIMAL = {"name": "Ann", "mail": "ann@example.com", "cores": 4, "os": "linux"}


FORM = make_form()


def check(**changes: Any) -> FormResult:
    data = {**MINIMAL, **changes}
    return validate_submission(FORM, {k: v for k, v in data.items() if v is not _GONE})


_GONE = object()


def test_minimal_submission_is_clean() -> None:
    result = check()
    assert result.ok and result.values == MINIMAL and result.dropped == ()


VALID = [
    # field, submitted, canonical
    ("name", "  Ann Lee  ", "Ann Lee"),
    ("note", "line 1\nline 2", "line 1\nline 2"),
    ("mail", "ann.lee+it@mail.example.com", "ann.lee+it@mail.example.com"),
    ("phone", "+7 (999) 123-45-67", "+79991234567"),
    ("phone", "1-800-555-0199", "18005550199"),
    ("cores", 64, 64),
    ("cores", " 8 ", 8),
    ("cores", 2.0, 2),
    ("features", ["antivirus", "backup", "backup"], ["backup", "antivirus"]),
    ("features", "monitoring", ["monitoring"]),
    ("urgent", False, False),
    ("urgent", "no", False),
    ("start", "2024-02-29", "2024-02-29"),
    ("ip4", "10.0.0.1", "10.0.0.1"),
    ("ip6", "2001:DB8:0:0::1", "2001:db8::1"),
    ("any_ip", "192.168.1.1", "192.168.1.1"),
    ("any_ip", "::1", "::1"),
    ("host", "VM-01.Example.com.", "vm-01.example.com"),
    ("host", "db1", "db1"),
    ("contract", "AB-123456", "AB-123456"),
]


@pytest.mark.parametrize(("field", "submitted", "canonical"), VALID)
def test_valid_values_are_canonicalised(field: str, submitted: object, canonical: object) -> None:
    extra = {"av_vendor": "ACME"} if field == "features" else {}
    result = check(**{field: submitted}, **extra)
    assert result.ok, result.errors
    assert result.values[field] == canonical


INVALID = [
    # field, submitted, code
    ("name", "x" * 21, "too_long"),
    ("name", 42, "not_text"),
    ("note", "x" * 10_001, "too_long"),
    ("mail", "ann@", "invalid_email"),
    ("mail", "ann@example", "invalid_email"),
    ("mail", "ann lee@example.com", "invalid_email"),
    ("phone", "12345", "invalid_phone"),
    ("phone", "+7 999 CALL ME", "invalid_phone"),
    ("cores", 0, "too_small"),
    ("cores", 65, "too_large"),
    ("cores", "four", "not_an_integer"),
    ("cores", 2.5, "not_an_integer"),
    ("cores", True, "not_an_integer"),
    ("os", "macos", "invalid_choice"),
    ("features", ["backup", "tape"], "invalid_choice"),
    ("features", ["backup", "monitoring", "antivirus"], "too_many"),
    ("features", {"backup": True}, "not_a_list"),
    ("urgent", "maybe", "not_a_boolean"),
    ("start", "2025-02-29", "invalid_date"),
    ("start", "29.02.2024", "invalid_date"),
    ("start", "20240229", "invalid_date"),
    ("ip4", "256.0.0.1", "invalid_ipv4"),
    ("ip4", "::1", "invalid_ipv4"),
    ("ip4", "010.0.0.1", "invalid_ipv4"),
    ("ip6", "10.0.0.1", "invalid_ipv6"),
    ("ip6", "fe80::1%eth0", "invalid_ipv6"),
    ("any_ip", "localhost", "invalid_ip"),
    ("host", "-bad.example.com", "invalid_hostname"),
    ("host", "under_score", "invalid_hostname"),
    ("host", "a" * 64, "invalid_hostname"),
    ("host", "a..b", "invalid_hostname"),
    ("contract", "ab-123456", "pattern_mismatch"),
    ("contract", "AB-123456 extra", "pattern_mismatch"),  # the whole value must match
]


@pytest.mark.parametrize(("field", "submitted", "code"), INVALID)
def test_invalid_values(field: str, submitted: object, code: str) -> None:
    result = check(**{field: submitted})
    assert not result.ok
    assert [(e.field, e.code) for e in result.errors] == [(field, code)]
    error = result.errors[0]
    assert error.message.en and error.message.ru and error.message.en != error.message.ru
    assert field not in result.values


@pytest.mark.parametrize("blank", [_GONE, None, "", "   ", []])
@pytest.mark.parametrize("field", ["name", "mail", "cores", "os"])
def test_required(field: str, blank: object) -> None:
    result = check(**{field: blank})
    assert [(e.field, e.code) for e in result.errors] == [(field, "required")]


@pytest.mark.parametrize("blank", [None, "", []])
def test_optional_blank_answers_are_left_out(blank: object) -> None:
    result = check(note=blank, phone=blank, features=blank)
    assert result.ok and set(result.values) == set(MINIMAL)


def test_unknown_fields_are_rejected() -> None:
    result = check(colour="blue")
    assert [(e.field, e.code) for e in result.errors] == [("colour", "unknown_field")]


def test_not_an_object() -> None:
    result = validate_submission(FORM, ["name"])
    assert [(e.field, e.code) for e in result.errors] == [("", "not_an_object")]


SHOW_IF = [
    # changes, expected errors, dropped fields, values expected besides MINIMAL's
    ({"os": "windows"}, [("rdp_port", "required")], [], {}),
    ({"os": "windows", "rdp_port": "3389"}, [], [], {"os": "windows", "rdp_port": 3389}),
    ({"os": "linux", "rdp_port": 3389}, [], ["rdp_port"], {}),
    ({"os": "linux", "rdp_port": "not a number"}, [], ["rdp_port"], {}),  # hidden: no error
    ({"os": "windows", "rdp_port": 3390}, [("rdp_note", "required")], [], {"rdp_port": 3390}),
    ({"os": "linux", "rdp_port": 3390, "rdp_note": "x"}, [], ["rdp_port", "rdp_note"], {}),
    ({"os": "windows", "rdp_port": 99999, "rdp_note": "x"}, [("rdp_port", "too_large")],
     ["rdp_note"], {}),
    ({"features": ["antivirus"]}, [("av_vendor", "required")], [], {"features": ["antivirus"]}),
    ({"features": ["backup"], "av_vendor": "ACME"}, [], ["av_vendor"], {"features": ["backup"]}),
    ({"urgent": "true"}, [("urgent_why", "required")], [], {"urgent": True}),
    ({"urgent": False, "urgent_why": "because"}, [], ["urgent_why"], {"urgent": False}),
    ({"av_vendor": ""}, [], [], {}),  # hidden and blank: nothing to report
]  # fmt: skip


@pytest.mark.parametrize(("changes", "errors", "dropped", "extra"), SHOW_IF)
def test_show_if(
    changes: dict[str, Any],
    errors: list[tuple[str, str]],
    dropped: list[str],
    extra: dict[str, Any],
) -> None:
    result = check(**changes)
    assert [(e.field, e.code) for e in result.errors] == errors
    assert list(result.dropped) == dropped
    if not errors:
        assert result.values == {**MINIMAL, **extra}


def test_messages_are_bilingual_with_parameters() -> None:
    error = check(cores=100).errors[0]
    assert error.message.en == "The largest allowed value is 64."
    assert error.message.get("ru") == "Наибольшее допустимое значение — 64."


# --- JSON Schema ---------------------------------------------------------------------


def schema_accepts(payload: object, form: RequestForm = FORM) -> bool:
    """Validate with an independent JSON Schema implementation (formats asserted)."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # comes with schemathesis
    validator = jsonschema_rs.Draft202012Validator(
        form_json_schema(form, "en"), validate_formats=True
    )
    return bool(validator.is_valid(payload))


def test_schema_shape() -> None:
    schema = form_json_schema(FORM, "ru")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Всё" and schema["additionalProperties"] is False
    assert schema["required"] == ["name", "mail", "cores", "os"]
    assert list(schema["properties"]) == [f.id for f in FORM.fields]
    assert schema["properties"]["note"]["title"] == "Note (ru)"
    assert schema["properties"]["note"]["description"] == "Anything else (ru)"
    assert schema["properties"]["cores"] == {
        "title": "Cores (ru)", "type": "integer", "minimum": 1, "maximum": 64,
    }  # fmt: skip
    assert schema["properties"]["contract"]["pattern"] == r"^(?:[A-Z]{2}-\d{6})$"
    conditional = [c["then"]["required"] for c in schema["allOf"]]
    assert conditional == [["rdp_port"], ["rdp_note"], ["av_vendor"], ["urgent_why"]]


def test_schema_ui_hints() -> None:
    ui = form_json_schema(FORM, "en")["x-ui"]
    assert ui["order"] == [f.id for f in FORM.fields]
    assert ui["fields"]["os"]["widget"] == "select"
    assert ui["fields"]["os"]["options"][1] == {
        "value": "windows", "label": {"en": "Windows", "ru": "Windows (ru)"},
    }  # fmt: skip
    assert ui["fields"]["rdp_port"]["show_if"] == {"field": "os", "values": ["windows"]}
    assert ui["fields"]["rdp_port"]["required"] is True
    assert ui["fields"]["name"]["label"] == {"en": "Name", "ru": "Name (ru)"}
    assert {hint["widget"] for hint in ui["fields"].values()} >= {"textarea", "checkboxes"}


def test_nested_condition_includes_the_controllers_condition() -> None:
    condition = form_json_schema(FORM)["allOf"][1]["if"]
    assert condition == {
        "allOf": [
            {"properties": {"rdp_port": {"enum": [3390, 3391]}}, "required": ["rdp_port"]},
            {"properties": {"os": {"enum": ["windows"]}}, "required": ["os"]},
        ]
    }


@pytest.mark.parametrize(("field", "submitted", "canonical"), VALID)
def test_validator_output_satisfies_schema(
    field: str, submitted: object, canonical: object
) -> None:
    extra = {"av_vendor": "ACME"} if field == "features" else {}
    result = check(**{field: submitted}, **extra)
    assert schema_accepts(result.values), result.values
    assert schema_accepts({**MINIMAL, **extra, field: canonical})


@pytest.mark.parametrize(("field", "submitted", "code"), INVALID)
def test_schema_rejects_what_the_validator_rejects(
    field: str, submitted: object, code: str
) -> None:
    assert not schema_accepts({**MINIMAL, field: submitted})


@pytest.mark.parametrize("blank", [None, "", "   ", []])
@pytest.mark.parametrize("field", ["name", "mail", "cores", "os"])
def test_schema_requires_what_the_validator_requires(field: str, blank: object) -> None:
    assert not schema_accepts({**MINIMAL, field: blank})
    assert not schema_accepts({k: v for k, v in MINIMAL.items() if k != field})


@pytest.mark.parametrize(("changes", "errors", "dropped", "extra"), SHOW_IF)
def test_schema_and_validator_agree_on_show_if(
    changes: dict[str, Any],
    errors: list[tuple[str, str]],
    dropped: list[str],
    extra: dict[str, Any],
) -> None:
    result = check(**changes)
    if errors:
        assert not schema_accepts({**MINIMAL, **changes})
    else:
        assert schema_accepts(result.values)


def test_schema_rejects_unknown_fields() -> None:
    assert not schema_accepts({**MINIMAL, "colour": "blue"})


def test_required_multi_choice_and_boolean() -> None:
    form = make_form(
        FormField("pick", T.MULTI_CHOICE, text("Pick"), required=True, options=options("a", "b")),
        FormField("ok", T.BOOLEAN, text("OK"), required=True),
    )
    assert not validate_submission(form, {"pick": [], "ok": False}).ok
    assert not schema_accepts({"pick": [], "ok": False}, form)
    result = validate_submission(form, {"pick": ["b"], "ok": False})
    assert result.ok and result.values == {"pick": ["b"], "ok": False}
    assert schema_accepts(result.values, form)


def test_show_if_cycle_is_hidden_in_both() -> None:
    form = make_form(
        FormField("a", T.STRING, text("A"), required=True, show_if=ShowIf("b", ("x",))),
        FormField("b", T.STRING, text("B"), required=True, show_if=ShowIf("a", ("x",))),
    )
    result = validate_submission(form, {"a": "x", "b": "x"})
    assert result.ok and result.dropped == ("a", "b")
    assert form_json_schema(form)["allOf"][0]["if"] == {"not": {}}
    assert schema_accepts({}, form)


def _catalog() -> list[RequestForm]:
    from selfservice.content.loader import check_kb

    content, _ = check_kb(Path(__file__).resolve().parents[2] / "kb")
    return sorted(content.forms.values(), key=lambda f: f.id)


@pytest.mark.parametrize("form", _catalog(), ids=lambda f: f.id)
def test_every_catalog_form_has_a_working_schema(form: RequestForm) -> None:
    for lang in ("en", "ru"):
        assert form_json_schema(form, lang)["x-ui"]["order"] == [f.id for f in form.fields]
    empty = validate_submission(form, {})
    assert {e.code for e in empty.errors} <= {"required"}
    assert schema_accepts({}, form) is empty.ok
