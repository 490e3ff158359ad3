"""Loopback ports and server processes started by the tests (and always stopped by them).

``with serving(home, env, "--demo") as server`` runs ``selfservice serve`` on a free
loopback port, waits until ``/healthz`` answers and stops it afterwards; ``call`` is the
JSON client the live-server tests share.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "selfservice.cli"]


def free_port() -> int:
    """A port nobody listens on right now (bind to 0, read it back, release it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_serve(
    home: Path, env: Mapping[str, str], *args: str, log: Path | None = None,
    timeout: float = 60.0, own_session: bool = False, meaning: bool = True,
) -> Served:
    """``selfservice serve ARGS --port N`` in ``home``, healthy; the caller stops it.
    ``own_session`` puts it in its own process group (for a kill -9 of the whole tree)."""
    port = free_port()
    log = log or home / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*CLI, "serve", *args, "--port", str(port)], env=dict(env), cwd=home,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=own_session,
        )
    served = Served(process, port, log)
    wait_until_healthy(f"{served.base}/healthz", process, log, timeout=timeout, meaning=meaning)
    return served


@contextmanager
def serving(
    home: Path, env: Mapping[str, str], *args: str, log: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[Served]:
    """:func:`start_serve`, stopped when the block ends."""
    served = start_serve(home, env, *args, log=log, timeout=timeout)
    try:
        yield served
    finally:
        stop(served.process)


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, *, timeout: float = 60.0,
    meaning: bool = True,
) -> None:
    """Poll ``url`` until it answers 200 (and, with ``meaning``, its search uses meaning
    too); fail with the server's log if it exits or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n"
                                 f"{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                # A first start answers by words at once; tests want the whole search
                # (words and meaning), as the service has after its vectors are in.
                if response.status == 200 and (
                    not meaning or json.loads(response.read()).get("search_meaning") != "building"
                ):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    stop(process)
    raise AssertionError(f"no answer from {url} in {timeout:.0f} s:\n"
                         f"{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """Terminate the process we started; kill it if it does not exit in ``grace`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def call(
    base: str, method: str, path: str, body: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None, *, timeout: float = 20.0,
) -> tuple[int, dict[str, Any]]:
    """One JSON request; an HTTP error is an answer (status, body), not an exception."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
