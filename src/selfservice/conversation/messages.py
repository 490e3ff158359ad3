"""The structured messages of the conversation that need no engine rules: article cards,
form choices and texts, and the types the engine shares with the web layer."""

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from selfservice.content.model import Content
from selfservice.conversation.texts import say


class Hit(Protocol):
    """What the conversation needs from a search result."""

    @property
    def type(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def snippet(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def confident(self) -> bool: ...


SearchFn = Callable[[str, str], Sequence[Hit]]
Message = dict[str, Any]


def cards(hits: Sequence[Hit]) -> Message:
    return {
        "type": "articles",
        "items": [
            {"id": h.id, "title": h.title, "snippet": h.snippet, "score": h.score} for h in hits
        ],
    }


def form_choices(ids: Sequence[str], lang: str, content: Content, *, intro: bool) -> Message:
    items = []
    for form_id in ids:
        form = content.forms.get(form_id)
        if form is not None:
            items.append(
                {
                    "id": form.id,
                    "title": form.title.get(lang),
                    "description": form.description.get(lang),
                    "type": form.type.value,
                }
            )
    message: Message = {"type": "forms", "items": items}
    if intro:
        message["text"] = say("forms_intro", lang)
    return message


def text(key: str, lang: str, **values: object) -> Message:
    return {"type": "text", "text": say(key, lang, **values)}
