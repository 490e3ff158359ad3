"""The skeleton of a new article pair, started from what customers asked (``kb new``).

The front matter is the one ``kb check`` reads (kb/AUTHORING.md), the customers'
phrasings become ``symptoms``; what only an author knows (the answer, the summary, a
title where customers used only the other language) is marked "TODO" for them, which
the review of the change catches like any unfinished code.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

LANGS = ("en", "ru")

_NOTE = {
    "en": "TODO: the answer. Customers asked this {count} time(s) without a confident "
          "answer (content gap {gap}).",
    "ru": "TODO: ответ. Клиенты спрашивали об этом {count} раз(а) и не получили уверенного "
          "ответа (пробел {gap}).",
}
_TRANSLATE = {
    "en": "TODO: symptoms in English; customers asked in Russian:",
    "ru": "TODO: symptoms по-русски; клиенты спрашивали по-английски:",
}
_TITLE = {"en": "TODO: the problem in the customer's words",
          "ru": "TODO: проблема словами клиента"}
_SUMMARY = {"en": "TODO: one sentence shown in search results.",
            "ru": "TODO: одно предложение для результатов поиска."}


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the articles in kb/ are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


@dataclass(frozen=True)
class Skeleton:
    path: Path
    text: str


def slug_of(text: str, fallback: str) -> str:
    """A file name from a phrasing: ASCII words joined by ``-``, at most six of them."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:6]
    return "-".join(words) or fallback


def article_pair(
    kb_dir: Path, *, slug: str, service: str, gap: str, count: int,
    phrasings: dict[str, list[str]], today: date,
) -> list[Skeleton]:
    """The English and the Russian file of a new article (written by the caller)."""
    out = []
    for lang in LANGS:
        twin = LANGS[1 - LANGS.index(lang)]
        own = phrasings.get(lang, [])
        meta = {
            "id": f"{slug}-{lang}",
            "title": own[0] if own else _TITLE[lang],
            "lang": lang,
            "translation": f"{slug}-{twin}",
            "service": service,
            "audience": "public",
            "kind": "how-to",
            "symptoms": own,
            "updated": today,
            "summary": _SUMMARY[lang],
        }
        if not own:
            del meta["symptoms"]  # symptoms in another language would mislead the search
        front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        body = _NOTE[lang].format(count=count, gap=gap)
        if not own and phrasings.get(twin):
            body += "\n\n" + _TRANSLATE[lang] + "".join(f"\n- {t}" for t in phrasings[twin])
        name = f"{slug}.md" if lang == "en" else f"{slug}.ru.md"
        folder = kb_dir / "articles" / service
        out.append(Skeleton(folder / name, f"---\n{front}---\n{body}\n"))
    return out
