"""`selfservice kb publish` reaches two running `serve` processes without a restart:
added, edited and deleted articles and forms show through the API and on /kb/ within 10 s, no
request fails while they switch, and a broken kb/ leaves them on the last good one."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.processes import free_port, stop, wait_until_healthy

CLI = [sys.executable, "-m", "selfservice.cli"]
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
VISIBLE_WITHIN = 10.0

pytestmark = pytest.mark.slow

MFA_ARTICLE = """---
id: mfa-en
title: Set up the authenticator app
lang: en
service: identity
audience: public
kind: how-to
symptoms:
  - authenticator app asks for a code
updated: 2026-12-01
---
Scan the QR code with the authenticator app and type the six-digit code.
"""

DISK_FORM = """id: disk-full
type: incident
service: compute
title: {en: Disk is full, ru: Диск заполнен}
description: {en: Report a full disk, ru: Сообщить о заполненном диске}
fields:
  - id: vm_name
    type: hostname
    label: {en: VM name, ru: Имя ВМ}
    required: true
"""


def page(base: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def get(base: str, path: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def search_ids(base: str, query: str) -> list[str]:
    status, body = get(base, "/api/v1/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200, body
    return [hit["id"] for hit in body["results"]]


def eventually(check: Callable[[], bool], what: str) -> float:
    """Seconds until ``check()`` holds; fails after VISIBLE_WITHIN."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > VISIBLE_WITHIN:
            pytest.fail(f"not within {VISIBLE_WITHIN:.0f} s: {what}")
        time.sleep(0.2)
    return time.monotonic() - start


class Traffic:
    """Requests to both servers on a loop; every answer other than 200/404 is a failure."""

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.failures: list[str] = []
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        paths = ["/api/v1/search?q=password", "/api/v1/articles/reset-en",
                 "/api/v1/forms/vm-down", "/api/v1/articles/mfa-en", "/api/v1/forms",
                 "/kb/articles/identity/reset/", "/kb/ru/"]
        while not self._stop.is_set():
            for base in self.bases:
                for path in paths:
                    try:
                        status = (page(base, path) if path.startswith("/kb/")
                                  else get(base, path))[0]
                        if status not in {200, 404}:
                            self.failures.append(f"{base}{path}: {status}")
                    except Exception as exc:  # a refused or broken connection
                        self.failures.append(f"{base}{path}: {exc!r}")
                    self.requests += 1

    def __enter__(self) -> "Traffic":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path, list[str]]]:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb-min", kb)
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(kb),
        "SELFSERVICE_INDEX_DIR": str(tmp_path / "index"),
        "SELFSERVICE_SITE_DIR": str(tmp_path / "site"),
        "SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "SELFSERVICE_SEARCH_MEANING": "off",
        "SELFSERVICE_RATE_LIMIT_PER_MINUTE": "1000000",
        "SELFSERVICE_RATE_LIMIT_BURST": "1000000",
    }
    processes: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    first = publish(env)
    assert first.returncode == 0, first.stdout + first.stderr
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"serve-{name}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [*CLI, "serve", "--no-build-site", "--port", str(port)],
                    env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                )
            processes.append(process)
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base + "/healthz", process, log)
            bases.append(base)
        yield env, kb, bases
    finally:
        for process in processes:
            stop(process)


def publish(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`kb publish --site` where mkdocs.yml is, as an author on the service's host would."""
    return subprocess.run([*CLI, "kb", "publish", "--site"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_publish_reaches_both_servers_and_a_broken_kb_changes_nothing(
    service: tuple[dict[str, str], Path, list[str]], tmp_path: Path
) -> None:
    env, kb, bases = service
    for base in bases:
        assert get(base, "/api/v1/articles/mfa-en")[0] == 404
        assert page(base, "/kb/articles/identity/mfa/")[0] == 404
        assert "Reset a forgotten password" in page(base, "/kb/articles/identity/reset/")[1]

    with Traffic(bases) as traffic:
        # Add an article and a form, edit an article and a form.
        (kb / "articles" / "identity" / "mfa.md").write_text(MFA_ARTICLE, encoding="utf-8")
        (kb / "catalog" / "disk-full.yml").write_text(DISK_FORM, encoding="utf-8")
        reset = kb / "articles" / "identity" / "reset.md"
        reset.write_text(reset.read_text(encoding="utf-8").replace(
            "title: Reset a forgotten password", "title: Reset your forgotten password"),
            encoding="utf-8")
        vm = kb / "catalog" / "vm-down.yml"
        vm.write_text(vm.read_text(encoding="utf-8").replace(
            "VM is not responding", "Virtual machine is not responding"), encoding="utf-8")
        done = publish(env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "published gen-" in done.stdout
        for base in bases:
            eventually(lambda b=base: get(b, "/api/v1/articles/mfa-en")[0] == 200,
                       f"new article on {base}")
            assert get(base, "/api/v1/articles/reset-en")[1]["title"] == (
                "Reset your forgotten password")
            assert "mfa-en" in search_ids(base, "authenticator app")
            assert get(base, "/api/v1/forms/disk-full")[0] == 200
            assert get(base, "/api/v1/forms/vm-down?lang=en")[1]["title"] == (
                "Virtual machine is not responding")
            eventually(lambda b=base: page(b, "/kb/articles/identity/mfa/")[0] == 200,
                       f"new article's page on {base}")
            assert "Reset your forgotten password" in page(base, "/kb/articles/identity/reset/")[1]
            assert "Disk is full" in page(base, "/kb/catalog/disk-full/")[1]

        # Delete them again.
        (kb / "articles" / "identity" / "mfa.md").unlink()
        (kb / "catalog" / "disk-full.yml").unlink()
        done = publish(env)
        assert done.returncode == 0, done.stdout + done.stderr
        for base in bases:
            eventually(lambda b=base: get(b, "/api/v1/articles/mfa-en")[0] == 404,
                       f"deleted article gone on {base}")
            assert get(base, "/api/v1/forms/disk-full")[0] == 404
            assert "mfa-en" not in search_ids(base, "authenticator app")
            eventually(lambda b=base: page(b, "/kb/articles/identity/mfa/")[0] == 404,
                       f"deleted article's page gone on {base}")

        # A broken kb/ is refused with FILE:LINE and the servers keep the good one.
        reset.write_text(reset.read_text(encoding="utf-8").replace("service: identity",
                                                                   "service: identiti"),
                         encoding="utf-8")
        done = publish(env)
        assert done.returncode == 1
        assert f"{reset}:" in done.stdout and "identiti" in done.stdout
        assert "nothing published" in done.stderr
        time.sleep(3)  # three looks at the pointer by every server: nothing may change
        for base in bases:
            status, article = get(base, "/api/v1/articles/reset-en")
            assert status == 200 and article["title"] == "Reset your forgotten password"
            assert "Reset your forgotten password" in page(base, "/kb/articles/identity/reset/")[1]

    assert traffic.failures == []
    assert traffic.requests > 50


def test_serve_watch_publishes_saved_articles_and_skips_a_broken_save(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb-min", kb)
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(kb),
        "SELFSERVICE_INDEX_DIR": str(tmp_path / "index"),
        "SELFSERVICE_SITE_DIR": str(tmp_path / "site"),
        "SELFSERVICE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "SELFSERVICE_SEARCH_MEANING": "off",
    }
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*CLI, "serve", "--no-build-site", "--watch", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base + "/healthz", process, log)
        (kb / "articles" / "identity" / "mfa.md").write_text(MFA_ARTICLE, encoding="utf-8")
        eventually(lambda: get(base, "/api/v1/articles/mfa-en")[0] == 200,
                   "saved article published by serve --watch")
        broken = MFA_ARTICLE.replace("service: identity", "service: identiti")
        (kb / "articles" / "identity" / "mfa.md").write_text(broken, encoding="utf-8")
        eventually(lambda: "identiti" in log.read_text(encoding="utf-8"),
                   "the broken save reported in the log")
        assert f"{kb / 'articles' / 'identity' / 'mfa.md'}:" in log.read_text(encoding="utf-8")
        assert get(base, "/api/v1/articles/mfa-en")[0] == 200
    finally:
        stop(process)
