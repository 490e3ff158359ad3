"""Memory benchmark: the server's RSS under a stream of unique searches must level off.

Starts ``selfservice serve --demo`` (one worker) on a free 127.0.0.1 port with a temporary
SQLite database and a search index built from ``kb/``, then sends ``--requests`` unique
queries (default 50,000) from a few keep-alive connections: three in four through
``GET /api/v1/search``, one in four through ``GET /api/v1/suggest`` (a prefix). Queries
are one to four words of the knowledge base's own English and Russian vocabulary, most
with a typo (a letter dropped, doubled, swapped or replaced) and some with a made-up
word, so nearly every query brings words the server has never seen: every cache keyed by
a word or a query grows unless it is bounded.

The server's RSS (the process and its children, from /proc) is printed after the warm-up
and every ``--every`` requests. Pass: after the first 10,000 requests RSS stays within
±10 % of its value at 10,000. Everything lives in a temporary directory that is removed;
nothing leaves 127.0.0.1.

Usage::

    SELFSERVICE_SEARCH_MEANING=off python bench/memory_bench.py
    python bench/memory_bench.py --requests 20000 --every 5000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Run as a script, so bench/ is on the path: the server and client helpers are shared.
from api_bench import Client, Server, start_server

from selfservice.content.loader import load_content

ROOT = Path(__file__).resolve().parents[1]
THREADS = 4
TOLERANCE = 0.10
SETTLE = 10_000
_WORD = re.compile(r"[A-Za-zА-Яа-яЁё]{3,}")
_LETTERS = {"en": "abcdefghijklmnopqrstuvwxyz", "ru": "абвгдежзийклмнопрстуфхцчшщыьэюя"}


def vocabulary(kb: Path) -> dict[str, list[str]]:
    words: dict[str, set[str]] = {"en": set(), "ru": set()}
    for article in load_content(kb).public_articles():
        text = " ".join([article.title, *article.symptoms, article.body])
        words[article.lang.value].update(w.lower() for w in _WORD.findall(text))
    return {lang: sorted(found) for lang, found in words.items()}


def typo(word: str, lang: str, rng: random.Random) -> str:
    letters, i = _LETTERS[lang], rng.randrange(len(word))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(letters) + word[i + 1 :]


def made_up(lang: str, rng: random.Random) -> str:
    return "".join(rng.choice(_LETTERS[lang]) for _ in range(rng.randint(5, 10)))


def unique_queries(vocab: dict[str, list[str]], count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` distinct ``(query, lang)``, half English and half Russian."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < count:
        lang = "en" if len(out) % 2 else "ru"
        words = [rng.choice(vocab[lang]) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.8:
            j = rng.randrange(len(words))
            words[j] = typo(words[j], lang, rng)
        if rng.random() < 0.2:
            words.append(made_up(lang, rng))
        query = " ".join(words)
        if query not in seen:
            seen.add(query)
            out.append((query, lang))
    return out


def rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its descendants (uvicorn may fork workers), in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(match.group(1)) if match else 0
    return total / 1024


def send(client: Client, index: int, query: str, lang: str) -> int:
    if index % 4 == 3:
        prefix = query[: max(3, len(query) * 2 // 3)]
        path = "/api/v1/suggest?" + urllib.parse.urlencode({"q": prefix, "lang": lang})
    else:
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": query, "lang": lang})
    status, _ = client.call("GET", path, parse=False)
    return status


def run(requests: int, every: int, seed: int, quiet: bool) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="selfservice-membench-"))
    server: Server | None = None
    try:
        vocab = vocabulary(ROOT / "kb")
        queries = unique_queries(vocab, requests + 200, seed)
        server = start_server(home, ROOT / "kb", workers=1)
        client = Client(server.port)
        for i, (query, lang) in enumerate(queries[requests:]):  # warm-up: models, dictionaries
            send(client, i, query, lang)
        points = [{"requests": 0, "rss_mb": round(rss_mb(server.process.pid), 1)}]
        if not quiet:
            print(f"{0:>7} requests  RSS {points[0]['rss_mb']:7.1f} MB", flush=True)
        errors, lock = 0, threading.Lock()
        started = time.monotonic()

        def one(i: int) -> None:
            nonlocal errors
            status = send(client, i, *queries[i])
            if status != 200:
                with lock:
                    errors += 1

        with ThreadPoolExecutor(THREADS) as pool:
            for done in range(0, requests, every):
                list(pool.map(one, range(done, min(done + every, requests))))
                point = {
                    "requests": min(done + every, requests),
                    "rss_mb": round(rss_mb(server.process.pid), 1),
                }
                points.append(point)
                if not quiet:
                    print(f"{point['requests']:>7} requests  RSS {point['rss_mb']:7.1f} MB  "
                          f"({time.monotonic() - started:.0f} s, {errors} errors)", flush=True)
        settle = min(SETTLE, requests // 5)  # a shorter run settles after a fifth
        later = [p["rss_mb"] for p in points if p["requests"] >= settle]
        base = later[0]
        drift = max(abs(r - base) / base for r in later) if later else 0.0
        return {
            "requests": requests,
            "errors": errors,
            "seconds": round(time.monotonic() - started, 1),
            "rss": points,
            "drift_after_settle": round(drift, 3),
            "flat": drift <= TOLERANCE and errors == 0,
        }
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--every", type=int, default=10_000, help="print RSS this often")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    result = run(args.requests, args.every, args.seed, quiet=args.json)
    if args.json:
        print(json.dumps(result))
    else:
        verdict = "flat" if result["flat"] else "NOT flat"
        settle = min(SETTLE, args.requests // 5)
        print(f"{verdict}: RSS drift after the first {settle:,} requests "
              f"{result['drift_after_settle']:.1%} (target ±{TOLERANCE:.0%}), "
              f"{result['errors']} errors")
    sys.exit(0 if result["flat"] else 1)


if __name__ == "__main__":
    main()
