"""Scale-out: two ``selfservice serve`` processes on one PostgreSQL, each with its own
search index, continue each other's conversations and never hand out the same number."""

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from engineer_helpers import FIXTURES, VM_FORM, Desk, prepare
from support.processes import Served, call, start_serve, stop

from selfservice.config.support_config import load_support_config
from selfservice.db.engine import make_engine

pytestmark = [pytest.mark.postgres, pytest.mark.slow]



def start(home: Path, db_url: str, name: str) -> Served:
    """One backend host: its own kb/ copy and index directory, the shared database."""
    root = home / name
    shutil.copytree(FIXTURES / "kb-min", root / "kb")
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(root / "kb"),
        "SELFSERVICE_INDEX_DIR": str(root / "index"),
        "SELFSERVICE_SITE_DIR": str(root / "site"),
        "SELFSERVICE_DATABASE_URL": db_url,
        "SELFSERVICE_RATE_LIMIT_PER_MINUTE": "100000",
        "SELFSERVICE_RATE_LIMIT_BURST": "100000",
    }
    return start_serve(root, env, "--no-build-site")


@pytest.fixture
def hosts(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, str, Desk]]:
    engine = make_engine(pg_url)
    try:
        desk = prepare(engine, load_support_config())
    finally:
        engine.dispose()
    first = start(tmp_path, pg_url, "a")
    try:
        second = start(tmp_path, pg_url, "b")
        try:
            yield first.base, second.base, desk
        finally:
            stop(second.process)
    finally:
        stop(first.process)


def test_two_processes_share_conversations_and_numbers(hosts: tuple[str, str, Desk]) -> None:
    a, b, desk = hosts
    auth = desk.contact()
    # A conversation started on A, continued on B, finished on A.
    status, started = call(a, "POST", "/api/v1/conversations", {"lang": "en"}, auth)
    assert status == 201, started
    cid = started["id"]
    for base, body in ((b, {"text": "I forgot my password"}),
                       (a, {"action": "open_article", "article": "reset-en"}),
                       (b, {"action": "need_help"}),
                       (a, {"action": "choose_form", "form": "vm-down"})):
        status, answer = call(base, "POST", f"/api/v1/conversations/{cid}/messages", body, auth)
        assert status == 200, answer
    status, filed = call(a, "POST", "/api/v1/tickets", {**VM_FORM, "conversation": cid}, auth)
    assert status == 201, filed
    status, again = call(b, "POST", f"/api/v1/conversations/{cid}/messages", {"text": "hi"},
                         auth)
    assert (status, again["error"]) == (409, "conversation_closed")
    # An engineer on B sees the ticket filed on A; the contact reads it on B.
    status, queue = call(b, "GET", "/api/v1/engineer/queue", headers=desk.staff("L1"))
    assert status == 200 and filed["number"] in [t["number"] for t in queue["tickets"]]

    # Tickets filed concurrently on both hosts: every number is unique.
    def file_on(base: str) -> str:
        status, answer = call(base, "POST", "/api/v1/tickets", VM_FORM, auth)
        assert status == 201, answer
        return str(answer["number"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(file_on, [a, b] * 10))
    numbers.append(filed["number"])
    assert len(numbers) == len(set(numbers)) == 21
