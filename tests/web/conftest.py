"""One search index per session (built from a copy of tests/fixtures/kb-min) and an app factory."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.content.model import Content
from selfservice.search import SearchIndex
from selfservice.web.app import create_app
from selfservice.web.ratelimit import TokenBucketLimiter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

AppFactory = Callable[..., Starlette]


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
