"""The provider's brand on the public site, from one file (``site.yml`` next to mkdocs.yml).

::

    site_url: https://support.example.com/kb/    # where the site is published
    name: {en: Example Cloud support, ru: Поддержка Example Cloud}
    logo: assets/logo.svg                        # relative to site.yml; optional
    colours: {primary: "#0b5cad", accent: "#f29100"}
    footer: {en: "© 2026 Example Cloud", ru: "© 2026 Example Cloud"}
    support_phone: "+7 495 000-00-00"

The hook applies it to the mkdocs config: the site's name in both languages, its URL
(the sitemap and the language alternates need an absolute one), logo, colours, and a
footer with the support phone instead of the theme's own credit line. It also adds the
script that lets the service's search answer the site's search box (see
``assets/service-search.js``).
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import field_validator, model_validator

from selfservice.content.yaml_lines import YamlSyntaxError, load_yaml
from selfservice.content.yaml_models import KeyIssue, YamlModel, problems_at, validated
from selfservice.text.catalogue import text

BRAND_FILE = "site.yml"
#: Hands the search box to the service's search when the service serves the site.
SERVICE_SEARCH = Path(__file__).parent / "assets" / "service-search.js"
#: When nothing is configured: the address ``selfservice serve`` serves the site at.
DEFAULT_SITE_URL = "http://127.0.0.1:8000/kb/"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class BrandError(ValueError):
    """``site.yml`` holds something the site cannot use (the message names file and key)."""


@dataclass(frozen=True)
class Brand:
    site_url: str = DEFAULT_SITE_URL
    name_en: str = "Support knowledge base"
    name_ru: str = "База знаний поддержки"
    logo: Path | None = None
    primary: str = "#1f4e79"
    accent: str = "#e07a10"
    footer_en: str = ""
    footer_ru: str = ""
    support_phone: str = ""

    def footer(self, lang: str) -> str:
        """The footer line as HTML: the provider's text and the support phone."""
        own = self.footer_ru if lang == "ru" else self.footer_en
        parts = [html.escape(own)] if own else []
        if self.support_phone:
            label = text("site.labels.support_phone", lang)
            tel = re.sub(r"[^+0-9]", "", self.support_phone)
            parts.append(f'{label}: <a href="tel:{tel}">{html.escape(self.support_phone)}</a>')
        return " · ".join(parts)

    def css(self) -> str:
        return (
            ":root, [data-md-color-scheme=default] {\n"
            f"  --md-primary-fg-color: {self.primary};\n"
            f"  --md-primary-fg-color--light: {self.primary};\n"
            f"  --md-primary-fg-color--dark: {self.primary};\n"
            f"  --md-accent-fg-color: {self.accent};\n"
            f"  --md-typeset-a-color: {self.primary};\n"
            "}\n"
            # The home page's search prompt: a large field-like button that opens search.
            ".home-search { display: flex; align-items: center; min-height: 3.2rem;\n"
            "  padding: 0.6rem 1rem; margin: 1.2rem 0 1.6rem; cursor: text;\n"
            f"  border: 2px solid {self.primary}; border-radius: 0.4rem;\n"
            "  color: var(--md-default-fg-color--light); font-size: 0.9rem; }\n"
            ".home-search::before { content: '⌕'; font-size: 1.4rem; margin-right: 0.7rem;\n"
            f"  color: {self.primary}; }}\n"
            f".home-search:hover, .home-search:focus {{ outline: 3px solid {self.accent}; }}\n"
        )


class _Texts(YamlModel):
    """A text in both languages; one string stands for both."""

    en: str
    ru: str

    @model_validator(mode="before")
    @classmethod
    def _one_for_both(cls, value: Any) -> Any:
        return {"en": value, "ru": value} if isinstance(value, str) else value


class _Colours(YamlModel):
    primary: str | None = None
    accent: str | None = None

    @field_validator("primary", "accent")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None and not _COLOUR.match(value):
            raise ValueError(f"{value!r} is not a colour like #1f4e79")
        return value


class BrandSpec(YamlModel):
    """``site.yml`` as written; texts are one string or ``{en: …, ru: …}``."""

    site_url: str = DEFAULT_SITE_URL
    name: _Texts | None = None
    logo: str | None = None
    colours: _Colours | None = None
    footer: _Texts | None = None
    support_phone: str | int | None = None

    @field_validator("site_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not re.match(r"^https?://[^/]+", value):
            raise ValueError(f"{value!r} is not an absolute http(s) URL")
        return value if value.endswith("/") else value + "/"


def _pair(value: _Texts | None) -> tuple[str, str] | None:
    return None if value is None else (value.en, value.ru)


def load_brand(path: Path) -> Brand:
    """The brand in ``path``; the defaults when the file does not exist. Problems raise
    :class:`BrandError` with one ``FILE:LINE: key: reason`` line each."""
    if not path.is_file():
        return Brand()
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except YamlSyntaxError as exc:
        raise BrandError(f"{path}:{exc.line}: {exc.reason}") from None
    spec, issues = validated(BrandSpec, data)
    if spec is not None and spec.logo is not None and not (path.parent / spec.logo).is_file():
        issues.append(KeyIssue("logo", f"no such file: {path.parent / spec.logo}"))
    if issues or spec is None:
        raise BrandError("\n".join(str(p) for p in problems_at(path, data, issues)))
    values: dict[str, Any] = {"site_url": spec.site_url}
    if (name := _pair(spec.name)) is not None:
        values["name_en"], values["name_ru"] = name
    if (footer := _pair(spec.footer)) is not None:
        values["footer_en"], values["footer_ru"] = footer
    if spec.logo is not None:
        values["logo"] = path.parent / spec.logo
    for key in ("primary", "accent"):
        if spec.colours is not None and getattr(spec.colours, key) is not None:
            values[key] = getattr(spec.colours, key)
    if spec.support_phone is not None:
        values["support_phone"] = str(spec.support_phone)
    return Brand(**values)


def apply_brand(config: Any, brand: Brand, stage: Path) -> None:
    """Put the brand into the mkdocs ``config``; its files go to the ``stage`` folder."""
    assets = stage / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "brand.css").write_text(brand.css(), encoding="utf-8")
    config["extra_css"] = [*config.get("extra_css", []), "assets/brand.css"]
    shutil.copyfile(SERVICE_SEARCH, assets / SERVICE_SEARCH.name)
    config["extra_javascript"] = [
        *config.get("extra_javascript", []), f"assets/{SERVICE_SEARCH.name}"
    ]
    if not config.get("site_url"):
        config["site_url"] = brand.site_url
    config["site_name"] = brand.name_en
    config["copyright"] = brand.footer("en")
    config["extra"]["generator"] = False
    if brand.logo is not None:
        target = assets / f"logo{brand.logo.suffix}"
        shutil.copyfile(brand.logo, target)
        config["theme"]["logo"] = f"assets/{target.name}"
        config["theme"]["favicon"] = f"assets/{target.name}"
    i18n = config["plugins"].get("i18n")
    if i18n is not None:
        for language in i18n.config.languages:
            if language.locale == "ru":
                language.site_name = brand.name_ru
                language.copyright = brand.footer("ru")
