"""The widget's form check (widget/validation.js) answers exactly like the server's
(``validate_submission``): same errors, codes, texts in both languages, same visible fields,
over every form of the catalog and a table of good, bad and odd values per field type.
Also: every UI string of the widget exists in both languages, and every form of the
catalog renders, each field with its control, label and required mark."""

import ipaddress
from itertools import cycle, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from widget_page import Server

from selfservice.content.form_schema import form_json_schema
from selfservice.content.loader import load_content
from selfservice.content.model import FieldType, FormField, RequestForm
from selfservice.content.validation import validate_submission
from selfservice.domain.enums import Language
from selfservice.web.kb_api import form_json

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
T = FieldType
CANDIDATES: dict[FieldType, list[Any]] = {
    T.STRING: ["VPN-01", "  padded  ", "", "x" * 300, "09:40", "25:99", "AB-123456"],
    T.TEXT: ["line one\nline two", " ", "y" * 10_001, "Ünïcödé ✓"],
    T.EMAIL: ["anna@acme.example", "not-an-address", "a@b", " A.B+tag@Example.COM "],
    T.PHONE: ["+7 (495) 000-00-00", "12345", "+1 555 0100 ext 3", "8-800-555-35-35"],
    T.INTEGER: ["5", "+05", "-1", "0", "1000000", "1.5", "abc", "99999999999999999999", " 7 "],
    T.BOOLEAN: [True, False, "", "yes", "maybe"],
    T.DATE: ["2026-02-28", "2026-02-29", "2024-02-29", "2026-13-01", "20.11.2026",
             "0000-01-01", " 2026-11-20 "],
    T.IPV4: ["10.0.0.5", "256.1.1.1", "01.2.3.4", "::1", "1.2.3", " 192.168.0.1 "],
    T.IPV6: ["::1", "2001:db8::1", "1::2::3", "fe80::1%eth0", "::ffff:1.2.3.4", "10.0.0.1",
             "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::"],
    T.IP: ["10.0.0.5", "2001:DB8::5", "nope", "1.2.3.4.5", "::ffff:10.0.0.1"],
    T.HOSTNAME: ["web-01", "WEB-01.Example.com.", "bad_name", "-x", "a" * 64, "x.", "a..b"],
}  # fmt: skip


def _choices(field: FormField) -> list[Any]:
    values = [o.value for o in field.options]
    if field.type is T.CHOICE:
        return [values[0], "nonsense", "", values[-1]]
    return [[values[0]], values[:2], ["bogus"], [], values, [values[0], values[0]]]


def candidates(field: FormField) -> list[Any]:
    if field.type in (T.CHOICE, T.MULTI_CHOICE):
        return _choices(field)
    return CANDIDATES[field.type]


def shown_value(form: RequestForm, field: FormField) -> Any:
    """A value of the controlling field that shows ``field``."""
    assert field.show_if is not None
    controller = form.field(field.show_if.field)
    assert controller is not None
    wanted = field.show_if.values[0]
    if controller.type is T.BOOLEAN:
        return wanted == "true"
    if controller.type is T.MULTI_CHOICE:
        return [wanted]
    return wanted


def submissions(form: RequestForm) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = [{}, {"not_a_field": "x"}]
    rounds = max(len(candidates(f)) for f in form.fields)
    for offset in range(rounds):
        cases.append({
            f.id: next(islice(cycle(candidates(f)), offset + index, None))
            for index, f in enumerate(form.fields)
        })  # fmt: skip
    for offset in range(3):  # every condition met, so the conditional fields are checked
        shown = dict(cases[2 + offset])
        for f in form.fields:
            if f.show_if is not None:
                shown[f.show_if.field] = shown_value(form, f)
        cases.append(shown)
    return cases


def server_answer(form: RequestForm, submission: dict[str, Any]) -> dict[str, Any]:
    result = validate_submission(form, submission)
    return {
        "en": [[e.field, e.code, e.message.en] for e in result.errors],
        "ru": [[e.field, e.code, e.message.ru] for e in result.errors],
        "values": comparable(form, result.values),
        "dropped": list(result.dropped),
    }


def comparable(form: RequestForm, values: dict[str, Any]) -> dict[str, Any]:
    """Canonical values; IP addresses compared as addresses (the widget keeps the text)."""
    out = dict(values)
    for f in form.fields:
        if f.type in (T.IP, T.IPV4, T.IPV6) and f.id in out:
            out[f.id] = str(ipaddress.ip_address(str(out[f.id]).strip()))
    return out


WIDGET_CHECK = """async ({schemas, cases}) => {
  const { validate } = await import("/widget/validation.js");
  const { STRINGS } = await import("/widget/i18n.js");
  const results = cases.map(([formId, submission]) => {
    const en = validate(schemas[formId], submission, "en");
    const ru = validate(schemas[formId], submission, "ru");
    return {
      en: en.errors.map((e) => [e.field, e.code, e.message]),
      ru: ru.errors.map((e) => [e.field, e.code, e.message]),
      values: en.values,
      dropped: en.dropped,
    };
  });
  const missing = (a, b) => Object.keys(STRINGS[a]).filter((k) => !STRINGS[b][k]);
  return { results, untranslated: { en: missing("ru", "en"), ru: missing("en", "ru") } };
}"""


def test_widget_checks_forms_exactly_like_the_server(page: "Page", server: Server) -> None:
    content = load_content(ROOT / "kb")
    schemas = {form_id: form_json_schema(form, "en") for form_id, form in content.forms.items()}
    cases = [(form_id, s) for form_id, form in sorted(content.forms.items())
             for s in submissions(form)]
    # A blank page of the backend's origin, so the widget's modules load as in the frame.
    page.route(f"{server.base}/parity-check", lambda route: route.fulfill(
        body="<!doctype html><title>parity</title>", content_type="text/html"))
    page.goto(f"{server.base}/parity-check")
    answer = page.evaluate(WIDGET_CHECK, {"schemas": schemas, "cases": cases})

    assert answer["untranslated"] == {"en": [], "ru": []}
    assert len(answer["results"]) == len(cases) > 250
    mismatches = []
    for (form_id, submission), widget in zip(cases, answer["results"], strict=True):
        form = content.forms[form_id]
        widget["values"] = comparable(form, widget["values"])
        expected = server_answer(form, submission)
        if widget != expected:
            mismatches.append((form_id, submission, widget, expected))
    assert not mismatches, f"{len(mismatches)} differ; first: {mismatches[0]}"


RENDER_FORMS = """async (forms) => {
  const { RequestFormView } = await import("/widget/form.js");
  const { translator } = await import("/widget/i18n.js");
  const found = {};
  for (const [lang, form] of forms) {
    const view = new RequestFormView({
      api: { get: async () => form }, lang, t: translator(lang), formId: form.id,
      prefill: {}, conversationId: null, onFiled() {}, onBack() {},
    });
    document.body.replaceChildren(view.element);
    await view.load();
    for (const wrapper of view.element.querySelectorAll("[data-field]")) {
      const control = wrapper.querySelector("input, select, textarea");
      const label = wrapper.querySelector("label, legend");
      found[`${lang}:${form.id}:${wrapper.dataset.field}`] = [
        control ? control.tagName.toLowerCase() + ":" + (control.type || "") : null,
        label ? label.textContent.replace(" *", "") : null,
        Boolean(wrapper.querySelector(".req")),
      ];
    }
  }
  return found;
}"""

CONTROLS = {
    T.STRING: "input:text", T.TEXT: "textarea:textarea", T.EMAIL: "input:email",
    T.PHONE: "input:tel", T.INTEGER: "input:text", T.CHOICE: "select:select-one",
    T.MULTI_CHOICE: "input:checkbox", T.DATE: "input:date", T.IPV4: "input:text",
    T.IPV6: "input:text", T.IP: "input:text", T.HOSTNAME: "input:text",
}  # fmt: skip


def test_every_form_of_the_catalog_renders_in_both_languages(
    page: "Page", server: Server
) -> None:
    content = load_content(ROOT / "kb")
    forms = [(lang, form_json(form, content, Language(lang)))
             for form in content.forms.values() for lang in ("en", "ru")]
    page.route(f"{server.base}/render-check", lambda route: route.fulfill(
        body="<!doctype html><title>forms</title>", content_type="text/html"))
    page.goto(f"{server.base}/render-check")
    found = page.evaluate(RENDER_FORMS, forms)

    expected = {}
    for form in content.forms.values():
        for f in form.fields:
            for lang in ("en", "ru"):
                control = CONTROLS.get(f.type) or ("input:radio" if f.required
                                                   else "input:checkbox")
                expected[f"{lang}:{form.id}:{f.id}"] = [control, f.label.get(lang), f.required]
    assert found == expected
