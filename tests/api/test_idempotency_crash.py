"""kill -9 between the commit and the answer: the retry with the same Idempotency-Key gets
the ticket that was filed, and no second one is filed, on SQLite and on PostgreSQL.

``selfservice serve --demo`` runs in a subprocess (its own process group). The client
sends POST /tickets and never reads the answer; as soon as the ticket is in the database
the server is killed with SIGKILL. A new server on the same database then answers the
client's retry.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from support.processes import CLI, start_serve

from selfservice.db.engine import make_engine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize(
        "api_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
        indirect=True,
    ),
]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DESCRIPTION = "Payroll VM froze during the month-end run"
KEY = "5b0f1c1e-0d6e-4c55-9a3e-kill-9"



def serve(home: Path, env: dict[str, str], name: str) -> tuple[subprocess.Popen[bytes], int]:
    served = start_serve(home, env, "--demo", "--no-build-site", log=home / f"{name}.log",
                         timeout=90, own_session=True)
    return served.process, served.port


def kill(process: subprocess.Popen[bytes]) -> None:
    """kill -9 the server and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def tickets(db_url: str) -> list[Any]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            query = text("SELECT number FROM tickets WHERE description = :d")
            return [row[0] for row in conn.execute(query, {"d": DESCRIPTION})]
    finally:
        engine.dispose()


def test_a_client_retry_after_kill_9_files_one_ticket(tmp_path: Path, api_db_url: str) -> None:
    shutil.copytree(FIXTURES / "kb-min", tmp_path / "kb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFSERVICE_")}
    env.update({
        "SELFSERVICE_KB_DIR": str(tmp_path / "kb"),
        "SELFSERVICE_INDEX_DIR": str(tmp_path / "index"),
        "SELFSERVICE_SITE_DIR": str(tmp_path / "site"),
        "SELFSERVICE_DATABASE_URL": api_db_url,
        "SELFSERVICE_SEARCH_MEANING": "off",
    })  # fmt: skip
    process, port = serve(tmp_path, env, "first")
    try:
        token = subprocess.run(
            [*CLI, "token", "--org", "demo", "--contact", "demo@example.com"], env=env,
            cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()
        body = json.dumps({"description": DESCRIPTION, "subject": "Payroll VM"}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                   "Idempotency-Key": KEY}
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        client.request("POST", "/api/v1/tickets", body=body, headers=headers)
        deadline = time.monotonic() + 30
        while not tickets(api_db_url) and time.monotonic() < deadline:
            time.sleep(0.005)
        kill(process)  # the ticket is committed; its answer is lost with the server
        client.close()
        [filed] = tickets(api_db_url)
    finally:
        kill(process)

    process, port = serve(tmp_path, env, "second")
    try:
        retry = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/tickets", data=body,
                                       headers=headers, method="POST")
        with urllib.request.urlopen(retry, timeout=10) as answer:
            status, replayed = answer.status, answer.headers.get("Idempotent-Replayed")
            number = json.loads(answer.read())["number"]
    except urllib.error.HTTPError as error:
        pytest.fail(f"the retry failed: {error.code} {error.read()!r}")
    finally:
        kill(process)
    assert (status, replayed, number) == (201, "true", filed)
    assert tickets(api_db_url) == [filed]
