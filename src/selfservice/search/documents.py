"""What goes into the search index: one flat :class:`SearchDoc` per article and per form language.

This module knows the content model and the JSONL evaluation format, and nothing about
whoosh; the engine turns SearchDocs into index documents.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from selfservice.content.model import Article, Content, RequestForm, Service

__all__ = [
    "ARTICLE",
    "FORM",
    "SearchDoc",
    "docs_from_content",
    "docs_from_jsonl",
    "article_doc",
    "form_docs",
]

ARTICLE = "article"
FORM = "form"
LANGS = ("en", "ru")

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(\*\*|__|`{1,3}|^#{1,6}\s+|^\s*[-*+]\s+|^\s*\d+\.\s+)", re.MULTILINE)
_SPACES = re.compile(r"[ \t]+")


def plain(markdown: str) -> str:
    """Markdown to plain text good enough for indexing and snippets."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_MARK.sub("", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class SearchDoc:
    """One searchable document.

    ``key`` is unique in the index: ``article:<id>`` or ``form:<id>:<lang>``.
    ``details`` holds the scripted steps and their checks (articles) or the field labels,
    help texts and option labels (forms). ``path`` is the page path relative to the
    language root of the public site ("" when there is no page, e.g. eval corpora).
    ``service_name`` is the service's name in the document's language: the meaning model
    reads it with a short text (``vectors.py``).
    """

    key: str
    type: str
    ref: str
    lang: str
    audience: str
    kind: str
    service: str
    title: str
    summary: str = ""
    symptoms: str = ""
    tags: str = ""
    details: str = ""
    body: str = ""
    path: str = ""
    service_name: str = ""

    @property
    def url(self) -> str:
        """Site URL with the language root (English at ``/``, Russian at ``/ru/``)."""
        if not self.path:
            return ""
        return ("/ru/" if self.lang == "ru" else "/") + self.path

    def content_hash(self) -> str:
        """A stable fingerprint of everything indexed; a changed hash means rewrite."""
        raw = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(raw.encode("utf-8"), digest_size=16).hexdigest()


def article_doc(article: Article, service_name: str = "") -> SearchDoc:
    steps: list[str] = []
    for step in article.steps:
        steps.append(plain(step.text))
        if step.check:
            steps.append(plain(step.check))
    return SearchDoc(
        key=f"{ARTICLE}:{article.id}",
        type=ARTICLE,
        ref=article.id,
        lang=str(article.lang),
        audience=str(article.audience),
        kind=str(article.kind),
        service=article.service,
        title=article.title,
        summary=article.summary or "",
        symptoms="; ".join(article.symptoms),
        tags=", ".join(article.tags),
        details="\n".join(steps),
        body=plain(article.body),
        path=article.site_path,
        service_name=service_name,
    )


def form_docs(form: RequestForm, service: Service | None = None) -> list[SearchDoc]:
    """One document per language: everything a customer reads on the form."""
    docs: list[SearchDoc] = []
    for lang in LANGS:
        parts: list[str] = []
        for f in form.fields:
            parts.append(f.label.get(lang))
            if f.help is not None:
                parts.append(f.help.get(lang))
            parts.extend(o.label.get(lang) for o in f.options)
        docs.append(
            SearchDoc(
                key=f"{FORM}:{form.id}:{lang}",
                type=FORM,
                ref=form.id,
                lang=lang,
                audience="public",
                kind=str(form.type),
                service=form.service,
                title=form.title.get(lang),
                summary=form.description.get(lang),
                tags=", ".join(form.keywords),
                details="\n".join(p for p in parts if p),
                path=f"catalog/{form.id}/",
                service_name=service.name.get(lang) if service is not None else "",
            )
        )
    return docs


def docs_from_content(content: Content) -> list[SearchDoc]:
    """All articles (public and internal) and every form in both languages."""
    def name(service: str, lang: str) -> str:
        found = content.services.get(service)
        return found.name.get(lang) if found is not None else ""

    docs = [article_doc(a, name(a.service, str(a.lang))) for a in content.articles.values()]
    for form in content.forms.values():
        docs.extend(form_docs(form, content.services.get(form.service)))
    return docs


_ID_WORDS = re.compile(r"[/_\-.\s]+")


def jsonl_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a JSONL file with their 1-based numbers (for FILE:LINE)."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                yield n, line


def docs_from_jsonl(path: Path) -> Iterator[SearchDoc]:
    """Documents from an evaluation corpus: JSONL with id, lang, title, body, optional service."""
    for n, line in jsonl_lines(path):
        try:
            rec = json.loads(line)
            yield SearchDoc(
                key=f"{ARTICLE}:{rec['id']}",
                type=ARTICLE,
                ref=str(rec["id"]),
                lang=str(rec["lang"]),
                audience="public",
                kind="faq",
                service=str(rec.get("service") or ""),
                title=str(rec.get("title") or ""),
                body=plain(str(rec.get("body") or "")),
                # a corpus has no catalog: the words of the service's id name it
                service_name=" ".join(_ID_WORDS.split(str(rec.get("service") or ""))).strip(),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{n}: not a corpus record ({exc})") from None


def unique(docs: Iterable[SearchDoc]) -> dict[str, SearchDoc]:
    """Docs by key; a duplicate key is an error (it would silently replace a document)."""
    out: dict[str, SearchDoc] = {}
    for d in docs:
        if d.key in out:
            raise ValueError(f"duplicate search document {d.key}")
        out[d.key] = d
    return out
