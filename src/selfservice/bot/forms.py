"""A request form asked field by field, with the widget's rules.

The widget shows the whole form at once; a chat asks one question at a time. The form's
progress is plain JSON kept with the chat (``telegram_chats.pending``), so a restart in
the middle of a form loses nothing::

    {"stage": "field" | "urgency" | "confirm", "form": id, "values": {...},
     "field": id of the field being asked, "skipped": [...], "urgency": str | None,
     "files": [{"token", "name", "size"}] uploads the ticket claims (``bot.files``)}

Each answer is checked by ``content.validation.validate_submission`` (the same rules and
error texts as the widget and the API); the fields asked are the visible ones
(``show_if``), in the form's order. Buttons: ``v:<n>`` an option (or Yes / No), ``k``
skip an optional field, ``d`` done choosing, ``u:<urgency>``, ``s`` send, ``x`` cancel.
"""

from typing import Any

from selfservice.bot.texts import Keyboard, button, say
from selfservice.content.model import FieldType, FormField, RequestForm
from selfservice.content.validation import validate_submission, visible_fields
from selfservice.domain.enums import Urgency
from selfservice.domain.priority import URGENCIES_NEEDING_PHONE_CONFIRMATION
from selfservice.text.catalogue import text

Pending = dict[str, Any]
_URGENCIES = (Urgency.VERY_HIGH, Urgency.HIGH, Urgency.MEDIUM, Urgency.LOW, Urgency.NONE)


def begin(form: RequestForm, values: dict[str, Any]) -> Pending:
    return advance({"stage": "field", "form": form.id, "values": dict(values), "field": None,
                    "skipped": [], "urgency": None}, form)


def advance(pending: Pending, form: RequestForm) -> Pending:
    """Move to the next unanswered visible field, then urgency, then the summary."""
    values, skipped = pending["values"], set(pending.get("skipped") or [])
    visible = visible_fields(form, values)
    for f in form.fields:
        if visible[f.id] and f.id not in values and f.id not in skipped:
            return {**pending, "stage": "field", "field": f.id}
    if form.customer_sets_urgency and pending.get("urgency") is None:
        return {**pending, "stage": "urgency", "field": None}
    return {**pending, "stage": "confirm", "field": None}


def question(pending: Pending, form: RequestForm, lang: str) -> tuple[str, Keyboard]:
    """What to ask now, and its buttons."""
    cancel = [button("cancel", lang, "x")]
    if pending["stage"] == "urgency":
        levels = [[{"text": say(f"urgency.{u.value}", lang), "callback_data": f"u:{u.value}"}]
                  for u in _URGENCIES]
        return (f"{say('urgency_prompt', lang)}\n{say('urgency_phone', lang)}",
                [*levels, cancel])
    if pending["stage"] == "confirm":
        return (f"{say('summary', lang)}\n\n{summary(pending, form, lang)}",
                [[button("send", lang, "s")], cancel])
    f = form.field(pending["field"] or "")
    assert f is not None
    lines = [f.label.get(lang)]
    if f.help is not None:
        lines.append(f.help.get(lang))
    keyboard: Keyboard = []
    if f.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        keyboard = [[{"text": o.label.get(lang)[:60], "callback_data": f"v:{n}"}]
                    for n, o in enumerate(f.options)]
        if f.type is FieldType.MULTI_CHOICE:
            picked = pending.get("picked") or []
            if picked:
                lines.append(", ".join(_option_labels(f, picked, lang)))
            keyboard.append([button("done", lang, "d")])
    elif f.type is FieldType.BOOLEAN:
        keyboard = [[button("yes", lang, "v:1"), button("no", lang, "v:0")]]
    if not f.required:
        lines.append(say("field_optional", lang))
        keyboard.append([button("skip", lang, "k")])
    return "\n".join(lines), [*keyboard, cancel]


def answer(pending: Pending, form: RequestForm, raw: object,
           lang: str) -> tuple[Pending, str | None]:
    """Apply an answer to the field being asked: the new progress, or the error text."""
    f = form.field(pending.get("field") or "")
    if f is None:
        return pending, None
    result = validate_submission(form, {**pending["values"], f.id: raw})
    problem = next((e for e in result.errors if e.field == f.id), None)
    if problem is not None:
        return pending, problem.message.get(lang)
    values = {**result.values}
    return advance({**pending, "values": values, "picked": []}, form), None


def choose(pending: Pending, form: RequestForm, index: int,
           lang: str) -> tuple[Pending, str | None]:
    """An option button (``v:<n>``) of the field being asked."""
    f = form.field(pending.get("field") or "")
    if f is None:
        return pending, None
    if f.type is FieldType.BOOLEAN:
        return answer(pending, form, "true" if index else "false", lang)
    if not 0 <= index < len(f.options):
        return pending, text("form.invalid_choice", lang)
    value = f.options[index].value
    if f.type is FieldType.MULTI_CHOICE:
        picked = list(pending.get("picked") or [])
        picked = [p for p in picked if p != value] if value in picked else [*picked, value]
        return {**pending, "picked": picked}, None
    return answer(pending, form, value, lang)


def done(pending: Pending, form: RequestForm, lang: str) -> tuple[Pending, str | None]:
    return answer(pending, form, list(pending.get("picked") or []), lang)


def skip(pending: Pending, form: RequestForm, lang: str) -> tuple[Pending, str | None]:
    f = form.field(pending.get("field") or "")
    if f is None or f.required:
        return pending, text("form.required", lang)
    skipped = [*(pending.get("skipped") or []), f.id]
    return advance({**pending, "skipped": skipped}, form), None


def set_urgency(pending: Pending, form: RequestForm, value: str) -> Pending:
    if value not in {u.value for u in _URGENCIES}:
        return pending
    return advance({**pending, "urgency": value}, form)


def needs_phone(pending: Pending) -> bool:
    urgency = pending.get("urgency")
    return urgency is not None and Urgency(urgency) in URGENCIES_NEEDING_PHONE_CONFIRMATION


def summary(pending: Pending, form: RequestForm, lang: str) -> str:
    lines = [form.title.get(lang)]
    for f in form.fields:
        if f.id in pending["values"]:
            value = pending["values"][f.id]
            values = value if isinstance(value, list) else [value]
            shown = ", ".join(_option_labels(f, [str(v) for v in values], lang))
            lines.append(f"• {f.label.get(lang)}: {shown}")
    if pending.get("urgency"):
        lines.append(f"• {say('urgency.' + pending['urgency'], lang)}")
    for attached in pending.get("files") or ():
        lines.append(f"• {say('summary_file', lang, name=attached['name'])}")
    return "\n".join(lines)


def _option_labels(f: FormField, values: list[str], lang: str) -> list[str]:
    labels = {o.value: o.label.get(lang) for o in f.options}
    if f.type is FieldType.BOOLEAN:
        labels = {"True": say("button.yes", lang), "False": say("button.no", lang)}
    return [labels.get(v, v) for v in values]
