"""Typed objects for everything in kb/: services, articles, request forms.

The loader (``loader.py``) builds these from files and reports every problem it finds;
the rest of the package only ever sees these objects.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

from selfservice.domain.enums import (
    ArticleKind,
    Audience,
    Impact,
    Language,
    Line,
    TicketType,
    Urgency,
)


@dataclass(frozen=True)
class Text:
    """A user-facing string in both languages."""

    en: str
    ru: str

    def get(self, lang: Language | str) -> str:
        return self.ru if str(lang) == "ru" else self.en


@dataclass(frozen=True)
class Service:
    id: str
    name: Text
    group: str
    line: Line
    description: Text | None = None


@dataclass(frozen=True)
class Route:
    """Where an answer leads (``yes:``, ``no:`` or ``next:`` of a step): another step
    (``step``), a request form opened with some fields filled (``form``, ``prefill``), or,
    with neither, "solved". ``line`` is where it was written, for problems."""

    step: str | None = None
    form: str | None = None
    prefill: tuple[tuple[str, object], ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def solved(self) -> bool:
        return self.step is None and self.form is None


@dataclass(frozen=True)
class Step:
    """One step of a scripted solution; ``id`` is unique within its article.

    ``yes``/``no`` route the answers to ``check``; ``next`` continues a step without a
    check. Left out, "yes" means solved and "no" or "next" the following step (after
    the last one: "I still need help"), see :mod:`selfservice.content.flow`."""

    id: str
    text: str
    check: str | None = None
    yes: Route | None = None
    no: Route | None = None
    next: Route | None = None
    line: int = field(default=0, compare=False)

    @property
    def branches(self) -> bool:
        """The customer answers the check with Yes / No (rather than Solved / Next step)."""
        return self.check is not None and (self.yes is not None or self.no is not None)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    lang: Language
    service: str
    audience: Audience
    kind: ArticleKind
    body: str
    path: Path
    translation: str | None = None
    tags: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    updated: date | None = None
    summary: str | None = None

    @property
    def is_public(self) -> bool:
        return self.audience is Audience.PUBLIC

    @property
    def site_path(self) -> str:
        """The page's path on the public site, relative to the language root."""
        rel = self.path.as_posix()
        marker = "kb/"
        rel = rel[rel.rfind(marker) + len(marker) :] if marker in rel else rel
        stem = rel.removesuffix(".md").removesuffix(".ru")
        return f"{stem}/"


class FieldType(StrEnum):
    STRING = "string"
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    INTEGER = "integer"
    CHOICE = "choice"
    MULTI_CHOICE = "multi-choice"
    BOOLEAN = "boolean"
    DATE = "date"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    IP = "ip"
    HOSTNAME = "hostname"


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class ShowIf:
    """Show the field only when another field's value is one of ``values``."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class FormField:
    id: str
    type: FieldType
    label: Text
    required: bool = False
    help: Text | None = None
    pattern: str | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    show_if: ShowIf | None = None


@dataclass(frozen=True)
class RequestForm:
    id: str
    type: TicketType
    service: str
    title: Text
    description: Text
    fields: tuple[FormField, ...]
    path: Path
    default_impact: Impact = Impact.LOW
    customer_sets_urgency: bool = True
    default_urgency: Urgency = Urgency.MEDIUM
    fulfilment_hours: float | None = None
    keywords: tuple[str, ...] = ()

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Content:
    """All of kb/, loaded and checked."""

    services: dict[str, Service] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    forms: dict[str, RequestForm] = field(default_factory=dict)

    def public_articles(self) -> list[Article]:
        return [a for a in self.articles.values() if a.is_public]
