"""The product's own kb/ indexes and answers; a kb/ that does not load is a failure."""

from pathlib import Path

import pytest

from selfservice.content.loader import ContentError, load_content
from selfservice.search import SearchIndex

KB = Path(__file__).resolve().parents[2] / "kb"


def test_real_kb_indexes_and_answers(tmp_path: Path) -> None:
    try:
        content = load_content(KB)
    except ContentError as exc:
        pytest.fail(f"kb/ does not load: {exc}")
    assert content.articles, "kb/ has no articles"
    index = SearchIndex.open_or_build(tmp_path / "index", content)
    try:
        expected = len(content.articles) + 2 * len(content.forms)
        assert index.doc_count() == expected
        internal = {a.id for a in content.articles.values() if not a.is_public}
        for article in list(content.articles.values())[:40]:
            hits = index.search(article.title, lang=str(article.lang), limit=5)
            assert not internal & {h.id for h in hits}
            if article.is_public:
                # an article's own title finds it
                assert article.id in {h.id for h in hits}, article.id
        for form in content.forms.values():
            hits = index.search(form.title.en, lang="en", types=["form"], limit=5)
            assert form.id in {h.id for h in hits}
    finally:
        index.close()
