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
    Text,
)
from selfservice.domain.enums import Language

LABELS: dict[str, Text] = {
    "steps": Text("Steps", "Шаги"),
    "check": Text("Check", "Проверка"),
    "if_yes": Text("If yes", "Если да"),
    "if_no": Text("If no", "Если нет"),
    "then": Text("Then", "Дальше"),
    "go_step": Text("go to step {number}", "перейдите к шагу {number}"),
    "solved": Text("solved", "проблема решена"),
    "file_form": Text("file the request", "оформите заявку"),
    "filled": Text("with «{fields}» already filled in", "поля «{fields}» уже заполнены"),
    "still_need_help": Text(
        "ask for help in the chat widget: it offers the right request form",
        "обратитесь в чат-виджет: он предложит подходящую форму заявки",
    ),
    "catalog": Text("Request forms", "Формы заявок"),
    "catalog_intro": Text(
        "Pick the form that matches your need: it asks exactly what the support team needs, "
        "so nobody has to come back to you with questions. Forms are filled in the chat "
        "widget of the client portal; signed-in contacts of your organisation can file them.",
        "Выберите форму, которая подходит к вашей задаче: в ней есть ровно те вопросы, "
        "которые нужны поддержке, поэтому уточнять ничего не придётся. Формы заполняются "
        "в чат-виджете клиентского портала; подавать их могут авторизованные контактные лица "
        "вашей организации.",
    ),
    "incident": Text("Incident", "Инцидент"),
    "request": Text("Service request", "Запрос на обслуживание"),
    "incidents": Text("Something is broken (incidents)", "Что-то не работает (инциденты)"),
    "requests": Text("Service requests", "Запросы на обслуживание"),
    "type": Text("Type", "Тип"),
    "service": Text("Service", "Сервис"),
    "fulfilment": Text("Fulfilment target", "Срок выполнения"),
    "hours": Text("business hours", "рабочих часов"),
    "fields": Text("What the form asks", "Что спрашивает форма"),
    "field": Text("Field", "Поле"),
    "kind": Text("Kind", "Тип поля"),
    "required": Text("Required", "Обязательное"),
    "notes": Text("Notes", "Примечания"),
    "yes": Text("yes", "да"),
    "no": Text("no", "нет"),
    "shown_when": Text("shown when", "показывается, если"),
    "is": Text("is", "равно"),
    "one_of": Text("is one of", "одно из"),
    "range": Text("from {min} to {max}", "от {min} до {max}"),
    "options": Text("options", "варианты"),
    "how_to_file": Text(
        "Open the chat widget on the client portal, describe the problem and choose this form "
        "when it is offered, or ask for it by name.",
        "Откройте чат-виджет на клиентском портале, опишите проблему и выберите эту форму, "
        "когда виджет её предложит, или попросите её по названию.",
    ),
}

FIELD_KINDS: dict[FieldType, Text] = {
    FieldType.STRING: Text("text", "текст"),
    FieldType.TEXT: Text("long text", "длинный текст"),
    FieldType.EMAIL: Text("e-mail", "e-mail"),
    FieldType.PHONE: Text("phone", "телефон"),
    FieldType.INTEGER: Text("number", "число"),
    FieldType.CHOICE: Text("one choice", "один вариант"),
    FieldType.MULTI_CHOICE: Text("several choices", "несколько вариантов"),
    FieldType.BOOLEAN: Text("yes / no", "да / нет"),
    FieldType.DATE: Text("date", "дата"),
    FieldType.IPV4: Text("IPv4 address", "IPv4-адрес"),
    FieldType.IPV6: Text("IPv6 address", "IPv6-адрес"),
    FieldType.IP: Text("IP address", "IP-адрес"),
    FieldType.HOSTNAME: Text("host name", "имя хоста"),
}


def label(key: str, lang: Language) -> str:
    return LABELS[key].get(lang)


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
            link += ", " + LABELS["filled"].get(lang).format(fields="», «".join(fields))
        return link
    number = flow.index_of(article, target.step or "")
    if number is None:
        return f"**{label('solved', lang)}**"
    go = LABELS["go_step"].get(lang).format(number=number + 1)
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
        kind = FIELD_KINDS[field.type].get(lang)
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
        notes.append(LABELS["range"].get(lang).format(min=low, max=high))
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
