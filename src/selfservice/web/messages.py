"""Every user-facing string of the HTTP API, in English and Russian: ``api.*`` of the text
catalogue (``selfservice/text/languages/<lang>.yml``).

Keys are the machine-readable error codes clients see in ``{"error": <code>}``, so one
table serves both the code list and the text. ``{field}``, ``{limit}`` and the like are
``str.format`` parameters filled in by :func:`message`. ``tests/web/test_messages.py``
checks that every error code has a text; ``tests/text/test_catalogue.py`` that every
language has every key with the same parameters.
"""

from collections.abc import Mapping

from selfservice.domain.enums import Language
from selfservice.text.catalogue import catalogue, fill, placeholders

DEFAULT_LANGUAGE = Language.EN

#: ``{code: {language: text}}`` for every ``api.*`` key of the catalogue.
CATALOGUE: dict[str, dict[Language, str]] = {
    key.removeprefix("api."): {lang: catalogue().template(key, lang) for lang in Language}
    for key in catalogue().keys("api.")
}


def parameters(template: str) -> set[str]:
    """The ``{name}`` parameters a template uses."""
    return placeholders(template)


def message(code: str, lang: Language | str, params: Mapping[str, object] | None = None) -> str:
    """The text for ``code`` in ``lang``; unknown codes fall back to the generic refusal.

    A parameter the template needs but the caller did not give renders as ``?`` rather
    than failing: an error message must never become an error itself.
    """
    texts = CATALOGUE.get(code) or CATALOGUE["domain_error"]
    language = Language.RU if str(lang) == Language.RU else DEFAULT_LANGUAGE
    return fill(texts[language], params or {})
