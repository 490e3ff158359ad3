"""Every sentence the conversation says: ``chat.*`` of the text catalogue
(``selfservice/text/languages/<lang>.yml``)."""

from selfservice.text.catalogue import text


def say(key: str, lang: str, **values: object) -> str:
    return text(f"chat.{key}", lang, **values)
