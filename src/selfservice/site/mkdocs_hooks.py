"""mkdocs hooks (named in mkdocs.yml): build the site from a staged, public-only kb/.

``docs_dir`` in mkdocs.yml names the authored kb/; before anything is read, the hook
stages its public part (see ``stage.py``) and points mkdocs at the staging folder.
A kb/ with problems fails the build with every problem listed.
"""

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from selfservice.content.loader import ContentError
from selfservice.site.brand import BRAND_FILE, BrandError, apply_brand, load_brand
from selfservice.site.stage import nav_translations, stage_site

STAGE_NAME = "site-src"


@event_priority(100)  # before mkdocs-static-i18n reads the folder
def on_config(config: Any) -> Any:
    docs_dir = Path(config["docs_dir"])
    if docs_dir.name.startswith(STAGE_NAME):  # the i18n plugin rebuilds per language
        return config
    config_file = Path(config["config_file_path"]).resolve()
    root = config_file.parent
    # One staging folder per config file: a `kb publish` (its own config next to
    # mkdocs.yml) and an author's `mkdocs serve` may build at the same time.
    name = STAGE_NAME if config_file.name == "mkdocs.yml" else f"{STAGE_NAME}-{config_file.stem}"
    stage = root / "build" / name
    try:
        brand = load_brand(root / BRAND_FILE)
        content, nav = stage_site(docs_dir, stage, phone=brand.support_phone)
        apply_brand(config, brand, stage)
    except (ContentError, BrandError) as exc:
        raise PluginError(str(exc)) from None
    config["docs_dir"] = str(stage)
    if not config.get("nav"):
        config["nav"] = nav
    i18n = config["plugins"].get("i18n")
    if i18n is not None:
        for language in i18n.config.languages:
            if language.locale == "ru":
                language.nav_translations = {
                    **nav_translations(content),
                    **(language.nav_translations or {}),
                }
    return config


# Material's script fetches ``sitemap.xml`` next to every ``<link rel="alternate"
# hreflang>`` of the page, expecting language roots; the i18n plugin puts each page's
# own translation there, so every page view asked for a sitemap that cannot exist (404s
# in the browser and in the server log). The sitemap carries the same hreflang pairs for
# crawlers and the language menu links to the translation itself, so the head links go.
_PAGE_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')


def on_post_page(output: str, page: Any, config: Any) -> str:
    return _PAGE_ALTERNATE.sub("", output)
