"""The background worker: delivers the outbox and runs the periodic jobs.

One pass = deliver every due outbox message (batch after batch), then each periodic job
whose period has elapsed and whose lease this worker wins (auto-close of Completed
tickets after 3 days, the SLA sweep, deleting the stored answers of idempotency keys
older than 24 hours). ``run`` repeats passes every ``interval`` seconds
until stopped; several workers may run against the same PostgreSQL database.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from selfservice.delivery.notify import Mailer
from selfservice.domain.config import SupportConfig
from selfservice.services import idempotency, jobs, outbox
from selfservice.services.sweeps import auto_close_due, sla_sweep

log = logging.getLogger("selfservice.worker")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class WorkerOptions:
    interval: float = 15.0
    jobs_every: timedelta = timedelta(minutes=1)
    max_batches_per_pass: int = 50
    delivery: outbox.DeliveryPolicy = field(default_factory=outbox.DeliveryPolicy)


@dataclass
class PassReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    auto_closed: int = 0
    sla_alerts: int = 0
    idempotency_purged: int = 0
    jobs_run: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Worker:
    engine: Engine
    mailer: Mailer
    config: SupportConfig
    options: WorkerOptions = field(default_factory=WorkerOptions)
    worker_id: str = field(default_factory=new_worker_id)
    clock: Clock = utcnow

    def run_pass(self) -> PassReport:
        report = PassReport()
        for _ in range(self.options.max_batches_per_pass):
            batch = outbox.deliver_due(self.engine, mailer=self.mailer, worker_id=self.worker_id,
                                       now=self.clock(), policy=self.options.delivery)
            report.sent += batch.sent
            report.retried += batch.retried
            report.failed += batch.failed
            if batch.total == 0:
                break
        for name, job in JOBS.items():
            self._run_job(name, job, report)
        if report.sent or report.retried or report.failed or report.jobs_run:
            log.info("pass: %s", report)
        return report

    def _run_job(self, name: str, job: "Job", report: PassReport) -> None:
        now = self.clock()
        if not jobs.try_acquire(self.engine, name=name, owner=self.worker_id, now=now,
                                every=self.options.jobs_every):
            return
        try:
            job(self, now, report)
            report.jobs_run.append(name)
        finally:
            jobs.release(self.engine, name=name, owner=self.worker_id, ran_at=now)

    def run(self, *, once: bool = False, stop: threading.Event | None = None) -> None:
        """Pass after pass, ``interval`` seconds apart, until ``stop`` is set."""
        stop = stop or threading.Event()
        log.info("worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                self.run_pass()
            except Exception:  # keep the worker alive; the next pass retries
                if once:
                    raise
                log.exception("worker pass failed")
            if once:
                break
            stop.wait(self.options.interval)
        log.info("worker %s stopped", self.worker_id)


Job = Callable[[Worker, datetime, PassReport], None]


def _auto_close(worker: Worker, now: datetime, report: PassReport) -> None:
    report.auto_closed += len(auto_close_due(worker.engine, now=now, config=worker.config))


def _sla_sweep(worker: Worker, now: datetime, report: PassReport) -> None:
    report.sla_alerts += len(sla_sweep(worker.engine, now=now, config=worker.config))


def _purge_idempotency(worker: Worker, now: datetime, report: PassReport) -> None:
    report.idempotency_purged += idempotency.purge_expired(worker.engine, now=now)


#: The periodic jobs, by lease name, in the order a pass runs them.
JOBS: dict[str, Job] = {
    "auto_close": _auto_close,
    "sla_sweep": _sla_sweep,
    "idempotency_purge": _purge_idempotency,
}
