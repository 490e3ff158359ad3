"""The conversation engine's messages as Telegram messages with inline buttons.

The engine speaks in structured messages (``conversation.engine``); the widget draws
them as cards and buttons, this module as texts with inline keyboards. Button presses
come back as callback data of at most 64 bytes:

``o:<article>`` open an article, ``a:<action>`` an engine action (next_step, yes, no,
solved, need_help, abandon), ``f:<form>`` choose a form; the form's own buttons are
``bot.forms``'s.
"""

from typing import Any

from selfservice.bot.texts import Keyboard, button, message, say
from selfservice.conversation.engine import Message

#: Engine message types that need no Telegram message of their own.
_SILENT = frozenset({"outcome", "form"})


def _actions(actions: list[str], lang: str) -> Keyboard:
    return [[button(action, lang, f"a:{action}")] for action in actions]


def _article_buttons(items: list[dict[str, Any]]) -> Keyboard:
    return [[{"text": str(item["title"])[:60], "callback_data": f"o:{item['id']}"[:64]}]
            for item in items]


def _step(m: Message, lang: str) -> str:
    head = say("step", lang, index=m["index"], total=m["total"], title=m["title"])
    parts = [head, str(m.get("text") or "")]
    if m.get("check"):
        parts.append(str(m["check"]))
    return "\n\n".join(parts)


def render(messages: list[Message], *, chat_id: int, lang: str) -> list[dict[str, Any]]:
    """sendMessage payloads for the engine's replies, in order. A text followed by a
    message with buttons is sent as one message (the buttons under the text)."""
    out: list[tuple[str, Keyboard]] = []
    for m in messages:
        kind = m.get("type")
        if kind in _SILENT:
            continue
        if kind in {"text", "sign_in_required"}:
            out.append((str(m["text"]), []))
        elif kind == "articles":
            _attach(out, "", _article_buttons(list(m["items"])))
        elif kind == "forms":
            keyboard = [[{"text": str(i["title"])[:60], "callback_data": f"f:{i['id']}"[:64]}]
                        for i in m["items"]]
            _attach(out, str(m.get("text") or ""), keyboard)
        elif kind == "actions":
            _attach(out, "", _actions(list(m["actions"]), lang))
        elif kind == "step":
            out.append((_step(m, lang), _actions(list(m["actions"]), lang)))
        elif kind == "article":
            body = "\n\n".join(str(m.get(k) or "") for k in ("title", "summary", "body"))
            out.append((body.strip(), []))
        elif kind == "confirmation":
            out.append((str(m["text"]), []))
    return [message(chat_id, text, keyboard) for text, keyboard in out if text or keyboard]


def _attach(out: list[tuple[str, Keyboard]], text: str, keyboard: Keyboard) -> None:
    """Buttons go under the previous text when it has none (one message, not two)."""
    if not text and out and not out[-1][1]:
        previous, _ = out[-1]
        out[-1] = (previous, keyboard)
        return
    out.append((text or "…", keyboard))
