"""The site's home page and one page per service, generated from the loaded kb/.

The home page puts search first, then the most used answers, the services, the request
forms and how to reach support. The authors own its title and opening text
(``kb/index.md`` and ``index.ru.md``) and may name the answers to show first::

    ---
    title: Support knowledge base
    popular: [reset-password-en, vpn-not-connecting-en]   # either language's id
    ---

``selfservice kb publish`` puts the articles customers opened most in the last 30 days
before those (``popular.json`` in the staged kb/, see ``run/publish.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from selfservice.content.fields import Problem, problems_of
from selfservice.content.loader import ContentError, split_front_matter
from selfservice.content.model import Article, Content
from selfservice.content.yaml_lines import YamlSyntaxError, load_yaml
from selfservice.content.yaml_models import KeyIssue, YamlModel, validated
from selfservice.domain.enums import Language
from selfservice.text.catalogue import text as catalogue_text

#: How many answers the home page lists.
POPULAR_COUNT = 6
#: Written by ``kb publish`` into the staged kb/: article ids, most opened first.
MEASURED_FILE = "popular.json"

#: Plural forms: English one/many; Russian one (1, 21), few (2-4, 22-24), many.
ARTICLES = {Language.EN: ("article", "articles"), Language.RU: ("статья", "статьи", "статей")}
FORMS = {
    Language.EN: ("request form", "request forms"),
    Language.RU: ("форма заявки", "формы заявок", "форм заявок"),
}


def _count(n: int, words: dict[Language, tuple[str, ...]], lang: Language) -> str:
    """"3 articles", "3 статьи"; nothing for zero."""
    if n == 0:
        return ""
    forms = words[lang]
    if lang is Language.EN:
        return f"{n} {forms[0] if n == 1 else forms[1]}"
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {forms[0]}"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {forms[1]}"
    return f"{n} {forms[2]}"


def text(key: str, lang: Language) -> str:
    """A text of the home and service pages, from the text catalogue (``site.home``)."""
    return catalogue_text(f"site.home.{key}", lang.value)


@dataclass(frozen=True)
class Authored:
    """What the authors wrote in ``index.md`` / ``index.ru.md``."""

    title: str
    intro: str
    popular: tuple[str, ...] = ()


class HomeFront(YamlModel):
    """The front matter of ``index.md`` / ``index.ru.md``."""

    title: str = ""
    popular: list[str] = []


def read_authored(path: Path, content: Content) -> Authored:
    """Title, opening text and the ``popular`` list of a home page source; problems raise
    :class:`ContentError` (``FILE:LINE: key: reason``, like every kb/ file)."""
    raw = path.read_text(encoding="utf-8")
    split = split_front_matter(raw)
    front_text, body = (split[0], split[1]) if split else ("", raw)
    try:
        front = load_yaml(front_text, line_offset=1) if front_text.strip() else {}
    except YamlSyntaxError as exc:
        raise ContentError([Problem(path, exc.line, exc.reason)]) from None
    spec, issues = validated(HomeFront, front)
    if spec is not None:
        issues += [KeyIssue(f"popular[{i}]", f"unknown article '{ref}'")
                   for i, ref in enumerate(spec.popular) if ref not in content.articles]
    if issues or spec is None:
        raise ContentError(problems_of(path, front, issues))
    title = spec.title
    lines = body.strip().splitlines()
    if lines and lines[0].startswith("# "):
        title = title or lines[0][2:].strip()
        lines = lines[1:]
    return Authored(title, "\n".join(lines).strip(), tuple(spec.popular))


def measured_popular(kb_dir: Path) -> list[str]:
    """The article ids ``kb publish`` measured, most opened first (none when absent)."""
    path = kb_dir / MEASURED_FILE
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [str(ref) for ref in data] if isinstance(data, list) else []


def popular_articles(
    content: Content, lang: Language, picks: Sequence[str], count: int = POPULAR_COUNT
) -> list[Article]:
    """Up to ``count`` public articles in ``lang``: the picks (in either language) first,
    then the scripted solutions of each service in turn."""
    chosen: list[Article] = []

    def add(article: Article | None) -> None:
        if article is None or not article.is_public or len(chosen) >= count:
            return
        if article.lang is not lang:
            article = content.articles.get(article.translation or "")
            if article is None or not article.is_public or article.lang is not lang:
                return
        if article not in chosen:
            chosen.append(article)

    for ref in picks:
        add(content.articles.get(ref))
    by_service = [
        sorted((a for a in content.public_articles()
                if a.service == s.id and a.lang is lang and a.steps), key=lambda a: a.title)
        for s in content.services.values()
    ]  # fmt: skip
    for round_ in range(max((len(group) for group in by_service), default=0)):
        for group in by_service:
            if round_ < len(group):
                add(group[round_])
    return chosen


def home_page(
    content: Content, lang: Language, authored: Authored, popular: Sequence[str], phone: str
) -> str:
    """The home page's Markdown (material's ``hide`` keeps the long navigation aside)."""
    parts = [
        "---", f"title: {_quoted(authored.title)}", "hide:", "  - navigation", "  - toc", "---",
        f"# {authored.title}", "", authored.intro, "",
        f'<label class="home-search" for="__search" tabindex="0" role="button">'
        f'<span>{text("search", lang)}</span></label>', "",
        f"## {text('popular', lang)}", "",
    ]  # fmt: skip
    for article in popular_articles(content, lang, popular):
        summary = f" — {article.summary}" if article.summary else ""
        parts.append(f"- [{article.title}]({_md_link(article)}){summary}")
    parts += ["", f"## {text('services', lang)}", "", '<div class="grid cards" markdown>', ""]
    for service in content.services.values():
        articles = [a for a in content.public_articles() if a.service == service.id
                    and a.lang is lang]  # fmt: skip
        forms = [f for f in content.forms.values() if f.service == service.id]
        if not articles and not forms:
            continue
        numbers = (_count(len(articles), ARTICLES, lang), _count(len(forms), FORMS, lang))
        counts = " · ".join(n for n in numbers if n)
        description = service.description.get(lang) if service.description else ""
        parts += [
            f"-   **[{service.name.get(lang)}](services/{service.id}.md)**",
            "", f"    {description}", "", f"    *{counts}*", "",
        ]  # fmt: skip
    parts += ["</div>", "", f"## {text('catalog', lang)}", "",
              f"{text('catalog_text', lang)} [{text('catalog', lang)}](catalog/index.md)", "",
              f"## {text('contact', lang)}", "", f"- {text('chat', lang)}"]  # fmt: skip
    if phone:
        parts.append("- " + catalogue_text("site.home.phone", lang.value, phone=phone))
    return "\n".join(parts) + "\n"


def service_page(content: Content, service_id: str, lang: Language) -> str:
    """A service's page: its articles (scripted solutions first) and its request forms."""
    service = content.services[service_id]
    articles = sorted(
        (a for a in content.public_articles() if a.service == service_id and a.lang is lang),
        key=lambda a: (not a.steps, a.title),
    )
    parts = [f"# {service.name.get(lang)}", ""]
    if service.description:
        parts += [service.description.get(lang), ""]
    if articles:
        parts += [f"## {text('service_articles', lang)}", ""]
        parts += [f"- [{a.title}](../{_md_link(a)})" + (f" — {a.summary}" if a.summary else "")
                  for a in articles]  # fmt: skip
        parts.append("")
    forms = sorted((f for f in content.forms.values() if f.service == service_id),
                   key=lambda f: f.title.get(lang))  # fmt: skip
    if forms:
        parts += [f"## {text('service_forms', lang)}", ""]
        parts += [f"- [{f.title.get(lang)}](../catalog/{f.id}.md)" for f in forms]
        parts.append("")
    return "\n".join(parts)


def _md_link(article: Article) -> str:
    """The staged Markdown file of an article, relative to the site root (the i18n
    plugin resolves ``x.md`` to ``x.ru.md`` on Russian pages)."""
    return article.site_path.rstrip("/") + ".md"


def _quoted(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=10_000).strip().removesuffix("...")
