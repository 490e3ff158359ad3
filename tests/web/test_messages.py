import importlib
import re
from pathlib import Path

import pytest

from selfservice.domain.enums import Language
from selfservice.domain.errors import DomainError
from selfservice.web.messages import CATALOGUE, message, parameters

SRC = Path(__file__).resolve().parents[2] / "src" / "selfservice"
#: Modules that define DomainError subclasses outside selfservice.domain.
ERROR_MODULES = ("selfservice.services.errors", "selfservice.conversation.engine")
EXPLICIT_CODE = re.compile(r"\bcode=\"([a-z_]+)\"")


def all_subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found: list[type[DomainError]] = []
    for sub in cls.__subclasses__():
        found.extend([sub, *all_subclasses(sub)])
    return found


def test_every_message_has_both_languages_with_the_same_parameters() -> None:
    for code, texts in CATALOGUE.items():
        assert set(texts) == set(Language), code
        assert texts[Language.EN].strip() and texts[Language.RU].strip(), code
        assert parameters(texts[Language.EN]) == parameters(texts[Language.RU]), code


def test_russian_texts_are_russian() -> None:
    for code, texts in CATALOGUE.items():
        assert any("а" <= ch <= "я" for ch in texts[Language.RU].lower()), code


def test_every_domain_error_code_has_a_message() -> None:
    for module in ERROR_MODULES:
        importlib.import_module(module)
    classes: list[type[DomainError]] = [DomainError, *all_subclasses(DomainError)]
    codes = {cls.default_code for cls in classes}
    for path in SRC.rglob("*.py"):
        if "web" not in path.relative_to(SRC).parts:
            codes.update(EXPLICIT_CODE.findall(path.read_text(encoding="utf-8")))
    missing = sorted(code for code in codes if code not in CATALOGUE)
    assert not missing, f"add these codes to web/messages.py: {missing}"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The parameter 'q' must be at most 200 characters long."),
        ("ru", "Параметр 'q' должен быть не длиннее 200 символов."),
        ("de", "The parameter 'q' must be at most 200 characters long."),
    ],
)
def test_message_fills_parameters(lang: str, text: str) -> None:
    assert message("too_long", lang, {"field": "q", "max": 200}) == text


def test_a_missing_parameter_never_breaks_the_message() -> None:
    assert message("too_long", "en") == "The parameter '?' must be at most ? characters long."
    assert message("no_such_code", "ru") == CATALOGUE["domain_error"][Language.RU]
