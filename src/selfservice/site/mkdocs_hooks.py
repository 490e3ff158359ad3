"""mkdocs hooks (named in mkdocs.yml): build the site from a staged, public-only kb/.

``docs_dir`` in mkdocs.yml names the authored kb/; before anything is read, the hook
stages its public part (see ``stage.py``) and points mkdocs at the staging folder.
A kb/ with problems fails the build with every problem listed.
"""

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from selfservice.content.loader import ContentError
from selfservice.site.stage import nav_translations, stage_site

STAGE_NAME = "site-src"


@event_priority(100)  # before mkdocs-static-i18n reads the folder
def on_config(config: Any) -> Any:
    docs_dir = Path(config["docs_dir"])
    if docs_dir.name == STAGE_NAME:  # the i18n plugin rebuilds per language with this config
        return config
    stage = Path(config["config_file_path"]).resolve().parent / "build" / STAGE_NAME
    try:
        content, nav = stage_site(docs_dir, stage)
    except ContentError as exc:
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
