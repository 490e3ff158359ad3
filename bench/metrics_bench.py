"""Managers' metrics and the console's reads on 50,000 seeded tickets, SQLite and PostgreSQL.

Seeds ``--tickets`` tickets over ``--days`` days (``services/bench_seed.py``, the code
behind ``selfservice demo seed``, about 1.3 widget conversations per ticket) into

* SQLite: a fresh file in a temporary directory;
* PostgreSQL (only when ``SELFSERVICE_TEST_PG_URL`` is set): a fresh schema
  (``bench_<random>``, dropped afterwards), so no one's tables are touched;

then times, ``--runs`` times each, every dashboard view over the whole period
(``services/metric_tables.py``), the queue read (open tickets of one line, the most urgent
resolution deadline first, first 50: ``services.queries.queue``) and the single-ticket read
with its comments and history (``services.queries.ticket_details``), and prints p50 / p99
in milliseconds. Target: the queue and ticket reads ≤ 150 ms p99 on each database.

Usage::

    python bench/metrics_bench.py                     # 50,000 tickets, 90 days, 30 runs
    python bench/metrics_bench.py --tickets 5000 --runs 10 --json
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlmodel import col

from selfservice.config.support_config import load_support_config
from selfservice.db.engine import make_engine
from selfservice.db.migrate import upgrade_engine
from selfservice.db.models import Engineer, Role, Ticket
from selfservice.domain.enums import Line, Status
from selfservice.services import bench_seed, metric_tables, queries
from selfservice.services.common import Actor
from selfservice.services.metric_tables import Ask
from selfservice.services.metrics_sql import Period

TARGET_MS = 150.0


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(work: Callable[[], Any], runs: int) -> dict[str, float]:
    work()  # warm the caches once, as a page served all day would be
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(samples), 2),
            "p99_ms": round(percentile(samples, 0.99), 2)}


def measure(engine: Engine, *, tickets: int, days: int, runs: int) -> dict[str, Any]:
    upgrade_engine(engine)
    config = load_support_config()
    now = datetime.now(UTC)
    started = time.perf_counter()
    articles = [f"article-{n:03d}-en" for n in range(120)]
    report = bench_seed.seed(engine, config=config, tickets=tickets, days=days, now=now,
                             articles=articles)
    seeded_s = time.perf_counter() - started
    services = {a: ("identity", "compute", "network")[n % 3] for n, a in enumerate(articles)}
    ask = Ask(Period(now - timedelta(days=days + 1), now), now, services=services)
    results: dict[str, Any] = {"seed_s": round(seeded_s, 1), "tickets": report.tickets,
                               "conversations": report.conversations}
    for name in metric_tables.VIEWS:
        results[f"metrics/{name}"] = timed(
            lambda name=name: metric_tables.view(engine, name=name, ask=ask), runs)
    with engine.connect() as conn:
        engineer = conn.execute(select(col(Engineer.id)).where(
            col(Engineer.role) == Role.L1).limit(1)).scalar_one()
        numbers = list(conn.execute(
            select(col(Ticket.number)).where(col(Ticket.line) == Line.L1,
                                             col(Ticket.status) == Status.IN_PROGRESS)
            .limit(runs + 1)).scalars())
    open_l1 = len(queries.queue(engine, line=Line.L1, limit=100_000))
    results["queue L1 (open, by SLA due, first 50)"] = timed(
        lambda: queries.queue(engine, line=Line.L1, limit=50), runs)
    results["queue L1 open tickets"] = open_l1
    actor = Actor.engineer(int(engineer))
    pick = iter(numbers * 2)
    results["ticket page read"] = timed(
        lambda: queries.ticket_details(engine, number=next(pick), actor=actor), runs)
    return results


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(make_url(url).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    found: dict[str, Any] = {}
    databases: list[tuple[str, Any]] = []
    if args.only in (None, "sqlite"):
        databases.append(("sqlite", sqlite_engine))
    pg_url = os.environ.get("SELFSERVICE_TEST_PG_URL")
    if args.only in (None, "postgres") and pg_url:
        databases.append(("postgres", lambda: postgres_engine(pg_url)))
    for name, opener in databases:
        with opener() as engine:
            found[name] = measure(engine, tickets=args.tickets, days=args.days, runs=args.runs)
        if not args.json:
            print(f"== {name}")
            for key, value in found[name].items():
                shown = (f"p50 {value['p50_ms']:.1f} ms / p99 {value['p99_ms']:.1f} ms"
                         if isinstance(value, dict) else value)
                print(f"  {key:42} {shown}")
    if args.json:
        print(json.dumps(found, indent=2))
    slow = [f"{db}: {key}" for db, rows in found.items() for key, value in rows.items()
            if key.startswith(("queue", "ticket")) and isinstance(value, dict)
            and value["p99_ms"] > TARGET_MS]
    for line in slow:
        print(f"over {TARGET_MS:.0f} ms p99: {line}", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
