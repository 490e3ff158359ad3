"""Every sentence the bot says: ``telegram.*`` of the text catalogue (``chat.*`` for the
conversation's own sentences, which the widget shares)."""

from typing import Any

from selfservice.text.catalogue import text

Button = dict[str, str]
Keyboard = list[list[Button]]


def say(key: str, lang: str, **values: object) -> str:
    return text(f"telegram.{key}", lang, **values)


def button(key: str, lang: str, data: str) -> Button:
    return {"text": say(f"button.{key}", lang), "callback_data": data}


def message(chat_id: int, body: str, keyboard: Keyboard | None = None,
            **extra: Any) -> dict[str, Any]:
    """The payload of a sendMessage (plain text: kb Markdown is shown as written)."""
    payload: dict[str, Any] = {"chat_id": chat_id, "text": body[:4000], **extra}
    if keyboard:
        payload["reply_markup"] = {"inline_keyboard": keyboard}
    return payload
