"""Read-only knowledge-base endpoints: public articles and the request-form catalog.

Internal articles answer exactly like unknown ones (404 ``article_not_found``), so the
API never reveals that a runbook exists.
"""

from typing import Any

import markdown
from starlette.requests import Request
from starlette.responses import JSONResponse

from selfservice.content.form_schema import form_json_schema
from selfservice.content.model import Article, Content, RequestForm
from selfservice.domain.enums import Language
from selfservice.web.errors import ApiError, request_language
from selfservice.web.params import query_language, query_text
from selfservice.web.state import State, state_of
from selfservice.web.urls import article_url, form_url

MARKDOWN_EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "fenced_code"]


class ArticleRenderer:
    """Markdown -> HTML once per article (content does not change while the app runs)."""

    def __init__(self) -> None:
        self._html: dict[str, str] = {}

    def html(self, article: Article) -> str:
        if article.id not in self._html:
            self._html[article.id] = markdown.markdown(
                article.body, extensions=MARKDOWN_EXTENSIONS, output_format="html"
            )
        return self._html[article.id]


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
        "steps": [{"id": s.id, "text": s.text, "check": s.check} for s in article.steps],
        "translation": translation,
        "url": article_url(state["settings"].kb_site_url, article),
    }


async def get_article(request: Request) -> JSONResponse:
    """
    summary: One public article, with its Markdown, rendered HTML and steps
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, maxLength: 200}}
      - {$ref: "#/components/parameters/lang"}
    responses:
      200:
        description: The article
        content: {application/json: {schema: {$ref: "#/components/schemas/Article"}}}
    errors: [400, 404, 429]
    """
    state = state_of(request)
    query_language(request)  # only validated: it selects the language of error messages
    article = public_article(state["content"], request.path_params["id"])
    if article is None:
        raise ApiError(404, "article_not_found", field="id")
    return JSONResponse(article_json(state, article))


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


async def list_forms(request: Request) -> JSONResponse:
    """
    summary: The request-form catalog, each form as JSON Schema with UI hints
    parameters:
      - {$ref: "#/components/parameters/lang"}
      - name: service
        in: query
        required: false
        description: Only the forms of this service.
        schema: {type: string, minLength: 1, maxLength: 64, pattern: "\\\\S"}
    responses:
      200:
        description: All forms, ordered by id
        content:
          application/json:
            schema:
              type: object
              required: [forms]
              properties:
                forms: {type: array, items: {$ref: "#/components/schemas/Form"}}
    errors: [400, 429]
    """
    content = state_of(request)["content"]
    lang = query_language(request) or request_language(request)
    service = query_text(request, "service", max_length=64, required=False) or None
    forms = [
        form_json(form, content, lang)
        for form_id, form in sorted(content.forms.items())
        if service is None or form.service == service
    ]
    return JSONResponse({"forms": forms})


async def get_form(request: Request) -> JSONResponse:
    """
    summary: One request form as JSON Schema (draft 2020-12) with UI hints under x-ui
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, maxLength: 200}}
      - {$ref: "#/components/parameters/lang"}
    responses:
      200:
        description: The form
        content: {application/json: {schema: {$ref: "#/components/schemas/Form"}}}
    errors: [400, 404, 429]
    """
    content = state_of(request)["content"]
    lang = query_language(request) or request_language(request)
    form = content.forms.get(request.path_params["id"])
    if form is None:
        raise ApiError(404, "form_not_found", field="id")
    return JSONResponse(form_json(form, content, lang))
