"""``selfservice serve --demo`` for real: uvicorn in a subprocess on a free loopback port,
with the token from ``selfservice token``, and the database checked behind it."""

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from support.processes import CLI, call, serving

from selfservice.db.engine import make_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass
class Live:
    base: str
    env: dict[str, str]
    home: Path
    db_url: str
    log: Path

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return call(self.base, method, path, body, headers, timeout=10)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [*CLI, *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def query(self, sql: str) -> list[Any]:
        engine = make_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql)).all())
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("live")
    shutil.copytree(FIXTURES / "kb-min", home / "kb")
    db_url = f"sqlite:///{home / 'var' / 'selfservice.db'}"
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(home / "kb"),
        "SELFSERVICE_INDEX_DIR": str(home / "index"),
        "SELFSERVICE_DATABASE_URL": db_url,
        "SELFSERVICE_SITE_DIR": str(home / "site"),
    }
    with serving(home, env, "--demo") as served:
        yield Live(served.base, env, home, db_url, served.log)


def test_first_run_seeds_the_demo_and_prints_what_to_open(live: Live) -> None:
    output = live.log.read_text()
    assert "demo data created: organisation demo; contact demo@example.com" in output
    assert output.count("sse_") == 3  # one API token per engineer, shown once
    assert f"{live.base}/api/v1/openapi.json" in output
    assert "selfservice token --org demo --contact demo@example.com" in output
    engineers = live.query("SELECT role FROM engineers ORDER BY role")
    assert [r[0] for r in engineers] == ["L1", "L2", "L3"]


def test_deflection_over_http(live: Live) -> None:
    status, started = live.call("POST", "/api/v1/conversations", {"lang": "ru"})
    assert status == 201
    cid = started["id"]
    turns = [
        {"text": "забыл пароль"},
        {"action": "open_article", "article": "reset-ru"},
        {"action": "next_step"},
        {"action": "solved"},
    ]
    for body in turns:
        status, answer = live.call("POST", f"/api/v1/conversations/{cid}/messages", body)
        assert status == 200, answer
    assert answer["outcome"] == "deflected"
    rows = live.query(f"SELECT outcome FROM conversations WHERE id = '{cid}'")
    assert rows == [("deflected",)]


def test_ticket_path_over_http(live: Live) -> None:
    token = live.cli("token", "--org", "demo", "--contact", "demo@example.com").strip()
    status, started = live.call("POST", "/api/v1/conversations", {"lang": "en"}, token)
    assert (status, started["signed_in"]) == (201, True)
    cid = started["id"]
    for body in (
        {"text": "I forgot my password"},
        {"action": "open_article", "article": "reset-en"},
        {"action": "need_help"},
        {"action": "choose_form", "form": "vm-down"},
    ):
        status, answer = live.call("POST", f"/api/v1/conversations/{cid}/messages", body, token)
        assert status == 200, answer
    ticket = {
        "form": "vm-down",
        "fields": {"vm_name": "web-01"},
        "urgency": "very_high",
        "conversation": cid,
    }
    status, filed = live.call("POST", "/api/v1/tickets", ticket, token)
    assert status == 201, filed
    number = filed["number"]
    assert filed["phone_confirmation"]["phone"] == "+1 555 0100"

    status, shown = live.call("GET", f"/api/v1/tickets/{number}", token=token)
    assert (status, shown["number"], shown["urgency_confirmed"]) == (200, number, False)
    [(ticket_id, tried)] = live.query(
        f"SELECT id, self_service_tried FROM tickets WHERE number = '{number}'"
    )
    assert json.loads(tried)[0]["article"] == "reset-en"
    mails = live.query(f"SELECT kind, to_addr FROM outbox WHERE ticket_id = {ticket_id}")
    assert mails == [("registered", "demo@example.com")]
    assert live.query(f"SELECT outcome FROM conversations WHERE id = '{cid}'") == [
        ("ticket_filed",)
    ]
    status, refused = live.call("GET", "/api/v1/tickets")
    assert (status, refused["error"]) == (401, "sign_in_required")


def test_a_second_demo_run_creates_nothing(live: Live) -> None:
    with serving(live.home, live.env, "--demo", log=live.home / "second.log") as second:
        assert call(second.base, "GET", "/healthz")[0] == 200
    output = second.log.read_text()
    assert "demo data: already there" in output
    assert "sse_" not in output
    assert live.query("SELECT count(*) FROM organisations") == [(1,)]


def _home_with_kb_min(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a server of its own in ``home``, with a copy of kb-min."""
    shutil.copytree(FIXTURES / "kb-min", home / "kb")
    return {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(home / "kb"),
        "SELFSERVICE_INDEX_DIR": str(home / "index"),
        "SELFSERVICE_DATABASE_URL": f"sqlite:///{home / 'selfservice.db'}",
        "SELFSERVICE_SITE_DIR": str(home / "site"),
        **settings,
    }


def test_a_first_start_answers_by_words_and_switches_meaning_on_by_itself(
    tmp_path: Path,
) -> None:
    from support.processes import start_serve, stop

    env = _home_with_kb_min(tmp_path)
    served = start_serve(tmp_path, env, "--no-build-site", meaning=False, timeout=120)
    try:
        status, found = call(served.base, "GET", "/api/v1/search?q=reset+password&lang=en")
        assert status == 200 and found["results"][0]["id"] == "reset-en"  # words, at once
        output = served.log.read_text()
        assert "search answers by words now" in output
        deadline = time.monotonic() + 300
        while call(served.base, "GET", "/healthz")[1]["search_meaning"] != "ready":
            assert time.monotonic() < deadline, served.log.read_text()
            time.sleep(0.2)
        assert "search by meaning is on" in served.log.read_text()
        status, found = call(served.base, "GET", "/api/v1/search?q=reset+password&lang=en")
        assert status == 200 and found["meaning"] is True
    finally:
        stop(served.process)


def test_the_access_log_can_be_left_to_a_reverse_proxy(live: Live, tmp_path: Path) -> None:
    from support.processes import start_serve, stop

    assert live.call("GET", "/healthz")[0] == 200
    assert '"GET /healthz HTTP/1.1" 200' in live.log.read_text()  # on by default
    env = _home_with_kb_min(
        tmp_path, SELFSERVICE_SEARCH_MEANING="off", SELFSERVICE_ACCESS_LOG="off"
    )
    served = start_serve(tmp_path, env, "--no-build-site", meaning=False, timeout=120)
    try:
        status, found = call(served.base, "GET", "/api/v1/search?q=reset+password&lang=en")
        assert status == 200 and found["results"][0]["id"] == "reset-en"
    finally:
        stop(served.process)
    output = served.log.read_text()
    assert "Uvicorn running on" in output and "GET /api/v1/search" not in output
