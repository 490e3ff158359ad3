"""The app as uvicorn runs it: built from settings inside each worker process.

``selfservice serve`` prepares everything once, in the parent process, before any worker
starts: it checks kb/ (against the support configuration too) and builds or updates the
search index (whoosh writes do not belong in the web process), migrates the database and
mirrors the support groups, and seeds the demo data with ``--demo``. Each worker then
opens the index read-only and the database through its own engine.
"""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount

from selfservice.config.settings import Settings, load_settings
from selfservice.config.support_config import load_support_config
from selfservice.console import console_routes
from selfservice.content.live import (
    KB_SNAPSHOT,
    SITE_SNAPSHOT,
    LiveContent,
    live_generation,
    tree_digest,
)
from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.db import migrate
from selfservice.db.engine import make_engine
from selfservice.domain.config import SupportConfig
from selfservice.run.publish import publish
from selfservice.run.telegram import make_pump
from selfservice.search import SearchIndex
from selfservice.services import classifier_models
from selfservice.services.admin import sync_support_groups
from selfservice.services.demo import DemoSeed, seed_demo
from selfservice.web.app import create_app, utc_now
from selfservice.web.author_pages import author_routes
from selfservice.web.backend import make_backend
from selfservice.web.search_pool import WORKERS_ENV, PinnedSearchIndex, encoding_slots
from selfservice.web.site_files import SiteFiles
from selfservice.web.widget_routes import add_demo_page

#: The import string uvicorn calls (``factory=True``).
APP_FACTORY = "selfservice.run.server:app_from_settings"
#: The import string uvicorn calls for ``selfservice serve --demo``.
DEMO_APP_FACTORY = "selfservice.run.server:demo_app_from_settings"
#: The import string uvicorn calls for ``selfservice serve --author`` (``kb preview``).
AUTHOR_APP_FACTORY = "selfservice.run.server:author_app_from_settings"
#: Where the built public site is mounted.
SITE_PATH = "/kb"


def _checked_content(settings: Settings, config: SupportConfig) -> Content:
    """kb/, checked against the support configuration (every service's group defined, on
    the line the service claims): a mismatch is a ``ContentError`` with ``file:line``."""
    groups = {group.id: group.line for group in config.groups.values()}
    return load_content(settings.kb_dir, groups=groups)


@dataclass(frozen=True)
class Prepared:
    articles: int
    forms: int
    documents: int
    #: The index was built from scratch with words only: :func:`add_vectors` next.
    vectors_pending: bool = False


def prepare(settings: Settings) -> Prepared:
    """Check kb/ (against the support configuration too) and bring the search index up to
    date. A missing index is built with words only, so the service answers within
    seconds; the meaning vectors follow in the background (:func:`add_vectors`)."""
    content = _checked_content(settings, load_support_config(settings.config_file))
    gen = live_generation(settings.index_dir)
    if gen is not None and (gen / KB_SNAPSHOT).is_dir():
        # The live generation carries a published kb/: if kb/ changed since, starting
        # the service publishes it (a plain sync would leave that copy behind).
        if tree_digest(gen / KB_SNAPSHOT) != tree_digest(settings.kb_dir):
            site = (gen / SITE_SNAPSHOT).is_dir() and Path("mkdocs.yml").is_file()
            done = publish(settings, site=site)
            return Prepared(done.articles, done.forms, done.documents)
    index = SearchIndex.open_or_build(
        settings.index_dir, content, semantic=settings.search_meaning, vectors_later=True
    )
    try:
        pending = index.meaning_state() == "building"
        return Prepared(len(content.articles), len(content.forms), index.doc_count(), pending)
    finally:
        index.close()


def add_vectors(settings: Settings, report: Callable[[str], None]) -> None:
    """Compute the meaning vectors a words-only index lacks and publish them: running
    processes switch to words + meaning at once (about 20 ms a document on two cores)."""
    content = _checked_content(settings, load_support_config(settings.config_file))
    index = SearchIndex.open(settings.index_dir, semantic=settings.search_meaning)
    step = max(1, len(content.articles) // 5)
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        if done == total or done % step == 0:
            report(f"search by meaning: {done}/{total} documents encoded")

    try:
        count = index.update_vectors(content, progress)
    finally:
        index.close()
    report(f"search by meaning is on: {count} documents in {time.monotonic() - started:.0f} s")


@dataclass(frozen=True)
class Database:
    revision: str | None
    groups: int
    demo: DemoSeed | None


def prepare_database(settings: Settings, *, demo: bool = False) -> Database:
    """Migrate, mirror the support groups, and (``demo``) seed the demo data."""
    config = load_support_config(settings.config_file)
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade_engine(engine)
        groups = sync_support_groups(engine, config=config)
        seed = seed_demo(engine, config=config, now=datetime.now(UTC)) if demo else None
    finally:
        engine.dispose()
    return Database(migrate.current(settings.database_url), len(groups), seed)


def app_from_settings(*, author: bool = False) -> Starlette:
    """The service's app; ``author``: with the author's preview pages (``/author/``), and
    site pages that reload themselves when kb/ is published anew."""
    settings = load_settings()
    config = load_support_config(settings.config_file)
    groups = {group.id: group.line for group in config.groups.values()}
    live = LiveContent(settings.index_dir, settings.kb_dir, groups=groups)
    content = live.content
    index = PinnedSearchIndex.open(settings.index_dir, semantic=settings.search_meaning)
    index.meaning_max_wait_s = settings.search_meaning_max_wait_ms / 1000
    index.encoding_slots = encoding_slots(int(os.environ.get(WORKERS_ENV, "1")))
    index.warm_up()
    engine = make_engine(settings.database_url)
    backend = make_backend(engine, content=content, config=config, clock=utc_now)

    def new_classifier(new: Content) -> None:
        backend.classifier = classifier_models.live_classifier(engine, new)

    live.on_change.append(new_classifier)
    pump = None
    if settings.telegram_bot_token:
        pump = make_pump(settings, engine=engine, contents=lambda: live.content, index=index,
                         config=config, classifier=backend.classifier)
    app = create_app(
        settings=settings,
        content=content,
        search_index=index,
        store=backend,
        directory=backend.directory,
        origins_for=backend.directory.origins_for(),
        clock=utc_now,
        live=live,
        telegram=pump,
    )
    if live.site_dir is not None or (settings.site_dir / "index.html").is_file():
        site = SiteFiles(live.site_dir or settings.site_dir, published=lambda: live.site_dir,
                         live=(lambda: live.generation) if author else None)
        app.router.routes.append(Mount(SITE_PATH, app=site, name="kb"))
    app.router.routes.extend(console_routes())
    if author:
        app.router.routes.extend(
            author_routes(live, settings.kb_dir, groups, settings.kb_site_url)
        )
    return app


def author_app_from_settings() -> Starlette:
    """The app of ``selfservice serve --author``: the usual one plus the author's preview."""
    return app_from_settings(author=True)


def demo_app_from_settings() -> Starlette:
    """The app of ``selfservice serve --demo``: the usual one plus the ``/demo`` page."""
    return add_demo_page(app_from_settings())
