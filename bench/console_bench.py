"""The staff console's pages on 50,000 seeded tickets, SQLite and PostgreSQL.

Seeds ``--tickets`` tickets (``selfservice demo seed``'s code) into a fresh SQLite file
and, when ``SELFSERVICE_TEST_PG_URL`` is set, a fresh PostgreSQL schema (dropped
afterwards); signs an L1 engineer in through the real form; then requests, ``--runs``
times each, the whole app's pages as a browser would (the ASGI app in this process, the
session cookie, templates rendered): the L1 queue, the same queue's 15-second refresh
(rows only), and the ticket pages of open L1 tickets. Prints p50 / p99 in milliseconds
against the target of 150 ms p99.

Usage::

    python bench/console_bench.py                     # 50,000 tickets, 90 days, 200 runs
    python bench/console_bench.py --tickets 5000 --runs 10 --json
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from metrics_bench import percentile, postgres_engine, sqlite_engine
from sqlalchemy import Engine, select
from sqlmodel import col
from starlette.testclient import TestClient

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.console import console_routes
from selfservice.content.loader import load_content
from selfservice.db.migrate import upgrade_engine
from selfservice.db.models import Engineer, Role, Ticket
from selfservice.domain.enums import Line, Status
from selfservice.search import SearchIndex
from selfservice.services import bench_seed, staff_auth
from selfservice.web.app import create_app, utc_now
from selfservice.web.backend import make_backend
from selfservice.web.ratelimit import NoRateLimit

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 150.0
PASSWORD = "bench password 1"


def timed(client: TestClient, paths: Callable[[], str], runs: int) -> dict[str, float]:
    client.get(paths())  # warm up, as a page served all day would be
    samples = []
    for _ in range(runs):
        path = paths()
        started = time.perf_counter()
        answer = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return {"p50_ms": round(percentile(samples, 0.5), 1),
            "p99_ms": round(percentile(samples, 0.99), 1)}


def measure(engine: Engine, index: SearchIndex, *, tickets: int, days: int,
            runs: int) -> dict[str, Any]:
    upgrade_engine(engine)
    config = load_support_config()
    content = load_content(ROOT / "kb")
    started = time.perf_counter()
    bench_seed.seed(engine, config=config, tickets=tickets, days=days, now=datetime.now(UTC),
                    articles=sorted(content.articles))
    seeded_s = time.perf_counter() - started
    with engine.connect() as conn:
        email = conn.execute(select(col(Engineer.email)).where(
            col(Engineer.role) == Role.L1).limit(1)).scalar_one()
        numbers = list(conn.execute(select(col(Ticket.number)).where(
            col(Ticket.line) == Line.L1, col(Ticket.status) == Status.IN_PROGRESS)
            .limit(runs + 1)).scalars())
    staff_auth.set_password(engine, email=email, password=PASSWORD)
    backend = make_backend(engine, content=content, config=config, clock=utc_now)
    app = create_app(settings=Settings(), content=content, search_index=index, store=backend,
                     directory=backend.directory, origins_for=backend.directory.origins_for(),
                     rate_limiter=NoRateLimit())
    app.router.routes.extend(console_routes())
    results: dict[str, Any] = {"seed_s": round(seeded_s, 1), "tickets": tickets}
    with TestClient(app) as client:
        form = client.get("/console/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf is not None
        signed = client.post("/console/login", data={
            "csrf": csrf.group(1), "email": email, "password": PASSWORD,
            "next": "/console/queue"})
        assert signed.url.path == "/console/queue", signed.status_code
        results["queue page (L1)"] = timed(client, lambda: "/console/queue?line=L1", runs)
        results["queue refresh (rows only)"] = timed(
            client, lambda: "/console/queue?line=L1&rows=1", runs)
        pick = iter(numbers * (runs + 2))
        results["ticket page"] = timed(client, lambda: f"/console/tickets/{next(pick)}", runs)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    databases: list[tuple[str, Any]] = []
    if args.only in (None, "sqlite"):
        databases.append(("sqlite", sqlite_engine))
    pg_url = os.environ.get("SELFSERVICE_TEST_PG_URL")
    if args.only in (None, "postgres") and pg_url:
        databases.append(("postgres", lambda: postgres_engine(pg_url)))
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        # words only: the console does not search, and the bench should not wait for vectors
        index = SearchIndex.open_or_build(Path(folder) / "index", load_content(ROOT / "kb"),
                                          semantic=False)
        try:
            for name, opener in databases:
                with opener() as engine:
                    found[name] = measure(engine, index, tickets=args.tickets,
                                          days=args.days, runs=args.runs)
                if not args.json:
                    print(f"== {name}")
                    for key, value in found[name].items():
                        print(f"  {key}: {value}")
        finally:
            index.close()
    if args.json:
        print(json.dumps(found, indent=2))
    worst = max((v["p99_ms"] for db in found.values() for v in db.values()
                 if isinstance(v, dict)), default=0.0)
    print(f"worst p99 {worst} ms (target ≤ {TARGET_MS:.0f} ms): "
          f"{'met' if worst <= TARGET_MS else 'NOT met'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
