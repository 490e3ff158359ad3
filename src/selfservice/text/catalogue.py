"""The one text catalogue: every user-facing text, one YAML file per language.

``languages/en.yml`` and ``languages/ru.yml`` hold namespaced keys (``api.not_found``,
``chat.greeting``, ``form.required``, ``mail.status.closed``, ``widget.send``);
``{name}`` marks a parameter. :func:`text` looks one up::

    text("api.too_long", "ru", field="q", max=200)

Adding a language is adding a file: ``languages/<code>.yml`` with the same keys. A key the
file lacks falls back to English (``Catalogue.missing`` lists such keys, and the tests
require en and ru to be complete); an unknown language is English too. A parameter the
caller did not give renders as ``?``: a text must never become an error itself.
"""

import functools
import logging
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).parent / "languages"
_log = logging.getLogger(__name__)
DEFAULT = "en"


class CatalogueError(ValueError):
    """A catalogue file is not a mapping of keys to texts."""


def placeholders(template: str) -> set[str]:
    """The ``{name}`` parameters a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def fill(template: str, params: Mapping[str, object]) -> str:
    values: dict[str, object] = dict.fromkeys(placeholders(template), "?")
    values.update({k: v for k, v in params.items() if v is not None})
    return template.format_map(values)


def _flatten(data: Any, prefix: str, file: Path) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise CatalogueError(f"{file}: {prefix or 'the file'} must be a mapping of keys to texts")
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, str):
            flat[name] = value
        else:
            flat.update(_flatten(value, name, file))
    return flat


class Catalogue:
    """Texts per language (``{"en": {"api.not_found": "...", ...}, ...}``)."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        if DEFAULT not in texts:
            raise CatalogueError(f"the catalogue needs {DEFAULT}.yml")
        self._texts = {lang: dict(table) for lang, table in texts.items()}

    @classmethod
    def load(cls, folder: Path = FOLDER) -> "Catalogue":
        """Every ``<language>.yml`` of ``folder``."""
        texts = {
            file.stem: _flatten(yaml.safe_load(file.read_text(encoding="utf-8")), "", file)
            for file in sorted(folder.glob("*.yml"))
        }
        return cls(texts)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._texts)

    def keys(self, prefix: str = "") -> list[str]:
        """The English keys under ``prefix`` (``"api."``), in file order."""
        return [k for k in self._texts[DEFAULT] if k.startswith(prefix)]

    def template(self, key: str, lang: object = DEFAULT) -> str:
        """The unfilled text; KeyError when not even English has ``key``."""
        table = self._texts.get(str(lang), {})
        return table.get(key) or self._texts[DEFAULT][key]

    def text(self, key: str, lang: object = DEFAULT, /, **params: object) -> str:
        """The filled text; a key not even English has shows as itself (and is logged):
        a page with one raw label beats a page that fails."""
        try:
            return fill(self.template(key, lang), params)
        except KeyError:
            _log.warning("text catalogue: no text for %r", key)
            return key

    def missing(self, lang: str) -> list[str]:
        """English keys that ``lang`` lacks (they fall back to English)."""
        table = self._texts.get(lang, {})
        return [k for k in self._texts[DEFAULT] if k not in table]

    def extra(self, lang: str) -> list[str]:
        """Keys of ``lang`` that English does not have (never shown: probably a typo)."""
        return [k for k in self._texts.get(lang, {}) if k not in self._texts[DEFAULT]]


@functools.cache
def catalogue() -> Catalogue:
    """The packaged catalogue, loaded once."""
    return Catalogue.load()


def text(key: str, lang: object = DEFAULT, /, **params: object) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in."""
    return catalogue().text(key, lang, **params)
