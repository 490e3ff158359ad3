"""``selfservice serve`` for real: uvicorn in a subprocess on a free local port."""

import os
import shutil
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.processes import call, serving

from selfservice.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"



@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    shutil.copytree(FIXTURES / "kb-min", tmp_path / "kb")
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(tmp_path / "kb"),
        "SELFSERVICE_INDEX_DIR": str(tmp_path / "index"),
    }
    with serving(tmp_path, env) as served:
        yield served.base


def test_serve_answers_search_over_http(server: str) -> None:
    query = urllib.parse.urlencode({"q": "пароль", "lang": "ru"})
    status, body = call(server, "GET", f"/api/v1/search?{query}")
    assert status == 200
    results = body["results"]
    assert isinstance(results, list)
    assert results[0]["id"] == "reset-ru"
    status, body = call(server, "GET", "/api/v1/articles/unlock-en")
    assert (status, body["error"]) == (404, "article_not_found")


def test_serve_help_teaches() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workers", "127.0.0.1", "8000"):
        assert option in result.output


def test_serve_refuses_a_broken_kb(tmp_path: Path) -> None:
    env = {"SELFSERVICE_KB_DIR": str(tmp_path / "missing")}
    result = CliRunner(env=env).invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "knowledge base folder does not exist" in result.output
