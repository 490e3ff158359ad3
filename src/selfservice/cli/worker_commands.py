"""``selfservice worker``: deliver e-mail from the outbox and run the periodic jobs."""

import logging
import signal
import threading
from datetime import timedelta
from types import FrameType

import click

from selfservice.config.settings import load_settings
from selfservice.config.support_config import SupportConfigError, load_support_config
from selfservice.db.engine import make_engine
from selfservice.delivery.notify import SmtpMailer
from selfservice.run.worker import Worker, WorkerOptions
from selfservice.services.admin import sync_support_groups


@click.command("worker")
@click.option("--once", is_flag=True,
              help="Do one pass (all due mail, due jobs) and exit; for cron and tests.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds to sleep between passes.")
@click.option("--jobs-every", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds between runs of each periodic job (across all workers).")
@click.option("-v", "--verbose", is_flag=True, help="Log every pass, not only problems.")
def worker(once: bool, interval: float, jobs_every: float, verbose: bool) -> None:
    """Deliver the e-mail outbox and run the periodic jobs, until stopped.

    Every pass sends all due messages from the outbox over SMTP (SELFSERVICE_SMTP_HOST,
    _PORT, _SECURITY none|starttls|tls, _USER, _PASSWORD; sender SELFSERVICE_MAIL_FROM),
    then runs the jobs whose time has come: auto-close (Completed tickets without a
    reaction for 3 days) and the SLA sweep (tell the support manager about near-breach and
    breach, once each).

    \b
    Delivery: a failed send is retried with exponential backoff (30 s, 1 min, 2 min, …,
    at most 2 h apart; after 12 attempts, or a permanent 5xx refusal, the message is
    marked failed and kept). A message is marked sent only after the SMTP server accepted
    it; if the worker dies in between, it is sent again later with the same Message-ID.

    \b
    Start as many workers as you like against PostgreSQL: each message and each job run is
    taken by one worker only. With SQLite, run one.

    \b
    Examples:
      selfservice worker                 # run until Ctrl-C / SIGTERM
      selfservice worker --once          # one pass, e.g. from cron
      selfservice worker --interval 5 -v
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    try:
        config = load_support_config(settings.config_file)
    except SupportConfigError as error:
        raise click.ClickException(f"support configuration:\n{error}") from None
    engine = make_engine(settings.database_url)
    try:
        sync_support_groups(engine, config=config)
        options = WorkerOptions(interval=interval, jobs_every=timedelta(seconds=jobs_every))
        runner = Worker(engine=engine, mailer=SmtpMailer.from_settings(settings), config=config,
                        options=options)
        stop = threading.Event()
        if not once:
            _stop_on_signals(stop)
        runner.run(once=once, stop=stop)
    finally:
        engine.dispose()


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
