"""Writing an accepted phrasing into an article's front matter."""

from pathlib import Path

import pytest
import yaml

from selfservice.content.phrasings import PhrasingFileError, add_symptom


def test_a_symptom_goes_after_the_last_one_and_reads_back(tmp_path: Path) -> None:
    page = tmp_path / "a.md"
    page.write_text("---\nid: a\nsymptoms:\n  - one\n  - two\ntitle: A\n---\nBody\n", "utf-8")
    diff = add_symptom(page, "disk: full # again")
    front = yaml.safe_load(page.read_text("utf-8").split("---")[1])
    assert front["symptoms"] == ["one", "two", "disk: full # again"]
    assert page.read_text("utf-8").endswith("---\nBody\n")
    assert '+  - "disk: full # again"' in diff  # quoted: plain YAML would read it otherwise


def test_an_article_without_symptoms_gets_the_list(tmp_path: Path) -> None:
    page = tmp_path / "b.md"
    page.write_text("---\nid: b\ntitle: B\n---\nBody\n", "utf-8")
    add_symptom(page, "VPN drops every hour")
    front = yaml.safe_load(page.read_text("utf-8").split("---")[1])
    assert front["symptoms"] == ["VPN drops every hour"]


def test_a_file_without_front_matter_is_refused_and_left_alone(tmp_path: Path) -> None:
    page = tmp_path / "c.md"
    page.write_text("# Just text\n", "utf-8")
    with pytest.raises(PhrasingFileError, match="no front matter"):
        add_symptom(page, "anything")
    assert page.read_text("utf-8") == "# Just text\n"
