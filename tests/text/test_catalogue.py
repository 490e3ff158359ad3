"""The text catalogue: every language complete, the widget's strings the same, a new
language is a new file."""

import json
import re
import shutil
from pathlib import Path

import pytest

from selfservice.text.catalogue import FOLDER, Catalogue, CatalogueError, catalogue, text

ROOT = Path(__file__).resolve().parents[2]


def widget_strings() -> dict[str, dict[str, str]]:
    """``STRINGS`` of widget/i18n.js (a plain object literal of string constants)."""
    source = (ROOT / "widget" / "i18n.js").read_text(encoding="utf-8")
    start = source.index("export const STRINGS = ") + len("export const STRINGS = ")
    literal = source[start : source.index("\n};\n", start) + 2]
    literal = re.sub(r"^\s*//.*$", "", literal, flags=re.M)
    literal = re.sub(r'"\s*\+\s*\n\s*"', "", literal)  # "a " +\n "b"
    literal = re.sub(r"^(\s*)([a-z_0-9]+):", r'\1"\2":', literal, flags=re.M)
    literal = re.sub(r",(\s*[}\]])", r"\1", literal)
    strings: dict[str, dict[str, str]] = json.loads(literal)
    return strings


def test_english_and_russian_have_the_same_keys_and_parameters() -> None:
    texts = catalogue()
    assert set(texts.languages) == {"en", "ru"}
    assert texts.missing("ru") == [] and texts.extra("ru") == []
    for key in texts.keys():
        en, ru = texts.template(key, "en"), texts.template(key, "ru")
        assert en.strip() and ru.strip(), key
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", ru)), key


def test_every_family_lives_in_the_catalogue() -> None:
    namespaces = {key.split(".")[0] for key in catalogue().keys()}
    assert namespaces == {"api", "chat", "console", "customer", "form", "mail", "site",
                          "telegram", "widget"}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_widget_shows_the_catalogues_texts(lang: str) -> None:
    widget = widget_strings()[lang]
    ours = {key.removeprefix("widget."): catalogue().template(key, lang)
            for key in catalogue().keys("widget.")}
    missing = {k: v for k, v in widget.items() if k not in ours}
    assert not missing, f"add to text/languages/{lang}.yml under widget: {missing}"
    unused = sorted(set(ours) - set(widget))
    assert not unused, f"widget/i18n.js lacks {unused}"
    differ = {k: (widget[k], ours[k]) for k in widget if widget[k] != ours[k]}
    assert not differ, f"widget/i18n.js and {lang}.yml differ (widget, catalogue): {differ}"


def test_parameters_are_filled_and_a_missing_one_shows_as_a_question_mark() -> None:
    assert text("api.too_long", "ru", field="q", max=200) == (
        "Параметр 'q' должен быть не длиннее 200 символов."
    )
    assert text("chat.article_intro", "en") == "Let's go through it step by step (? steps)."
    assert text("mail.status.closed", "de") == "Closed"  # an unknown language is English
    with pytest.raises(KeyError):
        catalogue().template("api.no_such_key", "en")


def test_a_new_language_is_a_new_file(tmp_path: Path) -> None:
    shutil.copy(FOLDER / "en.yml", tmp_path / "en.yml")
    (tmp_path / "de.yml").write_text(
        "api:\n  not_found: Unter dieser Adresse wurde nichts gefunden.\n", encoding="utf-8"
    )
    texts = Catalogue.load(tmp_path)
    assert texts.languages == ("de", "en")
    assert texts.text("api.not_found", "de") == "Unter dieser Adresse wurde nichts gefunden."
    assert texts.text("api.unauthorized", "de") == "Sign in to do this."  # falls back
    assert "api.unauthorized" in texts.missing("de")
    assert "api.not_found" not in texts.missing("de")


def test_a_broken_catalogue_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text("api:\n  - not a mapping\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="api must be a mapping"):
        Catalogue.load(tmp_path)
    with pytest.raises(CatalogueError, match="needs en.yml"):
        Catalogue({"ru": {}})


def site_search_strings() -> dict[str, dict[str, str]]:
    """``TEXTS`` of the site's search script (an object literal of string constants)."""
    source = (ROOT / "src/selfservice/site/assets/service-search.js").read_text(encoding="utf-8")
    start = source.index("var TEXTS = ") + len("var TEXTS = ")
    literal = source[start : source.index("}[lang];", start) + 1]
    literal = re.sub(r"^(\s*)([a-z_0-9]+):", r'\1"\2":', literal, flags=re.M)
    strings: dict[str, dict[str, str]] = json.loads(literal)
    return strings


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_site_search_box_shows_the_catalogues_texts(lang: str) -> None:
    ours = {key.removeprefix("site.search."): catalogue().template(key, lang)
            for key in catalogue().keys("site.search.")}
    assert site_search_strings()[lang] == ours


def test_every_key_a_console_template_names_exists() -> None:
    templates = ROOT / "src" / "selfservice" / "console" / "templates"
    used = set()
    for page in templates.glob("*.html"):
        source = page.read_text(encoding="utf-8")
        # whole keys only: "prefix." ~ value is the enum test's below
        used |= {f"console.{k}" for k in re.findall(r"""\bt\(["']([a-z0-9_.]*[a-z0-9_])["']""",
                                                     source)}
        used |= set(re.findall(r"""\btx\(["']([a-z0-9_.]*[a-z0-9_])["']""", source))
    known = set(catalogue().keys())
    assert used and not sorted(used - known)


def test_every_ticket_type_status_and_channel_has_its_console_label() -> None:
    from selfservice.domain.enums import Channel, Status, TicketType

    known = set(catalogue().keys())
    wanted = {f"console.type.{t.value}" for t in TicketType}
    wanted |= {f"console.channel.{c.value}" for c in Channel}
    wanted |= {f"mail.status.{s.value}" for s in Status}
    assert not sorted(wanted - known)


def test_a_missing_key_shows_as_itself_instead_of_failing() -> None:
    assert text("console.no_such_label", "ru") == "console.no_such_label"
