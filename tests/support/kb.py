"""The minimal fixture knowledge base (``tests/fixtures/kb-min``) and its search index with
the meaning model, built once per test session and shared read-only by the test packages."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.search import SearchIndex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of kb-min; session-wide, so no test may write into it (use ``kb_min``)."""
    target = tmp_path_factory.mktemp("shared") / "kb"
    shutil.copytree(FIXTURES / "kb-min", target)
    return target


@pytest.fixture(scope="session")
def content(fixture_kb: Path) -> Content:
    return load_content(fixture_kb)


@pytest.fixture(scope="session")
def search_index(fixture_kb: Path, content: Content) -> Iterator[SearchIndex]:
    index = SearchIndex.open_or_build(fixture_kb.parent / "index", content)
    yield index
    index.close()
