"""Grouping phrasings of one problem: greedy, most asked first, without chaining."""

import numpy as np

from selfservice.text.grouping import by_meaning, by_words, group_id


def unit(*angles_deg: float) -> np.ndarray:
    """Unit vectors in a plane at the given angles (cosine = cos of the difference)."""
    radians = np.radians(angles_deg)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1).astype(np.float32)


def test_the_most_asked_phrasing_leads_its_group() -> None:
    texts = ["b rarely", "a often", "c elsewhere"]
    groups = by_meaning(texts, [1, 5, 1], unit(10, 0, 90), threshold=0.9)
    assert [[texts[i] for i in g] for g in groups] == [["a often", "b rarely"], ["c elsewhere"]]


def test_average_linkage_does_not_chain() -> None:
    # 14 degrees apart: c is near b (cos 0.97), less near a (0.88), 0.93 on average: joins.
    # 18 degrees apart: c is as near b (0.95) as b is to a, but 0.88 on average: c alone,
    # where joining its nearest member would chain a to c (cos 0.81)
    near = by_meaning(["a", "b", "c"], [3, 2, 1], unit(0, 14, 28), threshold=0.9)
    assert near == [[0, 1, 2]]
    apart = by_meaning(["a", "b", "c"], [3, 2, 1], unit(0, 18, 36), threshold=0.9)
    assert apart == [[0, 1], [2]]


def test_words_group_inflections_in_both_languages() -> None:
    texts = ["принтер не печатает", "Принтеры не печатают!", "printer not printing",
             "Printer is not printing", "vpn drops"]
    groups = by_words(texts, [2, 1, 1, 1, 1])
    assert [[texts[i] for i in g] for g in groups] == [
        ["принтер не печатает", "Принтеры не печатают!"],
        ["Printer is not printing", "printer not printing"],
        ["vpn drops"],
    ]


def test_group_ids_ignore_case_and_spaces() -> None:
    assert group_id("Printer  prints blank pages ") == group_id("printer prints blank pages")
    assert group_id("printer prints blank pages") != group_id("vpn drops")
    assert len(group_id("x")) == 9
