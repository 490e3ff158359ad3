"""Articles indexed as passages; the other language never jumps a near-equal hit."""

from pathlib import Path

from selfservice.search import SearchDoc, SearchIndex
from selfservice.search.confidence import THRESHOLD
from selfservice.search.fusion import CROSS_LANGUAGE_LEAD, across_languages
from selfservice.search.passages import MAX_PASSAGES, passages


def _doc(ref: str, title: str, body: str, *, symptoms: str = "") -> SearchDoc:
    return SearchDoc(
        key=f"article:{ref}", type="article", ref=ref, lang="en", audience="public",
        kind="faq", service="", title=title, body=body, symptoms=symptoms,
    )  # fmt: skip


FILLER = " ".join(
    f"Rule {n}: visitors sign the guest book at the reception desk and wear a badge."
    for n in range(1, 16)
)
#: the answer sits after about 250 words of other rules
HANDBOOK = _doc(
    "office-handbook",
    "Office handbook",
    FILLER + "\n\nParking: staff leave their cars in the underground garage, level minus "
    "two; the barrier opens with the employee card.",
)
OTHERS = [
    _doc("printer", "The printer shows as offline", "Restart the print spooler service."),
    _doc("vpn", "VPN does not connect", "Check that UDP port 51820 is open."),
    _doc("mail", "Mailbox is full", "Delete old messages or ask for a bigger quota."),
    _doc("bikes", "Bicycle storage", "Bicycles go into the racks in the courtyard."),
    _doc("transport", "Getting to the office", "Bus 12 and the metro stop at the corner."),
]


def test_an_answer_deep_in_a_long_article_is_found_by_meaning(tmp_path: Path) -> None:
    index = SearchIndex.open_or_build(tmp_path / "index", [HANDBOOK, *OTHERS])
    try:
        for question in ("where may I put my automobile at work", "where do I park my vehicle"):
            hits = index.search(question, lang="en")
            assert hits and hits[0].id == "office-handbook", (question, hits[:2])
    finally:
        index.close()


def test_passages_are_capped_and_symptoms_are_matched_as_questions() -> None:
    doc = _doc("d", "Title", FILLER * 3, symptoms="my screen is black")
    got = passages(doc)
    assert len(got) == MAX_PASSAGES
    assert [p.text for p in got if p.as_query] == ["my screen is black"]


def test_the_other_language_goes_first_only_when_clearly_more_confident() -> None:
    own = [(1, 0.9, 0.45), (2, 0.5, 0.2)]
    near = [(7, 0.8, 0.45 + CROSS_LANGUAGE_LEAD / 2)]
    clearly = [(8, 0.8, 0.45 + CROSS_LANGUAGE_LEAD + 0.01)]
    assert [d for d, _s, _c in across_languages(own, near, 10)] == [1, 2]
    assert [d for d, _s, _c in across_languages(own, clearly, 10)] == [8, 1, 2]
    below_bar = [(9, 0.8, THRESHOLD - 0.01)]
    assert across_languages([], below_bar, 10) == []
