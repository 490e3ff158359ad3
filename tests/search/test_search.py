"""Searching a small knowledge base: morphology, typos, audiences, forms, filters, snippets."""

from selfservice.search import SearchIndex


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


def test_russian_morphology_finds_the_article(index: SearchIndex) -> None:
    for query in ["пароль", "пароля", "пароли", "сбросить пароли", "сброса паролей"]:
        hits = index.search(query, lang="ru")
        assert hits and hits[0].id == "reset-password-ru", query


def test_english_morphology_finds_the_article(index: SearchIndex) -> None:
    for query in ["reset password", "resetting passwords", "How do I reset my password?"]:
        hits = index.search(query, lang="en")
        assert hits and hits[0].id == "reset-password-en", query


def test_yo_and_ye_are_the_same_letter(index: SearchIndex) -> None:
    # the article is written with "е"; the query uses "ё", and the other way round
    assert ids(index.search("учётная запись заблокирована", lang="ru"))[:1] == [
        "account-locked-ru"
    ]
    assert ids(index.search("удаленного рабочего стола", lang="ru", types=["form"]))[:1] == [
        "vm-not-responding"
    ]


def test_typos_in_short_queries_are_tolerated(index: SearchIndex) -> None:
    assert ids(index.search("pasword", lang="en"))[:1] == ["reset-password-en"]
    assert ids(index.search("пароьл", lang="ru"))[:1] == ["reset-password-ru"]
    assert ids(index.search("snapshto", lang="en"))[:1] == ["vm-snapshot-en"]


def test_internal_articles_are_never_returned_to_a_public_caller(index: SearchIndex) -> None:
    query = "hypervisor balloon driver qemu monitor runbook"
    for lang in ["en", "ru", None]:
        public = index.search(query, lang=lang, audience="public", limit=50)
        assert "vm-hang-runbook-en" not in ids(public)
        assert all(h.id != "vm-hang-runbook-en" for h in index.suggest("hyperv", lang=lang))
    internal = index.search(query, lang="en", audience="internal")
    assert ids(internal)[:1] == ["vm-hang-runbook-en"]
    assert "vm-hang-runbook-en" in ids(index.search("hypervisor", audience="internal"))


def test_forms_are_found_by_field_labels_and_descriptions(index: SearchIndex) -> None:
    by_label = index.search("remote desktop listener port", lang="en")
    assert by_label[0].type == "form" and by_label[0].id == "vm-not-responding"
    by_help = index.search("as shown in the control panel hostname", lang="en", types=["form"])
    assert ids(by_help) == ["vm-not-responding"]
    by_description = index.search("сервер завис, недоступен через консоль", lang="ru")
    assert by_description[0].type == "form" and by_description[0].lang == "ru"
    assert by_description[0].url == "/ru/catalog/vm-not-responding/"


def test_filters_by_type_kind_service_and_language(index: SearchIndex) -> None:
    query = "password virtual machine vpn snapshot"
    assert {h.type for h in index.search(query, types=["form"], limit=50)} == {"form"}
    assert {h.type for h in index.search(query, types=["article"], limit=50)} == {"article"}
    assert set(ids(index.search(query, services=["network"], limit=50))) == {
        "vpn-does-not-connect-en"
    }
    kinds = {h.kind for h in index.search(query, kinds=["faq", "how-to"], limit=50)}
    assert kinds <= {"faq", "how-to"} and kinds
    assert {h.lang for h in index.search("пароль password", lang="en", limit=50)} == {"en"}
    assert {h.lang for h in index.search("пароль password", lang=None, limit=50)} == {"en", "ru"}


def test_caller_language_first_with_fallback_to_the_other(index: SearchIndex) -> None:
    # nothing Russian talks about VPN handshakes: the English article answers
    hits = index.search("tls handshake vpn", lang="ru")
    assert hits[0].id == "vpn-does-not-connect-en" and hits[0].confident
    alone = index.search("tls handshake vpn", lang="ru", fallback=False)
    assert all(h.lang == "ru" for h in alone) and not any(h.confident for h in alone)
    # when the caller's language has an answer, only that language is returned
    assert {h.lang for h in index.search("пароль password", lang="ru")} == {"ru"}
    assert {h.lang for h in index.search("пароль password", lang="en")} == {"en"}


def test_confidence_separates_answers_from_nothing_relevant(index: SearchIndex) -> None:
    hit = index.search("I forgot my portal password", lang="en")[0]
    assert hit.id == "reset-password-en" and hit.confident and 0 < hit.confidence <= 1
    for query, lang in [
        ("how to cook pasta carbonara", "en"),
        ("какая погода завтра в москве", "ru"),
        ("best football team standings", "en"),
    ]:
        assert not any(h.confident for h in index.search(query, lang=lang)), query


def test_snippets_are_escaped_and_highlight_the_query_words(index: SearchIndex) -> None:
    hit = index.search("restart vpn client", lang="en")[0]
    assert hit.id == "vpn-does-not-connect-en"
    assert "<mark>" in hit.snippet
    assert "<b>" not in hit.snippet and "&lt;b&gt;" in hit.snippet
    ru = index.search("пароли", lang="ru")[0]
    assert "<mark>" in ru.snippet.lower()


def test_hit_fields(index: SearchIndex) -> None:
    hit = index.search("забыл пароль", lang="ru")[0]
    assert (hit.type, hit.id, hit.lang, hit.kind, hit.service) == (
        "article",
        "reset-password-ru",
        "ru",
        "scripted-solution",
        "identity",
    )
    assert hit.title == "Как сбросить забытый пароль от портала"
    assert hit.path == "articles/identity/reset-password/"
    assert hit.url == "/ru/articles/identity/reset-password/"
    assert hit.score > 0


def test_suggest_completes_the_last_word(index: SearchIndex) -> None:
    assert [s.id for s in index.suggest("сброс пар", lang="ru")][:1] == ["reset-password-ru"]
    assert [s.id for s in index.suggest("rese", lang="en")][:1] == ["reset-password-en"]
    assert [s.id for s in index.suggest("forgot my pa", lang="en")][:1] == ["reset-password-en"]
    assert [s.id for s in index.suggest("Вирт", lang="ru")] == ["vm-not-responding"]
    assert index.suggest("", lang="en") == []
    assert index.suggest("zzzz", lang="en") == []


def test_empty_and_stop_word_queries(index: SearchIndex) -> None:
    assert index.search("", lang="en") == []
    assert index.search("   ?! ", lang="ru") == []
    assert index.search("the and of", lang="en") == []


def test_many_threads_share_one_index(index: SearchIndex) -> None:
    import threading

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(30):
                query, lang, want = [
                    ("сбросить пароль", "ru", "reset-password-ru"),
                    ("vpn handshake", "en", "vpn-does-not-connect-en"),
                    ("snapshot disk", "en", "vm-snapshot-en"),
                ][(n + i) % 3]
                assert index.search(query, lang=lang)[0].id == want
                assert index.suggest(query[:4], lang=lang) is not None
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
