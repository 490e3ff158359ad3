"""Stage the public part of kb/ into a folder that mkdocs builds.

Only public articles, the site pages and generated catalog pages are written there;
internal runbooks, authoring notes and data files never enter it, so they cannot end
up in pages, the search index, the sitemap or the navigation.
"""

import shutil
from pathlib import Path
from typing import Any

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.domain.enums import Language
from selfservice.site.home import (
    home_page,
    measured_popular,
    read_authored,
    service_page,
    text,
)
from selfservice.site.pages import article_page, catalog_index, form_page, label

SITE_PAGES = ("tags.md", "tags.ru.md")
HOME_PAGES = ((Language.EN, "index.md"), (Language.RU, "index.ru.md"))


def stage_site(kb_dir: Path, target: Path, *, phone: str = "") -> tuple[Content, list[Any]]:
    """Write the public site sources to ``target``; return the content and the nav.
    ``phone``: the support phone the home page names (from the brand)."""
    content = load_content(kb_dir)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in SITE_PAGES:
        if (kb_dir / name).is_file():
            shutil.copyfile(kb_dir / name, target / name)
    measured = measured_popular(kb_dir)
    for lang, name in HOME_PAGES:
        if (kb_dir / name).is_file():
            authored = read_authored(kb_dir / name, content)
            page = home_page(content, lang, authored, [*measured, *authored.popular], phone)
            (target / name).write_text(page, encoding="utf-8")
    services = target / "services"
    services.mkdir()
    used = {a.service for a in content.public_articles()} | {
        f.service for f in content.forms.values()
    }
    for service in content.services.values():
        if service.id not in used:
            continue  # no page, no card: nothing to show
        for lang, suffix in ((Language.EN, ".md"), (Language.RU, ".ru.md")):
            page = service_page(content, service.id, lang)
            (services / f"{service.id}{suffix}").write_text(page, encoding="utf-8")
    for article in content.public_articles():
        dest = target / article.path.relative_to(kb_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(article_page(article, content.forms), encoding="utf-8")
    catalog = target / "catalog"
    catalog.mkdir()
    for lang, suffix in ((Language.EN, ".md"), (Language.RU, ".ru.md")):
        (catalog / f"index{suffix}").write_text(catalog_index(content, lang), encoding="utf-8")
        for form in content.forms.values():
            page = form_page(form, content, lang)
            (catalog / f"{form.id}{suffix}").write_text(page, encoding="utf-8")
    return content, build_nav(content, kb_dir)


def build_nav(content: Content, kb_dir: Path) -> list[Any]:
    """Navigation by service, in English; ru titles come from ``nav_translations``."""
    nav: list[Any] = [{"Home": "index.md"}] if (kb_dir / "index.md").is_file() else []
    for service in content.services.values():
        pages = sorted(
            {_nav_path(a.path.relative_to(kb_dir).as_posix()) for a in content.public_articles()
             if a.service == service.id}
        )  # fmt: skip
        if pages or any(f.service == service.id for f in content.forms.values()):
            # The service's page (its articles and forms) opens its section.
            overview = {text("overview", Language.EN): f"services/{service.id}.md"}
            nav.append({service.name.en: [overview, *pages]})
    # The catalog after the articles: most visitors come to fix something themselves.
    forms = sorted(content.forms.values(), key=lambda f: (f.type, f.title.en))
    nav.append(
        {
            label("catalog", Language.EN): [
                "catalog/index.md",
                *(f"catalog/{f.id}.md" for f in forms),
            ]
        }
    )
    if (kb_dir / "tags.md").is_file():
        nav.append({"Tags": "tags.md"})
    return nav


def nav_translations(content: Content) -> dict[str, str]:
    names = {s.name.en: s.name.ru for s in content.services.values()}
    names.update(
        {
            "Home": "Главная",
            text("overview", Language.EN): text("overview", Language.RU),
            "Tags": "Теги",
            label("catalog", Language.EN): label("catalog", Language.RU),
        }
    )
    return names


def _nav_path(rel: str) -> str:
    return rel.removesuffix(".ru.md") + ".md" if rel.endswith(".ru.md") else rel
