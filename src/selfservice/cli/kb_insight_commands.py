"""``selfservice kb gaps | new | stats``: what customers could not find, and how articles do.

Read from the service's database (SELFSERVICE_DATABASE_URL): the search log and the
conversations. ``kb new --from-gap`` turns a gap into the skeleton of an article pair.
"""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import Engine

from selfservice.cli.kb_commands import kb_dir_option
from selfservice.config.settings import load_settings
from selfservice.content.loader import check_kb
from selfservice.content.skeleton import article_pair, slug_of
from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.services import kb_gaps, kb_stats


def parse_since(text: str) -> timedelta:
    try:
        return kb_gaps.parse_period(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None


def _since_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--since", "since", default="30d", show_default=True,
                        help="Period before now: 12h, 30d, 2w.")(func)


def _lang_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--lang", type=click.Choice(["en", "ru"]), default=None,
                        help="Only this language.")(func)


def _json_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print JSON (the staff API's answer).")(func)


@contextmanager
def _database() -> Iterator[Engine]:
    engine = make_engine(load_settings().database_url)
    try:
        migrate.upgrade_engine(engine)
        yield engine
    finally:
        engine.dispose()


def _gaps(since: str, lang: str | None) -> tuple[datetime, kb_gaps.Report]:
    end = datetime.now(UTC)
    start = end - parse_since(since)
    with _database() as engine:
        found = kb_gaps.content_gaps(engine, start=start, end=end, lang=lang,
                                     encode=kb_gaps.meaning_encoder())
    return start, found


@click.command("gaps")
@_since_option
@_lang_option
@_json_option
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True,
              help="Groups to print.")
def gaps(since: str, lang: str | None, as_json: bool, limit: int) -> None:
    """What customers searched for and got no confident answer, grouped by meaning.

    Biggest group first: its ID (for `kb new --from-gap`), how often it was asked, its
    language(s), how many of its conversations ended in a ticket, and up to three of the
    customers' phrasings. Without the meaning model (SELFSERVICE_SEARCH_MEANING=off)
    phrasings are grouped by their words.

    Example: selfservice kb gaps --since 30d --lang ru
    """
    start, report = _gaps(since, lang)
    found, shown = report.gaps, report.gaps[:limit]
    if as_json:
        click.echo(json.dumps(kb_gaps.report_json(report, start=start, limit=limit),
                              ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"No unanswered searches since {start:%Y-%m-%d %H:%M} UTC.")
        return
    click.echo(f"{len(found)} group(s) of unanswered searches since {start:%Y-%m-%d} "
               f"(biggest first):")
    click.echo(f"{'ID':<10} {'ASKED':>5} {'TICKETS':>7}  LANG   EXAMPLES")
    for gap in shown:
        langs = ",".join(gap.langs)
        examples = " | ".join(gap.examples)
        click.echo(f"{gap.id:<10} {gap.count:>5} {gap.ticket_filed:>7}  {langs:<6} {examples}")
    if report.left_out:
        click.echo(f"({report.left_out} of {report.searches} searches, asked more rarely, "
                   "were not grouped)")


@click.command("new")
@kb_dir_option
@click.option("--from-gap", "gap_id", required=True, help="A group ID printed by `kb gaps`.")
@click.option("--service", required=True, help="The service id (kb/services.yml).")
@click.option("--slug", default=None, help="File name (default: from the phrasings).")
@_since_option
def new(kb_dir: Path | None, gap_id: str, service: str, slug: str | None, since: str) -> None:
    """Write the skeleton of an article pair (en + ru) for a content gap.

    The customers' phrasings become the symptoms of each language; the answer is left
    as TODO. Never overwrites a file. Use the same --since as `kb gaps` printed the ID
    with.

    Example: selfservice kb new --from-gap g1a2b3c4d --service identity
    """
    folder = kb_dir or load_settings().kb_dir
    content, _problems = check_kb(folder)
    if content.services and service not in content.services:
        known = ", ".join(sorted(content.services))
        raise click.BadParameter(f"unknown service {service!r} (known: {known})",
                                 param_hint="--service")
    _start, report = _gaps(since, None)
    gap = kb_gaps.find_gap(report.gaps, gap_id)
    if gap is None:
        raise click.ClickException(f"no content gap {gap_id} in the last {since}: "
                                   "run `selfservice kb gaps` for the current IDs")
    phrasings: dict[str, list[str]] = {}
    for phrasing in gap.phrasings:
        phrasings.setdefault(phrasing.lang, []).append(phrasing.text)
    phrasings = {lang: texts[:6] for lang, texts in phrasings.items()}
    name = slug or slug_of(next(iter(phrasings.get("en", []) or [""])), gap.id)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise click.BadParameter("lowercase letters, digits and '-'", param_hint="--slug")
    files = article_pair(folder, slug=name, service=service, gap=gap.id, count=gap.count,
                         phrasings=phrasings, today=datetime.now(UTC).date())
    taken = [str(f.path) for f in files if f.path.exists()]
    if taken:
        raise click.ClickException(f"{', '.join(taken)} already exists: choose another --slug")
    ids = {a.id for a in content.articles.values()}
    if f"{name}-en" in ids or f"{name}-ru" in ids:
        raise click.ClickException(f"an article {name}-en/-ru exists: choose another --slug")
    for skeleton in files:
        skeleton.path.parent.mkdir(parents=True, exist_ok=True)
        with skeleton.path.open("x", encoding="utf-8") as out:  # never overwrite
            out.write(skeleton.text)
        click.echo(f"wrote {skeleton.path}")
    click.echo("Fill in the TODOs, then run `selfservice kb check`.")


@click.command("stats")
@kb_dir_option
@_since_option
@_lang_option
@_json_option
def stats(kb_dir: Path | None, since: str, lang: str | None, as_json: bool) -> None:
    """How each article does: shown, opened, walked to step N, solved, not helped, ticket
    within 24 h after it was opened; per article and customer language.

    Example: selfservice kb stats --since 7d --lang en
    """
    end = datetime.now(UTC)
    start = end - parse_since(since)
    content, _problems = check_kb(kb_dir or load_settings().kb_dir)
    with _database() as engine:
        rows = kb_stats.article_stats(engine, start=start, end=end, lang=lang,
                                      articles=content.articles.keys() or None)
    if as_json:
        click.echo(json.dumps({"from": start.isoformat(), "articles": [r.to_json() for r in rows]},
                              ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"No article was shown since {start:%Y-%m-%d %H:%M} UTC.")
        return
    click.echo(f"Articles since {start:%Y-%m-%d} (most opened first):")
    click.echo(f"{'ARTICLE':<32} LANG {'SHOWN':>5} {'OPENED':>6} {'SOLVED':>6} "
               f"{'NOT HELPED':>10} {'TICKET<24H':>10}  STEPS REACHED")
    for r in rows:
        steps = " ".join(f"{n + 1}:{count}" for n, count in enumerate(r.steps)) or "-"
        click.echo(f"{r.article:<32} {r.lang:<4} {r.shown:>5} {r.opened:>6} {r.solved:>6} "
                   f"{r.not_helped:>10} {r.ticket_24h:>10}  {steps}")
