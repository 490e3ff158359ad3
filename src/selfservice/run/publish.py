"""``selfservice kb publish``: a checked kb/ goes live in every process of the service.

The steps, all or nothing:

1. copy kb/ to a staging folder next to the index (what is checked is what goes live,
   even if an author saves a file meanwhile);
2. check the copy like ``kb check`` (against the support configuration too); problems
   stop here, the live generation untouched;
3. build a new index generation from it (vectors of unchanged documents are reused by
   content hash, so only new and edited documents are encoded), with the copy and, when
   a site is published, the site built from that copy inside the generation (its home
   page lists the articles customers opened most in the last 30 days, from the database);
4. swap ``CURRENT``. Running processes look at it every second (``LiveContent`` for the
   knowledge base and the site, the search readers for the index) and switch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from selfservice.config.settings import Settings
from selfservice.config.support_config import load_support_config
from selfservice.content.fields import Problem
from selfservice.content.live import KB_SNAPSHOT, SITE_SNAPSHOT, snapshot_kb
from selfservice.content.loader import ContentError, check_kb
from selfservice.content.model import Content
from selfservice.db.engine import make_engine
from selfservice.search import SearchIndex
from selfservice.services.kb_stats import article_stats
from selfservice.site.home import MEASURED_FILE, POPULAR_COUNT

#: How far back the home page's "most used answers" look.
POPULAR_WINDOW = timedelta(days=30)


class SiteBuildError(Exception):
    """``mkdocs build`` of the published kb/ failed (the message holds its output)."""


@dataclass(frozen=True)
class Published:
    generation: str
    articles: int
    forms: int
    documents: int
    site: bool
    #: Articles the site's home page lists as most used, measured from the database.
    popular: int = 0


def build_site(mkdocs_file: Path, docs_dir: Path, site_dir: Path) -> None:
    """``mkdocs build --strict`` of ``docs_dir`` with the settings of ``mkdocs_file``."""
    mkdocs_file = mkdocs_file.resolve()
    # A config next to the real one (its relative paths, such as the hook, still
    # resolve) that only swaps the folder the pages come from.
    config = mkdocs_file.parent / f".mkdocs-publish-{os.getpid()}.yml"
    config.write_text(
        f"INHERIT: {mkdocs_file.name}\ndocs_dir: {docs_dir.resolve()}\n", encoding="utf-8"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-f", str(config),
             "-d", str(site_dir.resolve())],
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            capture_output=True, text=True, check=False,
        )
    finally:
        config.unlink(missing_ok=True)
        shutil.rmtree(mkdocs_file.parent / "build" / f"site-src-{config.stem}",
                      ignore_errors=True)
    if done.returncode != 0:
        raise SiteBuildError((done.stderr or done.stdout).strip())


def publish(
    settings: Settings, *, site: bool = False, mkdocs_file: Path = Path("mkdocs.yml")
) -> Published:
    """Check kb/ and make it the live generation; raises ``ContentError`` (with every
    FILE:LINE problem) or ``SiteBuildError`` and leaves the live generation alone."""
    config = load_support_config(settings.config_file)
    groups = {group.id: group.line for group in config.groups.values()}
    if not settings.kb_dir.is_dir():
        raise ContentError([Problem(settings.kb_dir, 0, "knowledge base folder does not exist")])
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    staging = settings.index_dir / f".publish-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        snapshot_kb(settings.kb_dir, staging)
        staged = staging / KB_SNAPSHOT
        content, problems = check_kb(staged, groups=groups)
        if problems:
            raise ContentError([_authored(p, staged, settings.kb_dir) for p in problems])

        measured = most_opened_articles(settings, content) if site else []
        if measured:
            (staged / MEASURED_FILE).write_text(json.dumps(measured), encoding="utf-8")

        def attach(gen_dir: Path) -> None:
            if site:
                build_site(mkdocs_file, staged, gen_dir / SITE_SNAPSHOT)
            staged.rename(gen_dir / KB_SNAPSHOT)

        index = SearchIndex(settings.index_dir, semantic=settings.search_meaning)
        try:
            documents = index.rebuild(content, attach=attach)
            generation = index.generation or ""
        finally:
            index.close()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Published(
        generation, len(content.articles), len(content.forms), documents, site, len(measured)
    )


def most_opened_articles(settings: Settings, content: Content) -> list[str]:
    """The public articles customers opened most over the last 30 days, for the home
    page; none when the database has no such data (not created or migrated yet)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return []  # never run yet: no data, and no empty database file left behind
    engine = make_engine(settings.database_url)
    end = datetime.now(UTC)
    try:
        uses = article_stats(engine, start=end - POPULAR_WINDOW, end=end,
                             articles=set(content.articles))  # fmt: skip
    except SQLAlchemyError:
        return []
    finally:
        engine.dispose()
    ranked = sorted((u for u in uses if u.opened > 0), key=lambda u: (-u.opened, u.article))
    public = [u.article for u in ranked if content.articles[u.article].is_public]
    return list(dict.fromkeys(public))[:POPULAR_COUNT]


def _authored(problem: Problem, staged: Path, kb_dir: Path) -> Problem:
    """The problem as found in the staged copy, named by the author's own file."""
    try:
        relative = Path(problem.path).relative_to(staged)
    except ValueError:
        return problem
    return Problem(kb_dir / relative, problem.line, problem.message)


def watch_and_publish(
    settings: Settings,
    *,
    site: bool,
    report: Callable[[str], None],
    stop: threading.Event | None = None,
    debounce_ms: int = 800,
) -> None:
    """Publish kb/ each time its files change (``serve --watch``), until ``stop`` is set.

    Changes are gathered for ``debounce_ms`` so saving several files publishes once. A
    kb/ with problems is reported (FILE:LINE each) and not published; the service keeps
    what it serves until the next save fixes it.
    """
    from watchfiles import watch

    for _changes in watch(settings.kb_dir, debounce=debounce_ms, stop_event=stop,
                          raise_interrupt=False):
        try:
            done = publish(settings, site=site)
        except ContentError as error:
            lines = "\n".join(str(p) for p in error.problems)
            report(f"kb/ changed but has problems; still serving the last good one:\n{lines}")
        except SiteBuildError as error:
            report(f"kb/ changed but the site did not build; nothing published:\n{error}")
        except Exception as exc:  # the watcher outlives any one failed publish
            report(f"kb/ changed but publishing failed: {exc!r}")
        else:
            report(f"kb/ changed: published {done.generation} "
                   f"({done.articles} articles, {done.forms} forms)")
