"""The meaning signal: answers that share no word with the question, and its lifecycle."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from selfservice.cli import main
from selfservice.config.settings import load_settings
from selfservice.search import SearchDoc, SearchIndex
from selfservice.search import vectors as vector_store
from selfservice.text.encoder import shared_encoder


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


def test_one_search_can_be_ranked_by_words_only(index: SearchIndex) -> None:
    assert _ids(index, PARAPHRASE)[:1] == ["download-video"]
    assert "download-video" not in _ids(index, PARAPHRASE, meaning=False)
    assert _ids(index, "print spooler", meaning=False)[:1] == ["printer-offline"]


def test_a_question_about_nothing_here_gets_nothing(index: SearchIndex) -> None:
    # the least distant document is not a result when it is not near
    assert _ids(index, "quarterly livestock tax declaration deadline") == []


def test_words_still_decide_exact_matches(index: SearchIndex) -> None:
    assert _ids(index, "print spooler")[:1] == ["printer-offline"]
    assert [h.id for h in index.search("порт 51820", lang="ru")] == ["vpn-ru"]


def test_russian_and_english_documents_get_vectors(index: SearchIndex, tmp_path: Path) -> None:
    assert index.generation is not None
    vs = vector_store.load(tmp_path / "index" / index.generation)
    assert vs is not None
    assert set(vs.keys) == {d.key for d in CORPUS}
    # every document: its overview and its title as a question, in adjacent rows
    assert vs.vectors.shape == (2 * len(CORPUS), 384)
    assert [int(p) for p in vs.parts] == [vector_store.OVERVIEW, vector_store.QUESTION] * 4
    assert vs.keys[0::2] == vs.keys[1::2]


def test_the_rows_of_one_language_are_one_block(tmp_path: Path) -> None:
    # a search in one language multiplies that block only, not every row
    mail_ru = _doc("mail-ru", "Почта не приходит", "Проверьте спам.", lang="ru")
    mixed = [CORPUS[0], VPN_RU, CORPUS[1], mail_ru, CORPUS[2]]
    idx = SearchIndex.open_or_build(tmp_path / "index", mixed)
    try:
        state = idx._state()
        aligned = idx._vectors(state)
        assert aligned is not None and state.searcher is not None
        langs = [state.searcher.stored_fields(int(d))["lang"] for d in aligned.docnums]
        assert sorted(langs) == ["en", "en", "en", "ru", "ru"]
        assert langs == sorted(langs) or langs == sorted(langs, reverse=True)
        assert list(aligned.starts) == [2 * i for i in range(5)]  # overview + title each
        assert _ids(idx, PARAPHRASE)[:1] == ["download-video"]
        assert [h.id for h in idx.search("письма не доходят", lang="ru")][:1] == ["mail-ru"]
    finally:
        idx.close()


def test_an_article_is_read_as_its_overview_and_its_question_like_lines() -> None:
    doc = SearchDoc(
        key="article:invoice", type="article", ref="invoice", lang="en", audience="public",
        kind="how-to", service="", title="Invoices",
        symptoms="Where is my invoice; No bill; no BILL", body="Open Billing, then Invoices.",
    )
    parts = vector_store.passages(doc)
    assert parts[0] == (vector_store.OVERVIEW, vector_store.doc_text(doc))
    # the title and each symptom once (case folded), as a customer would ask
    assert parts[1:] == [
        (vector_store.QUESTION, "Invoices"),
        (vector_store.QUESTION, "Where is my invoice"),
        (vector_store.QUESTION, "No bill"),
    ]


def test_a_russian_paraphrase_finds_its_answer_by_meaning(index: SearchIndex) -> None:
    # no Russian word of it occurs in the Russian article
    query = "не могу соединиться с корпоративной сетью из дома"
    assert [h.id for h in index.search(query, lang="ru", fallback=False)][:1] == ["vpn-ru"]
    words_only = SearchIndex.open(index.root, semantic=False)
    try:
        assert "vpn-ru" not in [h.id for h in words_only.search(query, lang="ru", fallback=False)]
    finally:
        words_only.close()


def test_a_russian_question_reaches_an_english_article(index: SearchIndex) -> None:
    # one vector space: the question is Russian, the only answer English
    hits = index.search("как скачать ролик с ютуба", lang=None)
    assert [h.id for h in hits][:1] == ["download-video"]


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
        assert writer.update_vectors(CORPUS) == 4
        deadline = time.monotonic() + 5
        while _ids(reader, PARAPHRASE)[:1] != ["download-video"]:
            assert time.monotonic() < deadline, "the reader never used the new vectors"
            time.sleep(0.05)
    finally:
        reader.close()
        writer.close()


def test_vectors_are_reused_only_while_the_document_is_unchanged() -> None:
    docs = {d.key: d for d in CORPUS}
    hashes = {k: d.content_hash() for k, d in docs.items()}
    first = vector_store.update(shared_encoder(), docs, hashes, None)
    # a previous generation whose vectors we can tell apart from fresh ones
    marked = vector_store.VectorSet(
        first.keys, first.hashes, first.parts, np.full_like(first.vectors, 0.5)
    )
    edited = _doc("mail-filter", "Create a Gmail filter", "Now also for labels.")
    docs[edited.key] = edited
    hashes[edited.key] = edited.content_hash()
    again = vector_store.update(shared_encoder(), docs, hashes, marked)
    rows = dict(zip(again.keys, again.vectors, strict=True))
    assert (rows["article:download-video"] == 0.5).all()  # unchanged: taken over
    assert (rows["article:printer-offline"] == 0.5).all()
    assert not (rows["article:mail-filter"] == 0.5).all()  # changed: encoded again
    assert abs(float(np.linalg.norm(rows["article:mail-filter"])) - 1.0) < 1e-4


def test_eval_words_only_shows_what_the_meaning_signal_adds(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    queries = tmp_path / "queries.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"id": d.ref, "lang": d.lang, "title": d.title, "body": d.body})
            for d in CORPUS
        ),
        "utf-8",
    )
    query = {"id": "q1", "lang": "en", "query": PARAPHRASE, "gold": ["download-video"]}
    queries.write_text(json.dumps(query), "utf-8")
    recall = {}
    for flags in ([], ["--words-only"]):
        report = tmp_path / f"report{len(flags)}.json"
        args = ["eval", "--corpus", str(corpus), "--queries", str(queries), "--report", str(report)]
        result = CliRunner().invoke(main, args + flags)
        assert result.exit_code == 0, result.output
        recall[bool(flags)] = json.loads(report.read_text())["overall"]["recall@1"]
    assert recall == {False: 1.0, True: 0.0}


def test_the_meaning_signal_can_be_switched_off(tmp_path: Path) -> None:
    kb_docs = tmp_path / "index"
    assert load_settings({}).search_meaning is True
    assert load_settings({"SELFSERVICE_SEARCH_MEANING": "off"}).search_meaning is False
    with pytest.raises(ValueError, match="SELFSERVICE_SEARCH_MEANING: must be on or off"):
        load_settings({"SELFSERVICE_SEARCH_MEANING": "no"})
    words_only = SearchIndex.open_or_build(kb_docs, CORPUS, semantic=False)
    try:
        assert words_only.generation is not None
        assert vector_store.load(kb_docs / words_only.generation) is None  # none computed
        assert "download-video" not in _ids(words_only, PARAPHRASE)
    finally:
        words_only.close()


def test_index_command_follows_the_setting(tmp_path: Path, kb: Path) -> None:
    for value, has_vectors in (("off", False), ("on", True)):
        target = tmp_path / value
        env = {"SELFSERVICE_SEARCH_MEANING": value}
        args = ["index", "--kb-dir", str(kb), "--index-dir", str(target)]
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0, result.output
        generation = (target / "CURRENT").read_text().strip()
        assert (vector_store.load(target / generation) is not None) is has_vectors
    bad = CliRunner().invoke(
        main,
        ["index", "--kb-dir", str(kb), "--index-dir", str(tmp_path / "x")],
        env={"SELFSERVICE_SEARCH_MEANING": "maybe"},
    )
    assert bad.exit_code != 0
    assert "SELFSERVICE_SEARCH_MEANING: must be on or off, got 'maybe'" in bad.output


def test_an_index_of_one_language_answers_with_the_fallback_on(tmp_path: Path) -> None:
    # the other language has no document at all: the fallback must find nothing, not crash
    only_english = SearchIndex.open_or_build(tmp_path / "en-only", [DOWNLOAD, PRINTER])
    try:
        hits = only_english.search("quarterly livestock tax declaration", lang="en")
        assert not any(h.confident for h in hits)
    finally:
        only_english.close()


def test_an_other_language_hit_goes_first_only_when_clearly_more_confident() -> None:
    from selfservice.search.engine import LANGUAGE_MARGIN, interleave

    own = [(1, 9.0, 0.45), (2, 8.0, 0.20)]
    # nearly as confident in the caller's language: their own language stays first
    assert [d for d, _s, _c in interleave(own, [(7, 5.0, 0.55)])] == [1, 7, 2]
    # clearly more confident: the other language's answer leads
    sure = 0.45 + LANGUAGE_MARGIN + 0.05
    assert [d for d, _s, _c in interleave(own, [(7, 5.0, sure)])] == [7, 1, 2]
    assert interleave([], [(7, 5.0, 0.6)]) == [(7, 5.0, 0.6)]


def test_a_query_is_encoded_on_the_cores_its_search_has_to_itself(tmp_path: Path) -> None:
    from selfservice.search.query_cores import QueryCores
    from selfservice.text import encoder as encoder_module

    enc = shared_encoder()
    enc.query(f"vpn does not connect {time.time_ns()}")
    omp = encoder_module._omp
    assert omp, "the engine's OpenMP runtime was not found: thread counts are not controlled"
    assert omp.omp_get_max_threads() == 1  # a caller that says nothing: one core
    enc.query(f"vpn does not connect {time.time_ns()}", threads=8)
    assert omp.omp_get_max_threads() == encoder_module.MAX_QUERY_THREADS
    enc.documents([f"How to reset a password {time.time_ns()}"])
    assert omp.omp_get_max_threads() == encoder_module._indexing_threads()

    # a search alone in a two-core process encodes on two threads, and on one while
    # another search encodes (more threads than cores wait for the slowest)
    index = SearchIndex.open_or_build(tmp_path / "index", CORPUS)
    try:
        index._query_cores = QueryCores(cores=2)
        index.search(f"{PARAPHRASE} {time.time_ns()}", lang="en")
        assert omp.omp_get_max_threads() == 2
        with index._query_cores.reserve():
            index.search(f"{PARAPHRASE} {time.time_ns()}", lang="en")
            assert omp.omp_get_max_threads() == 1
        index.limit_query_cores(1)  # a process beside others (the server's workers)
        index.search(f"{PARAPHRASE} {time.time_ns()}", lang="en")
        assert omp.omp_get_max_threads() == 1
    finally:
        index.close()

def test_greetings_links_and_please_do_not_change_what_the_model_reads() -> None:
    from selfservice.text.encoder import question_only

    enc = shared_encoder()
    asked = enc.query("Как скачать видео на телефон?")
    for dressed in (
        "Здравствуйте! Как скачать видео на телефон?",
        "Как скачать видео https://rutube.ru/video/123/ на телефон?",
        "Привет!!! Добрый день. Как скачать видео на телефон?",
        "Как скачать видео на телефон, пожалуйста?",
    ):
        assert enc.knows_query(dressed), dressed  # cleaned, it is a question already asked
        assert np.array_equal(enc.query(dressed), asked), dressed
    assert not enc.knows_query("Здравствуйте! Как скачать видео на компьютер?")
    english = enc.query("how do I reset my password?")
    assert np.array_equal(enc.query("Hello! Please, how do I reset my password?"), english)
    # a greeting alone is all there is to read
    assert question_only("Hello!") == "Hello!"
    assert question_only("Здравствуйте") == "Здравствуйте"


def test_an_answer_that_says_little_is_read_with_its_service_name(tmp_path: Path) -> None:
    # The same words: only the service's name tells the two apart.
    def short(ref: str, service: str, name: str) -> SearchDoc:
        return SearchDoc(
            key=f"article:{ref}", type="article", ref=ref, lang="en", audience="public",
            kind="faq", service=service, title="", body="Use the instructions.",
            service_name=name,
        )

    docs = [short("mail-answer", "mail", "E-mail and calendars"),
            short("vm-answer", "compute", "Virtual machines")]
    index = SearchIndex.open_or_build(tmp_path / "index", docs)
    try:
        for question, expected in (
            ("How do I resize the disk of my cloud server?", "vm-answer"),
            ("How do I set up an out-of-office auto-reply in my mailbox?", "mail-answer"),
        ):
            hits = index.search(question, lang="en")
            assert [h.id for h in hits][:1] == [expected], question
    finally:
        index.close()


def test_a_text_that_says_what_it_is_about_is_read_without_the_service_name() -> None:
    from selfservice.search.vectors import SHORT_WORDS, _service_tail

    doc = SearchDoc(key="article:a", type="article", ref="a", lang="en", audience="public",
                    kind="faq", service="compute", title="", service_name="Virtual machines")
    assert _service_tail(doc, "Use the instructions.") == "Virtual machines"
    assert _service_tail(doc, " ".join(["word"] * (SHORT_WORDS + 1))) == ""
