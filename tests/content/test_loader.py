"""kb/ loading: every error class is reported with the right file:line."""

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfservice.cli import main
from selfservice.content.loader import ContentError, check_kb, load_content
from selfservice.content.model import FieldType

RESET = "articles/identity/reset.md"
FORM = "catalog/vm-down.yml"


def edit(kb: Path, rel: str, old: str, new: str) -> None:
    path = kb / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(kb: Path, rel: str, needle: str) -> int:
    for number, line in enumerate((kb / rel).read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {rel}")


def test_minimal_kb_loads_into_typed_objects(kb_min: Path) -> None:
    content = load_content(kb_min)
    article = content.articles["reset-en"]
    assert article.translation == "reset-ru"
    assert [s.id for s in article.steps] == ["open", "mail"]
    assert article.steps[1].check == "Did the e-mail arrive?"
    assert not content.articles["unlock-en"].is_public
    form = content.forms["vm-down"]
    rdp = form.field("rdp_port")
    assert rdp is not None and rdp.type is FieldType.INTEGER and rdp.max == 65535
    assert rdp.show_if is not None and rdp.show_if.values == ("windows",)
    assert content.services["compute"].name.ru == "Виртуальные машины"


Breaker = Callable[[Path], tuple[str, str, str]]


def _missing_field(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "service: identity\n", "")
    return RESET, "id: reset-en", "service: missing"


def _unknown_field(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "tags: [password]", "tagz: [password]")
    return RESET, "tagz:", "tagz: unknown key (did you mean 'tags'?)"


def _unknown_service(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "service: identity", "service: printers")
    return RESET, "service: printers", "unknown service 'printers'"


def _duplicate_id(kb: Path) -> tuple[str, str, str]:
    edit(kb, "internal/unlock.md", "id: unlock-en", "id: reset-en")
    return "internal/unlock.md", "id: reset-en", "duplicate id 'reset-en' (also in"


def _broken_translation(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "translation: reset-ru", "translation: reset-kz")
    return RESET, "translation: reset-kz", "translation 'reset-kz' does not exist"


def _one_way_translation(kb: Path) -> tuple[str, str, str]:
    edit(kb, "articles/identity/reset.ru.md", "translation: reset-en", "translation: unlock-en")
    return "articles/identity/reset.ru.md", "translation: unlock-en", "does not link back"


def _step_without_text(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "    text: Open the reset e-mail.\n", "")
    return RESET, "- id: mail", "steps[1].text: missing"


def _scripted_without_steps(kb: Path) -> tuple[str, str, str]:
    path = kb / RESET
    text = path.read_text(encoding="utf-8")
    head, _, tail = text.partition("steps:\n")
    path.write_text(head + tail[tail.index("---") :], encoding="utf-8")
    return RESET, "id: reset-en", "a scripted-solution needs 'steps'"


def _unknown_field_type(kb: Path) -> tuple[str, str, str]:
    edit(kb, FORM, "type: hostname", "type: hostnam")
    return FORM, "type: hostnam", "fields[0].type: 'hostnam' is not one of string, text"


def _show_if_missing_field(kb: Path) -> tuple[str, str, str]:
    edit(kb, FORM, "show_if: {field: os,", "show_if: {field: platform,")
    return FORM, "show_if:", "fields[2].show_if.field: names a missing field 'platform'"


def _invalid_yaml_form(kb: Path) -> tuple[str, str, str]:
    edit(kb, FORM, "    required: true", "    required: [true")
    return FORM, "  - id: os", "invalid YAML"


def _invalid_yaml_front_matter(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "title: Reset a forgotten password", "title: Reset: a forgotten: password")
    return RESET, "title: Reset:", "invalid YAML"


def _lang_mismatch(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "lang: en", "lang: ru")
    return RESET, "lang: ru", "does not match the file name"


def _form_id_not_file_name(kb: Path) -> tuple[str, str, str]:
    edit(kb, FORM, "id: vm-down", "id: vm-hang")
    return FORM, "id: vm-hang", "must equal the file name"


def _bad_show_if_value(kb: Path) -> tuple[str, str, str]:
    edit(kb, FORM, "equals: windows", "equals: macos")
    return FORM, "show_if:", "equals: value(s) macos are not options of 'os' (linux, windows)"


def _bad_date(kb: Path) -> tuple[str, str, str]:
    edit(kb, RESET, "updated: 2026-11-20", "updated: last week")
    return RESET, "updated: last week", "must be a date"


def _public_in_internal(kb: Path) -> tuple[str, str, str]:
    edit(kb, "internal/unlock.md", "audience: internal", "audience: public")
    return "internal/unlock.md", "audience: public", "kb/internal/ holds only"


def _min_over_max(kb: Path) -> tuple[str, str, str]:
    edit(kb, FORM, "min: 1", "min: 70000")
    return FORM, "min: 70000", "fields[2].min: 70000 is greater than max (65535)"


def _choice_without_options(kb: Path) -> tuple[str, str, str]:
    path = kb / FORM
    text = path.read_text(encoding="utf-8")
    start = text.index("    options:")
    end = text.index("  - id: rdp_port")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return FORM, "  - id: os", "fields[1].options: missing: a choice field needs options"


BREAKERS = [
    _missing_field, _unknown_field, _unknown_service, _duplicate_id, _broken_translation,
    _one_way_translation, _step_without_text, _scripted_without_steps, _unknown_field_type,
    _show_if_missing_field, _invalid_yaml_form, _invalid_yaml_front_matter, _lang_mismatch,
    _form_id_not_file_name, _bad_show_if_value, _bad_date, _public_in_internal, _min_over_max,
    _choice_without_options,
]  # fmt: skip


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda b: b.__name__.strip("_"))
def test_each_error_class_is_reported_with_file_and_line(kb_min: Path, breaker: Breaker) -> None:
    rel, needle, reason = breaker(kb_min)
    _, problems = check_kb(kb_min)
    expected_line = line_of(kb_min, rel, needle)
    matching = [p for p in problems if reason in p.message]
    assert matching, f"no problem mentions {reason!r}; got {[str(p) for p in problems]}"
    assert any(p.path == kb_min / rel and p.line == expected_line for p in matching), [
        str(p) for p in matching
    ]
    with pytest.raises(ContentError):
        load_content(kb_min)


def test_every_problem_is_reported_not_just_the_first(kb_min: Path) -> None:
    _unknown_service(kb_min)
    _unknown_field_type(kb_min)
    _broken_translation(kb_min)
    _, problems = check_kb(kb_min)
    assert len(problems) >= 3


def test_cli_check_prints_file_line_and_fails(kb_min: Path) -> None:
    _show_if_missing_field(kb_min)
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(kb_min)])
    assert result.exit_code == 1
    line = line_of(kb_min, FORM, "show_if:")
    assert (
        f"{kb_min / FORM}:{line}: fields[2].show_if.field: names a missing field 'platform'"
        in result.output
    )


def test_cli_check_passes_on_valid_kb(kb_min: Path) -> None:
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(kb_min)])
    assert result.exit_code == 0, result.output
    assert "1 forms" in result.output and "OK" in result.output


def test_missing_kb_folder_is_a_clear_problem(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "knowledge base folder does not exist" in result.output


def test_an_unknown_key_costs_a_problem_not_the_article(kb_min: Path) -> None:
    _unknown_field(kb_min)
    content, problems = check_kb(kb_min)
    assert [p.message.split(";")[0] for p in problems] == [
        "tagz: unknown key (did you mean 'tags'?)"
    ]
    assert content.articles["reset-en"].tags == ()
