"""The site's home page and service pages: search first, the most used answers, the
services, how to reach support — generated from kb/, in both languages."""

import json
import re
import shutil
from pathlib import Path

import pytest

from selfservice.content.loader import ContentError
from selfservice.domain.enums import Language
from selfservice.site.home import ARTICLES, FORMS, _count
from selfservice.site.stage import stage_site

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "kb", kb)
    return kb


def _popular_titles(page: str) -> list[str]:
    section = page.split("## ", 2)[1]  # the first section after the opening text
    return re.findall(r"^- \[([^\]]+)\]", section, flags=re.MULTILINE)


def test_home_page_puts_search_first_then_answers_services_and_contacts(
    kb_copy: Path, tmp_path: Path
) -> None:
    stage_site(kb_copy, tmp_path / "stage", phone="+7 495 123-45-67")
    en = (tmp_path / "stage" / "index.md").read_text(encoding="utf-8")
    ru = (tmp_path / "stage" / "index.ru.md").read_text(encoding="utf-8")
    assert en.index('class="home-search"') < en.index("## Most used answers") \
        < en.index("## Services") < en.index("## How to reach support")
    assert _popular_titles(en)[:2] == ["Reset a forgotten portal password",
                                       "Client VPN does not connect"]
    assert _popular_titles(ru)[0] == "Как сбросить забытый пароль от портала"
    assert len(_popular_titles(en)) == 6  # the authors' four, then scripted solutions
    assert "[Virtual machines](services/compute.md)" in en
    assert "10 articles · 3 request forms" in en and "10 статей · 3 формы заявок" in ru
    assert "+7 495 123-45-67" in en and "+7 495 123-45-67" in ru
    assert "(catalog/index.md)" in ru


def test_articles_customers_opened_most_come_first(kb_copy: Path, tmp_path: Path) -> None:
    (kb_copy / "popular.json").write_text(json.dumps(["vm-slow-en"]), encoding="utf-8")
    stage_site(kb_copy, tmp_path / "stage")
    en = (tmp_path / "stage" / "index.md").read_text(encoding="utf-8")
    ru = (tmp_path / "stage" / "index.ru.md").read_text(encoding="utf-8")
    assert _popular_titles(en)[:2] == ["My virtual machine is slow",
                                       "Reset a forgotten portal password"]
    assert _popular_titles(ru)[0] == "Виртуальная машина работает медленно"
    assert not (tmp_path / "stage" / "popular.json").exists()  # data, never a page


def test_every_service_has_a_page_with_its_articles_and_forms(
    kb_copy: Path, tmp_path: Path
) -> None:
    content, nav = stage_site(kb_copy, tmp_path / "stage")
    for service in content.services.values():
        ru = (tmp_path / "stage" / "services" / f"{service.id}.ru.md").read_text(encoding="utf-8")
        assert ru.startswith(f"# {service.name.ru}")
        for article in content.public_articles():
            if article.service == service.id and article.lang is Language.RU:
                assert f"[{article.title}]" in ru
    compute = next(entry["Virtual machines"] for entry in nav if "Virtual machines" in entry)
    assert compute[0] == {"All of the service": "services/compute.md"}


def test_an_unknown_popular_article_is_named_with_its_line(kb_copy: Path, tmp_path: Path) -> None:
    index = kb_copy / "index.ru.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "vm-not-responding-ru", "vm-not-respondin-ru"), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        stage_site(kb_copy, tmp_path / "stage")
    lines = index.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "vm-not-respondin-ru" in text)
    assert [str(p) for p in error.value.problems] == [
        f"{index}:{line}: popular[3]: unknown article 'vm-not-respondin-ru'"
    ]


@pytest.mark.parametrize(("n", "ru", "en"), [
    (1, "1 статья", "1 article"), (2, "2 статьи", "2 articles"), (5, "5 статей", "5 articles"),
    (11, "11 статей", "11 articles"), (21, "21 статья", "21 articles"),
    (24, "24 статьи", "24 articles"), (0, "", ""),
])  # fmt: skip
def test_counts_read_right_in_both_languages(n: int, ru: str, en: str) -> None:
    assert _count(n, ARTICLES, Language.RU) == ru
    assert _count(n, ARTICLES, Language.EN) == en
    assert _count(2, FORMS, Language.RU) == "2 формы заявок"


def test_kb_check_names_an_unknown_popular_article(kb_copy: Path) -> None:
    from click.testing import CliRunner

    from selfservice.cli import main

    index = kb_copy / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "certificate-expired-en", "certificate-expird-en"), encoding="utf-8")
    result = CliRunner().invoke(main, ["kb", "check", "--kb-dir", str(kb_copy)])
    assert result.exit_code == 1
    assert f"{index}:8: popular[2]: unknown article 'certificate-expird-en'" in result.output


def test_an_unknown_front_matter_key_is_named_with_its_line(kb_copy: Path, tmp_path: Path) -> None:
    index = kb_copy / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("popular:", "populer:"),
                     encoding="utf-8")  # fmt: skip
    with pytest.raises(ContentError) as error:
        stage_site(kb_copy, tmp_path / "stage")
    assert str(error.value.problems[0]) == (
        f"{index}:5: populer: unknown key (did you mean 'popular'?); expected one of "
        "title, popular"
    )
