"""API benchmark: search and conversation turns over HTTP, open-loop, against real uvicorn.

Starts ``selfservice serve --demo`` on 127.0.0.1 with a temporary SQLite database and
search index (built from ``kb/``), waits until it answers, then runs a bounded, fixed-rate
open-loop load from a small thread pool with keep-alive connections:

* ``search``: ``GET /api/v1/search`` at ``--search-rate`` requests/s for ``--duration`` s,
  queries drawn from the public articles' titles and symptoms (English and Russian), with
  some typos and some queries that find nothing. They repeat, as popular questions do, so
  most meet the server's cache of query vectors; ``--fresh`` makes every search text
  distinct (a query plus one or two other words of the knowledge base), so each costs the
  sentence model's encoding;
* ``conversation``: turns at ``--turn-rate`` turns/s for ``--duration`` s. A turn is one
  ``POST /api/v1/conversations`` or ``POST .../messages``: the customer describes the
  problem (an article's symptom), opens the first article, walks its steps and says
  "solved"; every fourth one asks for help instead and then leaves.

The load starts once the server's ``/healthz`` says the meaning vectors are ready (a
cold index answers by words first and adds them in the background), so the figures are
those of the full ranking and not of the build.

Open loop: request *i* is due at ``start + i / rate`` whether or not earlier ones have
finished, and its latency is measured from that due time, so a slow server shows up as
latency instead of quietly lowering the rate. Then the server is stopped; everything
lives in a temporary directory that is removed. Nothing leaves 127.0.0.1.

With keep-alive (the default) each of the 32 client connections stays with the worker
process that accepted it, and the kernel does not share them out evenly between workers;
``--no-keepalive`` opens a connection per request, so every request is balanced (as
behind a proxy that spreads requests). The load generator shares the machine's cores
with the server: treat the numbers as a lower bound, and run it on an otherwise idle box.

Usage::

    python bench/api_bench.py                      # 1 and 2 workers, human-readable
    python bench/api_bench.py --json               # [{"search": {"rps", "p50_ms", ...}, ...}]
    python bench/api_bench.py --workers 2 --json   # one object for 2 workers

Targets (2-core machine): search p99 <= 50 ms at 200 req/s; conversation turn
p99 <= 100 ms at 100 turns/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfservice.content.loader import load_content

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"search": 50.0, "conversation": 100.0}
POOL_THREADS = 32
#: How long the server may take to answer with its meaning vectors (kb/ from scratch).
VECTORS_WAIT_S = 900
#: How a search answer ranked by meaning says so (the API's compact JSON).
MEANING_ON = b'"meaning":true'


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(home: Path, kb: Path, workers: int) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "SELFSERVICE_KB_DIR": str(kb),
        "SELFSERVICE_INDEX_DIR": str(home / "index"),
        "SELFSERVICE_DATABASE_URL": f"sqlite:///{home / 'bench.db'}",
        "SELFSERVICE_SITE_DIR": str(home / "site"),
        # The load comes from one address: lift the per-IP public limit for the run.
        "SELFSERVICE_RATE_LIMIT_PER_MINUTE": "100000000",
        "SELFSERVICE_RATE_LIMIT_BURST": "1000000",
    }
    log = home / f"serve-{workers}.log"
    command = [
        sys.executable,
        "-m",
        "selfservice.cli",
        "serve",
        "--demo",
        "--no-build-site",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=home, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, process, log)
    deadline = time.monotonic() + VECTORS_WAIT_S
    said = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            health = json.loads(response.read() or b"{}")
            connection.close()
            meaning = health.get("search_meaning", "off")
            if response.status == 200 and meaning != "building":
                return server
            if meaning != said:
                print(f"workers={workers}: waiting for the meaning vectors", file=sys.stderr)
                said = meaning
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"serve was not ready within {VECTORS_WAIT_S} s:\n{log.read_text()}")


# --- HTTP client: one keep-alive connection per pool thread -----------------------------------


class Client:
    def __init__(self, port: int, keepalive: bool = True) -> None:
        self.port = port
        self.keepalive = keepalive
        self.local = threading.local()

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, parse: bool = True
    ) -> tuple[int, Any]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.local.connection = connection
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self.local.connection = None
            raise
        if not self.keepalive:
            connection.close()
            self.local.connection = None
        if not parse:
            return response.status, data
        return response.status, json.loads(data) if data else None


# --- workloads ----------------------------------------------------------------------------------


@dataclass
class Workload:
    queries: list[tuple[str, str]]
    symptoms: list[tuple[str, str]]
    words: dict[str, list[str]] = field(default_factory=dict)  # language -> kb words
    seen: set[str] = field(default_factory=set)

    def fresh(self, rng: random.Random) -> tuple[str, str]:
        """A query never sent before: one of the workload's plus other words of its
        language (bounded: the vocabulary is far larger than a run's searches)."""
        text, lang = self.queries[rng.randrange(len(self.queries))]
        vocabulary = self.words[lang]
        for _ in range(100):
            text = f"{text} {vocabulary[rng.randrange(len(vocabulary))]}"
            if text not in self.seen:
                break
        self.seen.add(text)
        return text, lang


def workload(kb: Path, rng: random.Random) -> Workload:
    content = load_content(kb)
    queries: list[tuple[str, str]] = []
    symptoms: list[tuple[str, str]] = []
    for article in content.public_articles():
        lang = article.lang.value
        queries.append((article.title, lang))
        for symptom in article.symptoms:
            queries.append((symptom, lang))
            if article.steps:
                symptoms.append((symptom, lang))
    typos = []
    for text, lang in rng.sample(queries, min(20, len(queries))):
        words = text.split()
        word = words[0]
        if len(word) > 3:
            i = rng.randrange(len(word) - 1)
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        typos.append((" ".join([word, *words[1:]]), lang))
    nothing = [("quantum flux capacitor", "en"), ("розовый слон в серверной", "ru")] * 5
    words: dict[str, set[str]] = {"en": set(), "ru": set()}
    for text, lang in queries:
        words[lang].update(w.strip("?.,:;!()«»\"").lower() for w in text.split())
    vocabulary = {lang: sorted(w for w in ws if len(w) > 3) for lang, ws in words.items()}
    return Workload(queries + typos + nothing, symptoms, vocabulary)


class Conversations:
    """Conversations in flight; each scheduled turn takes one that is not busy."""

    def __init__(self, client: Client, symptoms: list[tuple[str, str]], seed: int) -> None:
        self.client = client
        self.symptoms = symptoms
        self.rng = random.Random(seed)
        self.ready: deque[dict[str, Any]] = deque()
        self.lock = threading.Lock()
        self.started = 0

    def turn(self) -> int:
        with self.lock:
            convo = self.ready.popleft() if self.ready else None
            if convo is None:
                self.started += 1
                text, lang = self.symptoms[self.rng.randrange(len(self.symptoms))]
                convo = {
                    "id": None,
                    "next": "start",
                    "text": text,
                    "lang": lang,
                    "helpless": self.started % 4 == 0,
                    "steps": 0,
                }
        status, answer = self._step(convo)
        if convo["next"] != "done":
            with self.lock:
                self.ready.append(convo)
        return status

    def _step(self, convo: dict[str, Any]) -> tuple[int, Any]:
        if convo["next"] == "start":
            status, answer = self.client.call(
                "POST", "/api/v1/conversations", {"lang": convo["lang"]}
            )
            convo["id"], convo["next"] = answer["id"], "text"
            return status, answer
        path = f"/api/v1/conversations/{convo['id']}/messages"
        body: dict[str, Any]
        if convo["next"] == "text":
            body = {"text": convo["text"]}
        elif convo["next"] == "open":
            body = {"action": "open_article", "article": convo["article"]}
        elif convo["next"] == "help":
            body = {"action": "need_help"}
        elif convo["next"] == "step":
            body = {"action": "next_step"}
        else:
            body = {"action": convo["next"]}  # solved / abandon
        status, answer = self.client.call("POST", path, body)
        self._advance(convo, answer)
        return status, answer

    def _advance(self, convo: dict[str, Any], answer: Any) -> None:
        current = convo["next"]
        if current in ("solved", "abandon") or not isinstance(answer, dict):
            convo["next"] = "done"
            return
        messages = answer.get("messages", [])
        if current == "text":
            cards = [m for m in messages if m.get("type") == "articles"]
            if cards and cards[0]["items"]:
                convo["article"] = cards[0]["items"][0]["id"]
                convo["next"] = "help" if convo["helpless"] else "open"
            else:
                convo["next"] = "abandon"
        elif current == "help":
            convo["next"] = "abandon"
        elif current in ("open", "step"):
            step = next((m for m in messages if m.get("type") == "step"), None)
            more = step is not None and step["index"] < step["total"] and convo["steps"] < 2
            convo["steps"] += 1
            convo["next"] = "step" if more else "solved"


# --- the open-loop runner -------------------------------------------------------------------


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0

    def summary(self) -> dict[str, float | int]:
        ordered = sorted(self.latencies_ms)
        done = len(ordered)

        def pct(p: float) -> float:
            if not ordered:
                return float("nan")
            return round(ordered[min(done - 1, int(p * done))], 2)

        return {
            "rps": round(done / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered), 2) if ordered else float("nan"),
            "requests": done,
            "errors": self.errors,
        }


def open_loop(task: Callable[[], int], rate: float, duration: float) -> Result:
    """Run ``task`` at ``rate`` per second for ``duration`` seconds; latency from due time."""
    result = Result()
    lock = threading.Lock()
    total = int(rate * duration)

    def run(due: float) -> None:
        try:
            ok = 200 <= task() < 300
        except Exception:  # a refused connection or a bad answer counts as an error
            ok = False
        latency = (time.perf_counter() - due) * 1000
        with lock:
            result.latencies_ms.append(latency)
            if not ok:
                result.errors += 1

    with ThreadPoolExecutor(max_workers=POOL_THREADS) as pool:
        start = time.perf_counter()
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(run, due)
    result.elapsed_s = time.perf_counter() - start
    return result


def bench(workers: int, args: argparse.Namespace, home: Path) -> dict[str, Any]:
    rng = random.Random(args.seed)
    load = workload(args.kb, rng)
    server = start_server(home, args.kb, workers)
    try:
        client = Client(server.port, keepalive=args.keepalive)

        lock = threading.Lock()
        by_meaning = [0]

        def search() -> int:
            with lock:  # the pool's threads share one generator and one set of sent texts
                if args.fresh:
                    text, lang = load.fresh(rng)
                else:
                    text, lang = load.queries[rng.randrange(len(load.queries))]
            query = urllib.parse.urlencode({"q": text, "lang": lang})
            status, raw = client.call("GET", f"/api/v1/search?{query}", parse=False)
            if raw is not None and MEANING_ON in raw:  # cheaper than parsing the answer
                with lock:
                    by_meaning[0] += 1
            return status

        conversations = Conversations(client, load.symptoms, args.seed)
        # Warm up every worker process (index readers, connection pools), not measured.
        open_loop(search, rate=100, duration=1.0)
        open_loop(conversations.turn, rate=50, duration=1.0)
        by_meaning[0] = 0
        searched = open_loop(search, rate=args.search_rate, duration=args.duration)
        meaning_share = by_meaning[0] / max(1, len(searched.latencies_ms))
        talked = open_loop(conversations.turn, rate=args.turn_rate, duration=args.duration)
    finally:
        server.stop()
    return {
        "search": {**searched.summary(), "meaning_share": round(meaning_share, 3)},
        "conversation": talked.summary(),
        "workers": workers,
        "fresh": args.fresh,
        "target_rates": {"search": args.search_rate, "conversation": args.turn_rate},
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"workers={result['workers']}"]
    for name in ("search", "conversation"):
        s = result[name]
        target = TARGETS[name]
        verdict = "ok" if s["p99_ms"] <= target and s["errors"] == 0 else "MISSED"
        lines.append(
            f"  {name:<12} {s['rps']:>7.1f}/s  p50 {s['p50_ms']:>7.2f} ms  "
            f"p99 {s['p99_ms']:>7.2f} ms  errors {s['errors']}  "
            + (f"by meaning {s['meaning_share']:.0%}  " if "meaning_share" in s else "")
            + f"(target p99 <= {target:.0f} ms at {result['target_rates'][name]}/s: {verdict})"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers",
        type=int,
        action="append",
        help="uvicorn worker processes (repeatable; default: 1 and 2)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per phase")
    parser.add_argument("--search-rate", type=float, default=200.0, help="searches per second")
    parser.add_argument(
        "--turn-rate", type=float, default=100.0, help="conversation turns per second"
    )
    parser.add_argument("--kb", type=Path, default=ROOT / "kb", help="knowledge base folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-keepalive",
        dest="keepalive",
        action="store_false",
        help="a new connection per request (spreads load over workers evenly)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="every search text distinct, so none is answered from the query-vector cache",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    counts = args.workers or [1, 2]
    home = Path(tempfile.mkdtemp(prefix="api-bench-"))
    try:
        kb = home / "kb"
        shutil.copytree(args.kb, kb)
        args.kb = kb
        results = [bench(n, args, home) for n in counts]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=2))
    else:
        print("\n".join(report(r) for r in results))


if __name__ == "__main__":
    main()
