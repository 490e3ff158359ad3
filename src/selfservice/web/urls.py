"""Links the API hands out: articles on the public KB site, forms in the API itself.

The public site (mkdocs, see ``selfservice.site``) serves English at its root and
Russian under ``ru/``; an article's page is its path inside ``kb/`` without ``.md``
(and without ``.ru``). ``kb_site_url`` is where that site is published: a relative
``/kb/`` by default (the site served beside the API), or a full URL such as
``https://support.example.com/``.
"""

from selfservice.content.model import Article
from selfservice.domain.enums import Language

API_PREFIX = "/api/v1"


def article_url(kb_site_url: str, article: Article) -> str:
    base = kb_site_url if kb_site_url.endswith("/") else kb_site_url + "/"
    lang = "ru/" if article.lang is Language.RU else ""
    return f"{base}{lang}{article.site_path}"


def form_url(form_id: str) -> str:
    return f"{API_PREFIX}/forms/{form_id}"
