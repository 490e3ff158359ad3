"""kb/'s front matter and ``services.yml`` as pydantic models (see kb/AUTHORING.md).

The loader validates with these, reports their problems as ``FILE:LINE: key.path: reason``
and checks what spans several keys or files itself. A scripted solution's ``steps`` are
read by the loader's step reader, which owns their keys.
"""

from typing import Any

from selfservice.content.kb_types import Day, Ident, Str, Texts, TextSpec
from selfservice.content.yaml_models import YamlModel
from selfservice.domain.enums import ArticleKind, Audience, Language, Line


class ArticleSpec(YamlModel):
    id: Ident
    title: Str
    lang: Language
    translation: Ident | None = None
    service: Ident
    audience: Audience
    kind: ArticleKind
    tags: Texts = ()
    symptoms: Texts = ()
    updated: Day
    summary: Str | None = None
    steps: Any = None


class ServiceSpec(YamlModel):
    id: Ident
    name: TextSpec
    description: TextSpec | None = None
    group: Ident
    line: Line


class ServicesFile(YamlModel):
    services: list[ServiceSpec]
