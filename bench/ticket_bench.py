"""Ticket registration benchmark: registrations per second, on SQLite and PostgreSQL.

Each registration is the full product use case (``register_free_text``): contact lookup,
priority, SLA clocks, the ticket number, the ticket row, its first history row and the
contact's e-mail in the outbox, in one transaction. ``--threads`` writers register as
fast as they can for ``--seconds``; afterwards the database is checked for duplicate
numbers and for one history row and one outbox row per ticket.

* SQLite: a fresh file in a temporary directory.
* PostgreSQL: a fresh schema (``bench_<random>``, dropped afterwards) on the server at
  ``SELFSERVICE_BENCH_PG_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
  so the benchmark never touches the tests' or anyone's tables.

Usage::

    python bench/ticket_bench.py                      # both databases, human-readable
    python bench/ticket_bench.py --json               # {"sqlite": {...}, "postgres": {...}}
    python bench/ticket_bench.py --only sqlite --threads 8 --seconds 5

Target on a 2-core machine: >= 300 registrations/s on each database, 0 duplicates.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from selfservice.config.support_config import load_support_config
from selfservice.content.model import Service, Text
from selfservice.db.engine import make_engine
from selfservice.db.migrate import upgrade_engine
from selfservice.db.models import OutboxMessage, Ticket, TicketHistory
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, Language, Line, TicketType
from selfservice.services import admin
from selfservice.services.registration import register_free_text

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SERVICE = Service(id="compute", name=Text("Virtual machines", "Виртуальные машины"),
                  group="service-desk", line=Line.L1)
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


@dataclass
class Result:
    registrations: int
    seconds: float
    registrations_per_s: float
    duplicates: int
    history_rows: int
    outbox_rows: int
    errors: int
    #: This process's CPU time per registration (the PostgreSQL server's is not included):
    #: a figure that other load on the machine disturbs less than the rate.
    cpu_ms_per_registration: float


def prepare(engine: Engine, config: SupportConfig) -> int:
    upgrade_engine(engine)
    admin.sync_support_groups(engine, config=config)
    admin.add_organisation(engine, id="bench", name="Bench", contract_number="B-1",
                           time_zone="Europe/Moscow", now=NOW)
    contact = admin.add_contact(engine, org_id="bench", email="bench@example.com",
                                name="Bench", language=Language.RU, now=NOW)
    return contact.id or 0


def run(engine: Engine, *, threads: int, seconds: float, warmup: int = 20) -> Result:
    config = load_support_config()
    contact_id = prepare(engine, config)

    def register(kind: TicketType) -> None:
        register_free_text(engine, config=config, contact_id=contact_id, ticket_type=kind,
                           service=SERVICE, subject="bench", description="load test",
                           channel=Channel.EMAIL, now=NOW)

    for _ in range(warmup):  # fill the connection pool and the statement caches
        register(TicketType.INCIDENT)
    counts = [0] * threads
    errors: list[BaseException] = []
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def writer(index: int) -> None:
        kind = TicketType.INCIDENT if index % 2 else TicketType.REQUEST
        start.wait()
        try:
            while time.perf_counter() < stop_at[0]:
                register(kind)
                counts[index] += 1
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    began, cpu_began = time.perf_counter(), time.process_time()
    stop_at[0] = began + seconds
    start.wait()
    for worker in workers:
        worker.join()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    if errors:
        print(f"{len(errors)} writer(s) failed: {errors[0]!r}", file=sys.stderr)
    total = sum(counts)
    with engine.connect() as conn:
        tickets = conn.execute(select(func.count()).select_from(Ticket)).scalar_one()
        distinct = conn.execute(select(func.count(func.distinct(Ticket.number)))).scalar_one()
        history = conn.execute(select(func.count()).select_from(TicketHistory)).scalar_one()
        outbox = conn.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    assert tickets == total + warmup, (tickets, total, warmup)
    return Result(
        registrations=total, seconds=round(elapsed, 3),
        registrations_per_s=round(total / elapsed, 1), duplicates=tickets - distinct,
        history_rows=history - warmup, outbox_rows=outbox - warmup, errors=len(errors),
        cpu_ms_per_registration=round(cpu * 1000 / max(total, 1), 2),
    )


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="ticket-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(threads: int) -> Iterator[Engine]:
    base = os.environ.get("SELFSERVICE_BENCH_PG_URL", DEFAULT_PG_URL)
    libpq = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False), pool_size=threads + 2)
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(libpq, autocommit=True) as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE').text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=4, help="concurrent writers (4)")
    parser.add_argument("--seconds", type=float, default=4.0, help="per database (4)")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="one database only")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    for name in ("sqlite", "postgres"):
        if args.only and name != args.only:
            continue
        backend = sqlite_engine() if name == "sqlite" else postgres_engine(args.threads)
        with backend as engine:
            result = run(engine, threads=args.threads, seconds=args.seconds)
        results[name] = asdict(result)
        if not args.json:
            print(f"{name:8s} {result.registrations_per_s:8.1f} registrations/s "
                  f"({result.registrations} in {result.seconds} s, {args.threads} threads), "
                  f"duplicates {result.duplicates}, history {result.history_rows}, "
                  f"outbox {result.outbox_rows}, errors {result.errors}, "
                  f"{result.cpu_ms_per_registration} ms CPU each")
    if args.json:
        print(json.dumps(results, indent=2))
    failed = any(r["duplicates"] or r["errors"] for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
