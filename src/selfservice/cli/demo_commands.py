"""``selfservice demo seed``: a benchmark or demo database with a desk's worth of tickets."""

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from selfservice.config.settings import load_settings
from selfservice.config.support_config import SupportConfigError, load_support_config
from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.domain.errors import DomainError
from selfservice.services import bench_seed


@click.group()
def demo() -> None:
    """Demo and benchmark data."""


@demo.command("seed")
@click.option("--tickets", type=click.IntRange(1, 2_000_000), default=50_000, show_default=True,
              help="How many tickets to add.")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True,
              help="Spread their creation over this many days up to now.")
@click.option("--seed", "rng_seed", type=int, default=17, show_default=True,
              help="Random seed: the same seed gives the same data.")
@click.option("--kb-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Knowledge base whose articles the conversations show [default: "
                   "SELFSERVICE_KB_DIR].")
@click.option("--force", is_flag=True,
              help="Seed even though the database holds real (not seeded) tickets.")
def seed(tickets: int, days: int, rng_seed: int, kb_dir: Path | None, force: bool) -> None:
    """Fill SELFSERVICE_DATABASE_URL with made-up tickets and widget conversations.

    Tickets from portal, e-mail, phone, monitoring and the widget over the last --days
    days (busy weekdays, a daytime peak), with priorities from the matrix, SLA deadlines
    mostly met, escalations L1 -> L2 -> L3, statuses by age, their history, and about 1.3
    widget conversations per ticket: the manager metrics and the console work on them.
    They belong to the organisations seed-01 ... seed-12 and engineers
    seed-*@seed.example, created on the first run. Bulk inserts: 50,000 tickets take
    about 20 s on SQLite, 30 s on PostgreSQL.

    Refuses a database that holds tickets of any other organisation (a real desk's)
    unless --force is given.
    """
    settings = load_settings()
    try:
        config = load_support_config(settings.config_file)
    except SupportConfigError as error:
        raise click.ClickException(f"support configuration:\n{error}") from None
    articles, services = _kb(kb_dir or settings.kb_dir)
    engine = make_engine(settings.database_url)
    started = time.perf_counter()

    def progress(what: str, done: int, total: int) -> None:
        click.echo(f"\r{what}: {done:,}/{total:,}", nl=done >= total, err=True)
        sys.stderr.flush()

    try:
        migrate.upgrade_engine(engine)
        report = bench_seed.seed(
            engine, config=config, tickets=tickets, days=days, now=datetime.now(UTC),
            articles=articles, services=services, rng_seed=rng_seed, force=force,
            progress=progress,
        )
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
    click.echo(f"seeded {report.tickets:,} tickets ({report.history:,} history rows), "
               f"{report.conversations:,} conversations ({report.events:,} events) "
               f"in {time.perf_counter() - started:.1f} s")


def _kb(kb_dir: Path) -> tuple[list[str], list[str]]:
    """The kb's public article ids (most useful first: as listed) and service ids; none
    when the kb cannot be read (the seed then uses built-in service names)."""
    from selfservice.content.loader import load_content

    try:
        content = load_content(kb_dir)
    except Exception:  # a missing or broken kb only means no article names
        return [], []
    articles = [a.id for a in content.articles.values() if a.is_public]
    return articles, list(content.services)
