"""``selfservice serve``: the HTTP API (and the public KB site) under uvicorn."""

import os
import subprocess
import sys
from pathlib import Path

import click

from selfservice.config.settings import Settings, load_settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; search is CPU-bound, so use about one per core.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Also seed demo data on first run: organisation 'demo', authorised contact "
    "demo@example.com, and L1/L2/L3 engineers (their API tokens are printed once); "
    "and serve /demo, a demo portal page with the chat widget and the demo contact signed in.",
)
@click.option(
    "--build-site/--no-build-site",
    default=True,
    show_default=True,
    help="When the public KB site (SELFSERVICE_SITE_DIR) was never built and ./mkdocs.yml "
    "exists, build it first (mkdocs build, a few seconds). A built site is served at /kb/.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Publish kb/ whenever its files change (as `selfservice kb publish` does; a kb/ "
    "with problems is reported and not published).",
)
@click.option(
    "--author",
    is_flag=True,
    help="The author's preview (what `selfservice kb preview` runs): implies --watch; adds "
    "/author/ (kb check problems as you save, every scripted solution walked in the real "
    "widget in both languages) and site pages that reload themselves on each publication.",
)
def serve(
    host: str, port: int, workers: int, demo: bool, build_site: bool, watch: bool,
    author: bool = False,
) -> None:
    """Serve the HTTP API: search, conversations, tickets (see /api/v1/openapi.json).

    Runs on embedded defaults with nothing configured. First it checks kb/
    (SELFSERVICE_KB_DIR) and builds or updates the search index (SELFSERVICE_INDEX_DIR),
    applies the database migrations (SELFSERVICE_DATABASE_URL, a SQLite file by default)
    and mirrors the support groups; then it starts uvicorn. Behind a reverse proxy on the
    same host the client address comes from X-Forwarded-For (used by the rate limit).
    E-mail is queued in the database; `selfservice worker` delivers it.

    \b
    Examples:
      selfservice serve --demo                 # try it: demo organisation and contact
      selfservice serve --host 0.0.0.0 --port 8000 --workers 2
      selfservice serve --watch                # edits in kb/ go live as you save
      selfservice serve --author --port 8001   # the author's preview (kb preview)
    """
    if author and demo:
        raise click.UsageError("--author and --demo are separate modes; use one")
    import uvicorn

    from selfservice.config.support_config import SupportConfigError
    from selfservice.content.loader import ContentError
    from selfservice.run.server import (
        APP_FACTORY,
        AUTHOR_APP_FACTORY,
        DEMO_APP_FACTORY,
        prepare,
        prepare_database,
    )
    from selfservice.web.search_pool import WORKERS_ENV

    settings = load_settings()
    try:
        prepared = prepare(settings)
        database = prepare_database(settings, demo=demo)
    except ContentError as exc:
        raise click.ClickException(str(exc)) from None
    except SupportConfigError as exc:
        raise click.ClickException(f"support configuration:\n{exc}") from None
    click.echo(
        f"{settings.kb_dir}: {prepared.articles} articles, {prepared.forms} forms; "
        f"search index {settings.index_dir}: {prepared.documents} documents"
    )
    if prepared.vectors_pending:
        click.echo("search answers by words now; the meaning vectors are computed in the "
                   "background (about 20 ms a document) and switch on by themselves")
        _start_vectors(settings)
    click.echo(f"database: at revision {database.revision}; {database.groups} support groups")
    base = f"http://{host}:{port}"
    site_ready = _ensure_site(settings, build=build_site)
    if database.demo is not None:
        _print_demo(database.demo.created, database.demo.engineer_tokens)
    click.echo("\nOpen:")
    if site_ready:
        click.echo(f"  {base}/kb/   the knowledge base (Russian: {base}/kb/ru/)")
    click.echo(f"  {base}/api/v1/openapi.json   the API (OpenAPI 3)")
    click.echo(f"  {base}/api/v1/search?q=password   a search")
    click.echo(f"  {base}/console/login   the staff console (`selfservice engineer passwd "
               "EMAIL` gives an engineer a password)")
    click.echo(f"  {base}/status   the public status page (known problems)")
    if database.demo is not None:
        click.echo(f"  {base}/demo   a demo portal with the chat widget, signed in as "
                   f"demo@example.com (anonymous: {base}/demo?anonymous=1)")
        click.echo("A portal token for the demo contact (valid 1 h):")
        click.echo("  selfservice token --org demo --contact demo@example.com")
    if author:
        click.echo(f"  {base}/author/   the author's preview: kb check problems, every "
                   "scripted solution walked in the widget (en | ru)")
    click.echo("")
    if watch or author:
        _start_watching(settings, site=site_ready and Path("mkdocs.yml").is_file())
    factory = AUTHOR_APP_FACTORY if author else DEMO_APP_FACTORY if demo else APP_FACTORY
    # each worker process takes its share of the cores for the meaning model
    os.environ[WORKERS_ENV] = str(workers)
    uvicorn.run(factory, factory=True, host=host, port=port, workers=workers,
                access_log=settings.access_log)


def _start_vectors(settings: Settings) -> None:
    """Encode the new index's documents on a thread of this (the parent) process."""
    import threading

    from selfservice.run.server import add_vectors

    def report(text: str) -> None:
        click.echo(text, err=True)

    def run() -> None:
        try:
            add_vectors(settings, report)
        except Exception as exc:  # the service goes on by words; say why meaning is off
            report(f"search by meaning could not be switched on: {exc}")

    threading.Thread(target=run, name="kb-vectors", daemon=True).start()


def _start_watching(settings: Settings, *, site: bool) -> None:
    """Publish kb/ on every change, on a thread of this (the parent) process."""
    import threading

    from selfservice.run.publish import watch_and_publish

    def report(text: str) -> None:
        click.echo(text, err=True)

    thread = threading.Thread(
        target=watch_and_publish, args=(settings,), kwargs={"site": site, "report": report},
        name="kb-watch", daemon=True,
    )
    thread.start()
    click.echo(f"watching {settings.kb_dir}: changes are published as you save")


def _ensure_site(settings: Settings, *, build: bool) -> bool:
    """True when the built site is there to serve (building it when it can)."""
    if (settings.site_dir / "index.html").is_file():
        return True
    if not build or not Path("mkdocs.yml").is_file():
        click.echo(f"public site: {settings.site_dir} not built and no ./mkdocs.yml; not served")
        return False
    click.echo(f"public site: building {settings.site_dir} (mkdocs build) ...")
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml",
               "-d", str(settings.site_dir.resolve())]
    done = subprocess.run(command, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        click.echo(f"public site: mkdocs build failed, not served:\n{done.stderr.strip()}")
        return False
    return True


def _print_demo(created: list[str], tokens: dict[str, str]) -> None:
    if created:
        click.echo("demo data created: " + "; ".join(created))
    else:
        click.echo("demo data: already there (organisation demo, contact demo@example.com)")
    if tokens:
        click.echo("engineer API tokens (shown once, only their hashes are stored):")
        for email, token in tokens.items():
            click.echo(f"  {email}  {token}")
