"""The meaning signal: answers that share no word with the question, and its lifecycle."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from selfservice.search import SearchDoc, SearchIndex
from selfservice.search import vectors as vector_store


def _doc(ref: str, title: str, body: str, lang: str = "en") -> SearchDoc:
    return SearchDoc(
        key=f"article:{ref}",
        type="article",
        ref=ref,
        lang=lang,
        audience="public",
        kind="faq",
        service="",
        title=title,
        body=body,
    )


DOWNLOAD = _doc(
    "download-video",
    "How do I download a YouTube video?",
    "Use a downloader add-on or the Download button of a Premium account; the file "
    "stays on your device.",
)
FILTER = _doc(
    "mail-filter",
    "Create a Gmail filter",
    "Open the search options, enter the sender, choose Create filter and pick what "
    "happens to matching messages.",
)
PRINTER = _doc(
    "printer-offline",
    "The printer shows as offline",
    "Check the cable or Wi-Fi, restart the print spooler and set the printer as default.",
)
VPN_RU = _doc(
    "vpn-ru",
    "VPN не подключается",
    "Проверьте, что порт 51820 открыт, и перезапустите клиент.",
    lang="ru",
)
CORPUS = [DOWNLOAD, FILTER, PRINTER, VPN_RU]

#: shares no word (nor stem) with the answer's title or text
PARAPHRASE = "save films from the streaming site for a flight"


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    idx = SearchIndex.open_or_build(tmp_path / "index", CORPUS)
    yield idx
    idx.close()


def _ids(index: SearchIndex, query: str, **kw: object) -> list[str]:
    return [h.id for h in index.search(query, lang="en", **kw)]  # type: ignore[arg-type]


def test_a_question_sharing_no_word_with_its_answer_finds_it(
    index: SearchIndex, tmp_path: Path
) -> None:
    assert _ids(index, PARAPHRASE)[:1] == ["download-video"]
    words_only = SearchIndex.open(tmp_path / "index", semantic=False)
    try:
        assert "download-video" not in _ids(words_only, PARAPHRASE)
    finally:
        words_only.close()


def test_a_question_about_nothing_here_gets_nothing(index: SearchIndex) -> None:
    # the least distant document is not a result when it is not near
    assert _ids(index, "quarterly livestock tax declaration deadline") == []


def test_words_still_decide_exact_matches(index: SearchIndex) -> None:
    assert _ids(index, "print spooler")[:1] == ["printer-offline"]
    assert [h.id for h in index.search("порт 51820", lang="ru")] == ["vpn-ru"]


def test_only_languages_the_model_covers_get_vectors(index: SearchIndex, tmp_path: Path) -> None:
    assert index.generation is not None
    vs = vector_store.load(tmp_path / "index" / index.generation)
    assert vs is not None
    english = {"article:download-video", "article:mail-filter", "article:printer-offline"}
    assert set(vs.keys) == english
    assert vs.vectors.shape == (3, 384)


def test_an_edited_article_is_found_by_its_new_meaning(index: SearchIndex) -> None:
    rewritten = _doc(
        "printer-offline",
        "Return a faulty laptop under warranty",
        "Send the device back with the receipt; a replacement arrives in a week.",
    )
    report = index.sync([DOWNLOAD, FILTER, rewritten, VPN_RU])
    assert report.updated == ("article:printer-offline",)
    assert _ids(index, "my notebook broke, can I get it swapped")[:1] == ["printer-offline"]


def test_a_reader_picks_up_vectors_published_after_the_words(tmp_path: Path) -> None:
    root = tmp_path / "index"
    writer = SearchIndex(root)
    writer.rebuild(CORPUS, vectors=False)  # answering by words from here on
    reader = SearchIndex.open(root)  # as the web server would, in another process
    try:
        assert "download-video" not in _ids(reader, PARAPHRASE)
        assert writer.update_vectors(CORPUS) == 3
        deadline = time.monotonic() + 5
        while _ids(reader, PARAPHRASE)[:1] != ["download-video"]:
            assert time.monotonic() < deadline, "the reader never used the new vectors"
            time.sleep(0.05)
    finally:
        reader.close()
        writer.close()


def test_rebuilding_unchanged_content_reuses_the_vectors(index: SearchIndex) -> None:
    steps: list[tuple[int, int]] = []
    index.rebuild(CORPUS, progress=lambda done, total: steps.append((done, total)))
    # 4 documents, then 3 vectors taken over from the previous generation at once
    assert steps[-1] == (7, 7)
    assert (4, 7) in steps
    assert _ids(index, PARAPHRASE)[:1] == ["download-video"]
