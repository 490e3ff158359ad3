"""Read-only knowledge-base endpoints: public articles and the request-form catalog.

Internal articles answer exactly like unknown ones (404 ``article_not_found``), so the
API never reveals that a runbook exists.
"""

from typing import Any

import markdown

from selfservice.content.flow import routes_json
from selfservice.content.form_schema import form_json_schema
from selfservice.content.model import Article, Content, RequestForm
from selfservice.domain.enums import Language
from selfservice.web.dispatch import Call
from selfservice.web.errors import ApiError
from selfservice.web.schemas.requests import FormsQuery, LangQuery
from selfservice.web.state import State
from selfservice.web.urls import article_url, form_url

MARKDOWN_EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "fenced_code"]


class ArticleRenderer:
    """Markdown -> HTML once per article version (a published edit renders anew)."""

    def __init__(self) -> None:
        self._html: dict[tuple[str, str], str] = {}

    def html(self, article: Article) -> str:
        key = (article.id, article.body)
        if key not in self._html:
            if len(self._html) > 4096:  # many publishes: drop the old versions
                self._html.clear()
            self._html[key] = markdown.markdown(
                article.body, extensions=MARKDOWN_EXTENSIONS, output_format="html"
            )
        return self._html[key]


def public_article(content: Content, article_id: str) -> Article | None:
    article = content.articles.get(article_id)
    return article if article is not None and article.is_public else None


def article_json(state: State, article: Article) -> dict[str, Any]:
    translation = (
        article.translation
        if public_article(state["content"], article.translation or "") is not None
        else None
    )
    return {
        "id": article.id,
        "title": article.title,
        "lang": article.lang.value,
        "service": article.service,
        "kind": article.kind.value,
        "tags": list(article.tags),
        "symptoms": list(article.symptoms),
        "summary": article.summary,
        "updated": article.updated.isoformat() if article.updated else None,
        "body": article.body,
        "html": state["renderer"].html(article),
        "steps": [
            {"id": s.id, "text": s.text, "check": s.check, "branch": s.branches,
             "routes": routes_json(article, index)}
            for index, s in enumerate(article.steps)
        ],
        "translation": translation,
        "url": article_url(state["settings"].kb_site_url, article),
    }


async def get_article(call: Call[None, LangQuery]) -> dict[str, Any]:
    """One public article, with its Markdown, rendered HTML and steps"""
    article = public_article(call.state["content"], call.path("id"))
    if article is None:
        raise ApiError(404, "article_not_found", field="id")
    return article_json(call.state, article)


def form_json(form: RequestForm, content: Content, lang: Language) -> dict[str, Any]:
    service = content.services.get(form.service)
    return {
        "id": form.id,
        "type": form.type.value,
        "service": form.service,
        "service_name": service.name.get(lang) if service else None,
        "title": form.title.get(lang),
        "description": form.description.get(lang),
        "customer_sets_urgency": form.customer_sets_urgency,
        "default_urgency": form.default_urgency.value,
        "keywords": list(form.keywords),
        "url": form_url(form.id),
        "schema": form_json_schema(form, lang.value),
    }


async def list_forms(call: Call[None, FormsQuery]) -> dict[str, Any]:
    """The request-form catalog, each form as JSON Schema with UI hints

    All forms, ordered by id.
    """
    content, service = call.state["content"], call.query.service
    forms = [
        form_json(form, content, call.lang)
        for form_id, form in sorted(content.forms.items())
        if service is None or form.service == service
    ]
    return {"forms": forms}


async def get_form(call: Call[None, LangQuery]) -> dict[str, Any]:
    """One request form as JSON Schema (draft 2020-12) with UI hints under x-ui"""
    content = call.state["content"]
    form = content.forms.get(call.path("id"))
    if form is None:
        raise ApiError(404, "form_not_found", field="id")
    return form_json(form, content, call.lang)
