"""How text becomes index terms: morphology in both languages, ё/е, query cleaning."""

from selfservice.search.analysis import KeyAnalyzer
from selfservice.text.words import (
    concepts_of_keys,
    fold,
    keys,
    query_keys,
    split_words,
    word_key,
)


def test_russian_inflections_share_one_lemma() -> None:
    assert {word_key(w) for w in ["пароль", "пароля", "пароли", "паролей", "паролям"]} == {
        "пароль"
    }
    assert word_key("записи") == word_key("запись")
    assert word_key("виртуальной") == word_key("виртуальная") == "виртуальный"


def test_english_inflections_share_one_stem() -> None:
    assert word_key("reset") == word_key("resetting") == word_key("resets")
    assert word_key("password") == word_key("passwords")
    assert word_key("printers") == word_key("printer")


def test_yo_folds_to_ye_everywhere() -> None:
    assert fold("Учётная ЗАПИСЬ, ёлка") == "учетная запись, елка"
    assert word_key("учётной") == word_key("учетной") == "учетный"
    assert keys("Удалённый рабочий стол") == keys("удаленный рабочий стол")


def test_stop_words_and_question_boilerplate_are_dropped() -> None:
    assert [k for _n, k in query_keys("How can I reset my password?")] == ["reset", "password"]
    assert [k for _n, k in query_keys("Подскажите, пожалуйста, как сбросить пароль?")] == [
        "сбросить",
        "пароль",
    ]
    # a query of nothing but boilerplate keeps its words rather than becoming empty
    assert query_keys("help") == [("help", "help")]


def test_look_alike_letters_are_repaired() -> None:
    # "Oт" typed with a Latin O is the Russian stop word "от"
    assert [n for n, _s, _e in split_words("Oт")] == ["от"]
    assert keys("Cкачайте счёт") == keys("скачайте счет")


def test_hyphenated_words_yield_parts_and_the_joined_word() -> None:
    assert [n for n, _s, _e in split_words("e-mail")] == ["e", "mail", "email"]
    # different alphabets are not joined
    assert [n for n, _s, _e in split_words("IP-адрес")] == ["ip", "адрес"]


def test_mixed_language_text_gets_both_morphologies() -> None:
    terms = KeyAnalyzer().term_list("Настройка VPN-клиентов и resetting passwords")
    assert terms == ["настройка", "vpn", "клиент", "reset", "password"]


def test_thesaurus_concepts_match_across_words_and_languages() -> None:
    vm_en = concepts_of_keys(keys("virtual machine"))
    vm_ru = concepts_of_keys(keys("виртуальная машина"))
    vm_abbr = concepts_of_keys(keys("VM"))
    assert {c for _i, c in vm_en} & {c for _i, c in vm_ru} & {c for _i, c in vm_abbr}
    assert {c for _i, c in concepts_of_keys(keys("remove"))} == {
        c for _i, c in concepts_of_keys(keys("delete"))
    }
