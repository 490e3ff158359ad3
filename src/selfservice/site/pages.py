"""Markdown for the public site, generated from the loaded kb/ content.

The site is built from a staging copy of kb/ (see ``stage.py``): public articles with
their steps rendered, and catalog pages generated from the request forms, so nothing
is hand-copied and nothing internal is ever in the folder mkdocs reads.
"""

from collections.abc import Mapping

from selfservice.content import flow
from selfservice.content.model import (
    Article,
    Content,
    FieldType,
    FormField,
    RequestForm,
    Route,
)
from selfservice.domain.enums import Language
from selfservice.text.catalogue import text


def label(key: str, lang: Language) -> str:
    """A label of the site's generated pages, from the text catalogue (``site.labels``)."""
    return text(f"site.labels.{key}", lang.value)


def field_kind(kind: FieldType, lang: Language) -> str:
    return text(f"site.kinds.{kind.value}", lang.value)


def article_page(article: Article, forms: Mapping[str, RequestForm] | None = None) -> str:
    """The article's Markdown with its steps rendered as an addressable numbered list;
    a step that routes its answers says where each one leads (a readable flow)."""
    front = ["---", f"title: {_yaml_str(article.title)}"]
    if article.tags:
        front.append("tags:")
        front.extend(f"  - {_yaml_str(tag)}" for tag in article.tags)
    if article.summary:
        front.append(f"description: {_yaml_str(article.summary)}")
    front.append("---")
    parts = ["\n".join(front), f"# {article.title}", ""]
    if article.summary:
        parts += [f"*{article.summary}*", ""]
    if article.steps:
        parts += [f"## {label('steps', article.lang)}", ""]
        for number, step in enumerate(article.steps, start=1):
            parts.append(f'<a id="step-{step.id}"></a>')
            parts.append(f"{number}. " + _indent(step.text, 3))
            if step.check:
                parts.append(f"\n   **{label('check', article.lang)}:** {step.check}")
            parts.extend(_branches(article, number - 1, forms or {}))
            parts.append("")
    parts += [_strip_leading_title(article.body, article.title), ""]
    return "\n".join(parts)


def _branches(article: Article, index: int, forms: Mapping[str, RequestForm]) -> list[str]:
    """"If yes → go to step 4", "If no → file the request …" under a routing step."""
    step, lang = article.steps[index], article.lang
    if step.yes is None and step.no is None and step.next is None:
        return []  # the plain list reads on by itself
    keys = {flow.YES: "if_yes", flow.NO: "if_no", flow.NEXT: "then"}
    lines = [""]
    for answer in flow.answers(step):
        target = flow.route(article, index, answer)
        lines.append(f"   - **{label(keys[answer], lang)}** → {_target(article, target, forms)}")
    return lines


def _target(article: Article, target: Route | None, forms: Mapping[str, RequestForm]) -> str:
    lang = article.lang
    if target is None:
        return label("still_need_help", lang)
    if target.form is not None:
        form = forms.get(target.form)
        title = form.title.get(lang) if form else target.form
        depth = len(article.site_path.strip("/").split("/")) - 1
        link = f"{label('file_form', lang)} [«{title}»]({'../' * depth}catalog/{target.form}.md)"
        fields = [f.label.get(lang) for k, _ in target.prefill if form and (f := form.field(k))]
        if fields:
            link += ", " + text("site.labels.filled", lang.value, fields="», «".join(fields))
        return link
    number = flow.index_of(article, target.step or "")
    if number is None:
        return f"**{label('solved', lang)}**"
    go = text("site.labels.go_step", lang.value, number=number + 1)
    return f"[{go}](#step-{target.step})"


def catalog_index(content: Content, lang: Language) -> str:
    parts = [f"# {label('catalog', lang)}", "", label("catalog_intro", lang), ""]
    for kind, heading in (("incident", "incidents"), ("request", "requests")):
        forms = sorted(
            (f for f in content.forms.values() if f.type == kind), key=lambda f: f.title.get(lang)
        )
        if not forms:
            continue
        parts += [f"## {label(heading, lang)}", ""]
        for form in forms:
            parts.append(f"- [{form.title.get(lang)}]({form.id}.md) — {form.description.get(lang)}")
        parts.append("")
    return "\n".join(parts)


def form_page(form: RequestForm, content: Content, lang: Language) -> str:
    service = content.services.get(form.service)
    service_name = service.name.get(lang) if service else form.service
    parts = [
        f"# {form.title.get(lang)}",
        "",
        form.description.get(lang),
        "",
        f"- **{label('type', lang)}:** {label(form.type.value, lang)}",
        f"- **{label('service', lang)}:** {service_name}",
    ]
    if form.fulfilment_hours is not None:
        hours = f"{form.fulfilment_hours:g}"
        parts.append(f"- **{label('fulfilment', lang)}:** {hours} {label('hours', lang)}")
    parts += [
        "",
        f"## {label('fields', lang)}",
        "",
        f"| {label('field', lang)} | {label('kind', lang)} | {label('required', lang)} "
        f"| {label('notes', lang)} |",
        "|---|---|---|---|",
    ]
    for field in form.fields:
        required = label("yes" if field.required else "no", lang)
        kind = field_kind(field.type, lang)
        notes = _cell(_notes(field, form, lang))
        parts.append(f"| {_cell(field.label.get(lang))} | {kind} | {required} | {notes} |")
    parts += ["", label("how_to_file", lang), ""]
    return "\n".join(parts)


def _notes(field: FormField, form: RequestForm, lang: Language) -> str:
    notes: list[str] = []
    if field.help:
        notes.append(field.help.get(lang).rstrip("."))
    if field.type is FieldType.INTEGER and (field.min is not None or field.max is not None):
        low = "…" if field.min is None else str(field.min)
        high = "…" if field.max is None else str(field.max)
        notes.append(text("site.labels.range", lang.value, min=low, max=high))
    if field.options:
        values = ", ".join(o.label.get(lang) for o in field.options)
        notes.append(f"{label('options', lang)}: {values}")
    if field.show_if:
        target = form.field(field.show_if.field)
        target_label = target.label.get(lang) if target else field.show_if.field
        shown = _option_labels(target, field.show_if.values, lang)
        verb = label("is" if len(shown) == 1 else "one_of", lang)
        notes.append(f"{label('shown_when', lang)} «{target_label}» {verb} {', '.join(shown)}")
    return "; ".join(notes)


def _option_labels(target: FormField | None, values: tuple[str, ...], lang: Language) -> list[str]:
    if target is None:
        return list(values)
    if target.type is FieldType.BOOLEAN:
        return [label("yes" if v == "true" else "no", lang) for v in values]
    names = {o.value: o.label.get(lang) for o in target.options}
    return [names.get(v, v) for v in values]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _indent(text: str, width: int) -> str:
    pad = " " * width
    lines = text.strip().splitlines()
    return "\n".join([lines[0], *(pad + line if line.strip() else "" for line in lines[1:])])


def _strip_leading_title(body: str, title: str) -> str:
    """Authors sometimes repeat the title as '# …'; the page already has it."""
    lines = body.lstrip().splitlines()
    if lines and lines[0].startswith("# ") and lines[0][2:].strip() == title.strip():
        return "\n".join(lines[1:]).lstrip()
    return body


def _yaml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
