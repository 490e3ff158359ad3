"""Index lifecycle: first build, incremental sync, atomic rebuilds, readers during rebuilds."""

import threading
import time
from pathlib import Path

import pytest

import selfservice.search.schema as schema
from selfservice.config.settings import load_settings
from selfservice.content.loader import load_content
from selfservice.search import SearchDoc, SearchIndex


def _generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("gen-*") if p.is_dir())


def test_built_on_first_start_when_missing(tmp_path: Path, kb: Path) -> None:
    root = tmp_path / "index"
    assert not root.exists()
    index = SearchIndex.open_or_build(root, load_content(kb))
    try:
        assert (root / "CURRENT").read_text().strip() == index.generation
        assert _generations(root) == [index.generation]
        # 6 articles (one internal) + 1 form in two languages
        assert index.doc_count() == 8
    finally:
        index.close()


def test_opening_again_reuses_the_index(tmp_path: Path, kb: Path) -> None:
    root = tmp_path / "index"
    content = load_content(kb)
    first = SearchIndex.open_or_build(root, content)
    generation = first.generation
    first.close()
    again = SearchIndex.open_or_build(root, content)
    try:
        assert again.generation == generation  # synced, not rebuilt
        assert again.sync(content).written == 0
    finally:
        again.close()


def test_sync_rewrites_only_the_changed_article(
    tmp_path: Path, kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "index"
    index = SearchIndex.open_or_build(root, load_content(kb))
    try:
        article = kb / "articles" / "network" / "vpn.md"
        article.write_text(
            article.read_text(encoding="utf-8").replace("UDP port 1194", "UDP port 51820"),
            encoding="utf-8",
        )
        written: list[str] = []
        real = schema.index_fields

        def counting(doc: SearchDoc, digest: str) -> dict[str, str]:
            written.append(doc.key)
            return real(doc, digest)

        monkeypatch.setattr(schema, "index_fields", counting)
        report = index.sync(load_content(kb))
        assert report.updated == ("article:vpn-does-not-connect-en",)
        assert report.added == () and report.removed == ()
        assert report.written == 1
        assert written == ["article:vpn-does-not-connect-en"]  # nothing else was rewritten
        assert index.doc_count() == 8
        assert [h.id for h in index.search("51820", lang="en")] == ["vpn-does-not-connect-en"]
        assert index.search("1194", lang="en") == []
        # nothing changed since: nothing is written
        assert index.sync(load_content(kb)).written == 0
    finally:
        index.close()


def test_sync_adds_and_removes(tmp_path: Path, kb: Path) -> None:
    index = SearchIndex.open_or_build(tmp_path / "index", load_content(kb))
    try:
        (kb / "articles" / "compute" / "snapshot.md").unlink()
        new = kb / "articles" / "network" / "dns.md"
        new.write_text(
            "---\nid: dns-flush-en\ntitle: Flush the DNS cache\nlang: en\nservice: network\n"
            "audience: public\nkind: how-to\nupdated: 2026-11-20\n---\n"
            "Run ipconfig /flushdns on Windows.\n",
            encoding="utf-8",
        )
        report = index.sync(load_content(kb))
        assert report.added == ("article:dns-flush-en",)
        assert report.removed == ("article:vm-snapshot-en",)
        assert report.updated == ()
        assert [h.id for h in index.search("flushdns", lang="en")] == ["dns-flush-en"]
        assert index.search("snapshot", lang="en", types=["article"]) == []
    finally:
        index.close()


def test_rebuild_swaps_generations_and_keeps_at_most_two(tmp_path: Path, kb: Path) -> None:
    root = tmp_path / "index"
    content = load_content(kb)
    index = SearchIndex.open_or_build(root, content)
    try:
        seen = [index.generation]
        for _ in range(3):
            progress: list[tuple[int, int]] = []

            def note(done: int, total: int, progress: list[tuple[int, int]] = progress) -> None:
                progress.append((done, total))

            assert index.rebuild(content, progress=note) == 8
            # 8 documents, then their 8 vectors (reused, not recomputed)
            assert progress[-1] == (16, 16)
            seen.append(index.generation)
            assert (root / "CURRENT").read_text().strip() == index.generation
            assert len(_generations(root)) <= 2
        assert len(set(seen)) == 4
        assert index.search("пароль", lang="ru")[0].id == "reset-password-ru"
    finally:
        index.close()


def test_another_reader_picks_up_a_rebuild(tmp_path: Path, kb: Path) -> None:
    root = tmp_path / "index"
    writer = SearchIndex.open_or_build(root, load_content(kb))
    reader = SearchIndex.open(root)  # as the web server would, in another process
    reader.recheck_interval = 0.0
    try:
        assert reader.search("flushdns", lang="en") == []
        (kb / "articles" / "network" / "dns.md").write_text(
            "---\nid: dns-flush-en\ntitle: Flush the DNS cache\nlang: en\nservice: network\n"
            "audience: public\nkind: how-to\nupdated: 2026-11-20\n---\nipconfig /flushdns\n",
            encoding="utf-8",
        )
        writer.rebuild(load_content(kb))
        assert [h.id for h in reader.search("flushdns", lang="en")] == ["dns-flush-en"]
        assert reader.generation == writer.generation
    finally:
        reader.close()
        writer.close()


def test_searches_keep_answering_during_rebuilds(tmp_path: Path, kb: Path) -> None:
    root = tmp_path / "index"
    content = load_content(kb)
    index = SearchIndex.open_or_build(root, content)
    index.recheck_interval = 0.0
    other = SearchIndex.open(root)  # a second reader, checking the pointer every time
    other.recheck_interval = 0.0
    stop = threading.Event()
    errors: list[BaseException] = []
    answers: list[int] = []

    def search_loop(idx: SearchIndex) -> None:
        try:
            while not stop.is_set():
                hits = idx.search("сбросить пароль", lang="ru")
                answers.append(len(hits))
                if not hits or hits[0].id != "reset-password-ru":
                    raise AssertionError(f"bad answer during rebuild: {hits}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=search_loop, args=(i,)) for i in (index, other, index)]
    for t in threads:
        t.start()
    try:
        for _ in range(4):
            index.rebuild(content)
            index.sync(content)
        time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        index.close()
        other.close()
    assert not errors, errors[:3]
    assert len(answers) > 20 and all(n > 0 for n in answers)


def test_an_index_from_another_schema_is_rebuilt(tmp_path: Path, kb: Path) -> None:
    root = tmp_path / "index"
    content = load_content(kb)
    first = SearchIndex.open_or_build(root, content)
    old = first.generation
    first.close()
    meta = root / str(old) / "META.json"
    meta.write_text('{"fingerprint": "something-older"}', encoding="utf-8")
    second = SearchIndex.open_or_build(root, content)
    try:
        assert second.generation != old
        assert second.search("пароль", lang="ru")
    finally:
        second.close()


def test_open_without_an_index_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SearchIndex.open(tmp_path / "nothing")


def test_index_location_is_a_setting() -> None:
    assert load_settings({}).index_dir == Path("./var/index")
    env = {"SELFSERVICE_INDEX_DIR": "/srv/selfservice/index"}
    assert load_settings(env).index_dir == Path("/srv/selfservice/index")


def test_warm_up_is_harmless(index: SearchIndex) -> None:
    index.warm_up()
    assert index.search("пароль", lang="ru")[0].id == "reset-password-ru"


def _vpn_snippet(index: SearchIndex) -> str:
    hits = index.search("udp port", lang="en")
    return next(h.snippet for h in hits if h.id == "vpn-does-not-connect-en")


def test_a_changed_article_shows_its_new_text_in_the_snippet(tmp_path: Path, kb: Path) -> None:
    """Snippets and stored fields are kept per reader for popular questions; an edit
    published since must still show, in this process and in another one."""
    root = tmp_path / "index"
    writer = SearchIndex.open_or_build(root, load_content(kb))
    reader = SearchIndex.open(root)  # as the web server would, in another process
    reader.recheck_interval = 0.0
    try:
        for index in (writer, reader):
            for _ in range(2):  # the second time from what the reader keeps
                assert "<mark>UDP</mark> <mark>port</mark> 1194" in _vpn_snippet(index)
        article = kb / "articles" / "network" / "vpn.md"
        # an edit synced into the live generation, then a new generation, which numbers
        # its documents afresh: nothing kept may carry over either time
        for publish, before, after in ((writer.sync, "1194", "51820"),
                                       (writer.rebuild, "51820", "443")):  # fmt: skip
            text = article.read_text(encoding="utf-8")
            article.write_text(text.replace(f"port {before}", f"port {after}"), "utf-8")
            publish(load_content(kb))
            for index in (writer, reader):
                assert f"<mark>UDP</mark> <mark>port</mark> {after}" in _vpn_snippet(index)
    finally:
        reader.close()
        writer.close()
