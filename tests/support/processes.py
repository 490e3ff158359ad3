"""Loopback ports and server processes started by the tests (and always stopped by them)."""

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A port nobody listens on right now (bind to 0, read it back, release it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, *, timeout: float = 60.0
) -> None:
    """Poll ``url`` until it answers 200; fail with the server's log if it exits or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
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
