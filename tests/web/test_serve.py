"""``selfservice serve`` for real: uvicorn in a subprocess on a free local port."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.processes import free_port

from selfservice.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"



def get_json(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    shutil.copytree(FIXTURES / "kb-min", tmp_path / "kb")
    port = free_port()
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(tmp_path / "kb"),
        "SELFSERVICE_INDEX_DIR": str(tmp_path / "index"),
    }
    command = [sys.executable, "-m", "selfservice.cli", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if get_json(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not answer /healthz within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_answers_search_over_http(server: str) -> None:
    query = urllib.parse.urlencode({"q": "пароль", "lang": "ru"})
    status, body = get_json(f"{server}/api/v1/search?{query}")
    assert status == 200
    results = body["results"]
    assert isinstance(results, list)
    assert results[0]["id"] == "reset-ru"
    status, body = get_json(server + "/api/v1/articles/unlock-en")
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
