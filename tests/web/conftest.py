"""One search index per session (built from a copy of tests/fixtures/kb-min) and an app factory."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.search import SearchIndex
from selfservice.web.app import create_app
from selfservice.web.ratelimit import TokenBucketLimiter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

AppFactory = Callable[..., Starlette]


@pytest.fixture(scope="session")
def web_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web") / "kb"
    shutil.copytree(FIXTURES / "kb-min", target)
    return target


@pytest.fixture(scope="session")
def content(web_kb: Path) -> Content:
    return load_content(web_kb)


@pytest.fixture(scope="session")
def search_index(web_kb: Path, content: Content) -> Iterator[SearchIndex]:
    index = SearchIndex.open_or_build(web_kb.parent / "index", content)
    yield index
    index.close()


@pytest.fixture
def make_app(content: Content, search_index: SearchIndex) -> AppFactory:
    """``make_app(**overrides)``: the real app over the fixture kb; a generous rate limit."""

    def factory(**overrides: Any) -> Starlette:
        arguments: dict[str, Any] = {
            "settings": Settings(),
            "content": content,
            "search_index": search_index,
            "rate_limiter": TokenBucketLimiter(per_minute=60_000, burst=10_000),
        }
        arguments.update(overrides)
        return create_app(**arguments)

    return factory


@pytest.fixture
def client(make_app: AppFactory) -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client
