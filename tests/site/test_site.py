"""The public site: a real, strict mkdocs build; nothing internal in the output."""

import gzip
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from selfservice.content.loader import load_content

ROOT = Path(__file__).resolve().parents[2]


def build_site(kb_dir: Path, work: Path) -> Path:
    """Run ``mkdocs build --strict`` on ``kb_dir`` with the project's mkdocs.yml."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(kb_dir)
    config["site_dir"] = str(work / "site")
    config["hooks"] = [str(ROOT / h) for h in config["hooks"]]
    config_file = work / "mkdocs.yml"
    # The brand file (and its logo) sits next to the config it applies to.
    shutil.copyfile(ROOT / "site.yml", work / "site.yml")
    shutil.copytree(ROOT / "site-assets", work / "site-assets", dirs_exist_ok=True)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "site"


def site_text(site: Path) -> str:
    """Everything a visitor or a crawler can fetch, decoded to plain text."""
    chunks: list[str] = []
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".gz":
            chunks.append(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            chunks.append(json.dumps(data, ensure_ascii=False))
        elif path.suffix in {".html", ".xml", ".txt", ".js", ".md", ".yml"}:
            chunks.append(html.unescape(path.read_text(encoding="utf-8", errors="replace")))
    return "\n".join(chunks)


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(ROOT / "kb", tmp_path_factory.mktemp("real"))


def test_real_kb_builds_strict_in_both_languages(real_site: Path) -> None:
    assert 'lang="en"' in (real_site / "index.html").read_text(encoding="utf-8")
    assert 'lang="ru"' in (real_site / "ru" / "index.html").read_text(encoding="utf-8")
    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["en", "ru"]


def test_sitemap_is_valid_with_absolute_urls_and_alternates(real_site: Path) -> None:
    import xml.etree.ElementTree as ET

    brand = yaml.safe_load((ROOT / "site.yml").read_text(encoding="utf-8"))
    site_url = brand["site_url"]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(real_site / "sitemap.xml").getroot()
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [loc.text or "" for loc in root.findall("s:url/s:loc", ns)]
    assert len(locs) > 100
    assert all(loc.startswith(site_url) for loc in locs), [x for x in locs if "None" in x][:3]
    assert site_url + "ru/" in locs
    alternates = root.findall("s:url/x:link", ns)
    assert alternates and all(a.get("href", "").startswith(site_url) for a in alternates)
    assert {a.get("hreflang") for a in alternates} == {"en", "ru"}
    # Every page the sitemap names exists in the build.
    for loc in locs:
        page = real_site / loc.removeprefix(site_url) / "index.html"
        assert page.is_file(), loc


def test_the_providers_brand_replaces_the_theme_defaults(real_site: Path) -> None:
    brand = yaml.safe_load((ROOT / "site.yml").read_text(encoding="utf-8"))
    en = (real_site / "index.html").read_text(encoding="utf-8")
    ru = (real_site / "ru" / "index.html").read_text(encoding="utf-8")
    assert "Made with" not in en and "Material for MkDocs" not in en
    assert html.escape(brand["name"]["en"]) in en and brand["name"]["ru"] in ru
    assert brand["support_phone"] in en and "Телефон поддержки" in ru
    assert "Support phone" in en and brand["footer"]["en"] in en
    assert 'src="assets/logo.svg"' in en
    css = (real_site / "assets" / "brand.css").read_text(encoding="utf-8")
    assert brand["colours"]["primary"] in css


def test_catalog_comes_after_the_articles_in_navigation(real_site: Path) -> None:
    page = (real_site / "index.html").read_text(encoding="utf-8")
    nav = page[page.index("md-nav--primary"):]
    assert nav.index('href="articles/') < nav.index('href="catalog/')


def test_catalog_pages_are_generated_from_every_form(real_site: Path) -> None:
    content = load_content(ROOT / "kb")
    assert len(content.forms) >= 12
    for form in content.forms.values():
        en = (real_site / "catalog" / form.id / "index.html").read_text(encoding="utf-8")
        ru = (real_site / "ru" / "catalog" / form.id / "index.html").read_text(encoding="utf-8")
        assert html.escape(form.title.en, quote=False) in en
        assert html.escape(form.title.ru, quote=False) in ru
        for field in form.fields:
            assert html.escape(field.label.ru, quote=False) in ru


def test_scripted_steps_are_rendered_and_addressable(real_site: Path) -> None:
    content = load_content(ROOT / "kb")
    article = next(a for a in content.public_articles() if a.steps and a.lang == "ru")
    rel = article.site_path
    page = (real_site / "ru" / rel / "index.html").read_text(encoding="utf-8")
    assert "Шаги" in page
    for step in article.steps:
        assert f'id="step-{step.id}"' in page


def test_no_internal_article_leaks_into_the_site(real_site: Path) -> None:
    content = load_content(ROOT / "kb")
    internal = [a for a in content.articles.values() if not a.is_public]
    assert len(internal) >= 5
    text = site_text(real_site)
    for article in internal:
        assert article.id not in text
        assert article.title not in text
        for paragraph in article.body.split("\n\n"):
            snippet = paragraph.strip()[:60]
            if len(snippet) >= 25:
                assert snippet not in text, f"{article.path}: {snippet!r} is in the site"
    assert "INTERNAL RUNBOOK" not in text


def test_internal_article_outside_internal_folder_still_never_published(
    kb_min: Path, tmp_path: Path
) -> None:
    # Defence in depth: the author misfiles a runbook among public articles.
    runbook = kb_min / "internal" / "unlock.md"
    target = kb_min / "articles" / "identity" / "unlock.md"
    target.write_text(runbook.read_text(encoding="utf-8"), encoding="utf-8")
    runbook.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "selfservice.cli", "kb", "check", "--kb-dir", str(kb_min)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "internal articles belong in kb/internal/" in result.stdout


def test_broken_kb_fails_the_site_build_with_file_and_line(kb_min: Path, tmp_path: Path) -> None:
    form = kb_min / "catalog" / "vm-down.yml"
    form.write_text(form.read_text(encoding="utf-8").replace("type: hostname", "type: host"))
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir=str(kb_min), site_dir=str(tmp_path / "site"))
    config["hooks"] = [str(ROOT / h) for h in config["hooks"]]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{form}:8: fields[0].type: 'host' is not one of string" in result.stderr


def test_minimal_kb_site_has_catalog_and_no_runbook(kb_min: Path, tmp_path: Path) -> None:
    site = build_site(kb_min, tmp_path)
    assert (site / "catalog" / "vm-down" / "index.html").is_file()
    assert (site / "ru" / "articles" / "identity" / "reset" / "index.html").is_file()
    text = site_text(site)
    assert "Unlocking a portal account" not in text
    assert "unlock-en" not in text


def test_pages_ask_for_no_sitemap_that_does_not_exist(real_site: Path) -> None:
    """Material fetches sitemap.xml next to every head ``<link rel=alternate hreflang>``;
    pages carry none (the sitemap has the pairs), while the language menu still leads to
    the page's own translation."""
    article = real_site / "articles" / "identity" / "reset-password" / "index.html"
    for path in [real_site / "index.html", article, real_site / "ru" / "catalog" / "index.html"]:
        text = path.read_text(encoding="utf-8")
        assert '<link rel="alternate" href=' not in text, path
    menu = article.read_text(encoding="utf-8")
    assert 'href="../../../ru/articles/identity/reset-password/" hreflang="ru"' in menu


def test_branching_scripts_read_as_a_flow_with_working_links(real_site: Path) -> None:
    """Each answer of a routing step says where it leads; the links reach real pages."""
    rel = Path("articles") / "network" / "vpn-no-internal-access"
    for root, yes, no, step in (
        (real_site, "If yes", "If no", "go to step 5"),
        (real_site / "ru", "Если да", "Если нет", "перейдите к шагу 5"),
    ):
        page = (root / rel / "index.html").read_text(encoding="utf-8")
        text = html.unescape(page)
        assert f"<strong>{yes}</strong> → " in text and f"<strong>{no}</strong> → " in text
        assert f'<a href="#step-server-firewall">{step}</a>' in text  # test-by-ip: no
        assert 'id="step-server-firewall"' in page
        form_link = '<a href="../../../catalog/firewall-rule-change/">'
        assert form_link in page, page[page.find("firewall-rule-change") - 200 :][:400]
        target = root / "catalog" / "firewall-rule-change" / "index.html"
        assert target.is_file()
    ru = html.unescape((real_site / "ru" / rel / "index.html").read_text(encoding="utf-8"))
    assert "оформите заявку" in ru and "«Действие», «Направление» уже заполнены" in ru


def test_every_page_loads_the_script_that_hands_search_to_the_service(real_site: Path) -> None:
    script = real_site / "assets" / "service-search.js"
    assert "selfservice.json" in script.read_text(encoding="utf-8")
    for page in (real_site / "index.html", real_site / "ru" / "catalog" / "index.html"):
        assert "assets/service-search.js" in page.read_text(encoding="utf-8")


def test_a_bad_brand_file_is_reported_key_by_key_with_lines(tmp_path: Path) -> None:
    from selfservice.site.brand import BrandError, load_brand

    brand = tmp_path / "site.yml"
    brand.write_text(
        "site_url: support.example.com\n"
        "name: {en: Example support}\n"
        "colours: {primary: blue}\n"
        "logo: missing.svg\n"
        "suport_phone: 123\n",
        encoding="utf-8",
    )
    with pytest.raises(BrandError) as error:
        load_brand(brand)
    assert str(error.value).splitlines() == [
        f"{brand}:1: site_url: 'support.example.com' is not an absolute http(s) URL",
        f"{brand}:2: name.ru: missing",
        f"{brand}:3: colours.primary: 'blue' is not a colour like #1f4e79",
        f"{brand}:5: suport_phone: unknown key (did you mean 'support_phone'?); expected one "
        "of site_url, name, logo, colours, footer, support_phone",
    ]
    brand.write_text("name: Example\nlogo: missing.svg\n", encoding="utf-8")
    with pytest.raises(BrandError, match=rf"{brand}:2: logo: no such file"):
        load_brand(brand)
    assert load_brand(tmp_path / "absent.yml").site_url.startswith("http://127.0.0.1")
