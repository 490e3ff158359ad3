"""``selfservice kb …``: commands for the people who write the knowledge base."""

from collections import Counter
from pathlib import Path

import click

from selfservice.config.settings import load_settings
from selfservice.config.support_config import SupportConfigError, load_support_config
from selfservice.content.fields import Problem
from selfservice.content.loader import ContentError, check_kb
from selfservice.content.model import Content


def kb_dir_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--kb-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Knowledge base folder (default: SELFSERVICE_KB_DIR, else ./kb).",
    )(func)


@click.group()
def kb() -> None:
    """Work with the knowledge base in kb/ (articles, request forms, services)."""


def _home_page_problems(folder: Path, content: Content) -> list[Problem]:
    """The site's home page sources (``index.md``, ``index.ru.md``): their ``popular``
    lists must name existing articles."""
    from selfservice.site.home import read_authored

    problems: list[Problem] = []
    for name in ("index.md", "index.ru.md"):
        if (folder / name).is_file():
            try:
                read_authored(folder / name, content)
            except ContentError as error:
                problems += error.problems
    return problems


@kb.command("check")
@kb_dir_option
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Support configuration to check the services' groups against "
    "(default: SELFSERVICE_CONFIG_FILE, else the built-in one).",
)
def check(kb_dir: Path | None, config_file: Path | None) -> None:
    """Check every article, form and service and report every problem.

    Each problem is printed as FILE:LINE: REASON (missing or unknown field, unknown
    service, duplicate id, broken translation link, step without text, unknown field
    type, show_if naming a missing field, invalid YAML, a service whose group the support
    configuration does not define or puts on another line, …). Exits with status 1 when
    there is any problem, so CI and pre-commit hooks can run it.

    Example: selfservice kb check --kb-dir kb
    """
    settings = load_settings()
    folder = kb_dir or settings.kb_dir
    config_problems: list[str] = []
    groups = None
    try:
        config = load_support_config(config_file or settings.config_file)
        groups = {group.id: group.line for group in config.groups.values()}
    except SupportConfigError as error:
        config_problems = [str(p) for p in error.problems]
    content, problems = check_kb(folder, groups=groups)
    problems += _home_page_problems(folder, content)
    for text in config_problems:
        click.echo(text)
    for problem in problems:
        click.echo(str(problem))
    problems_count = len(problems) + len(config_problems)
    articles = content.articles.values()
    langs = Counter(a.lang.value for a in articles if a.is_public)
    internal = sum(1 for a in articles if not a.is_public)
    scripted = sum(1 for a in articles if a.is_public and a.kind == "scripted-solution")
    summary = (
        f"{folder}: {len(content.articles)} articles ({langs['en']} en, {langs['ru']} ru public, "
        f"{scripted} scripted solutions, {internal} internal), {len(content.forms)} forms, "
        f"{len(content.services)} services"
    )
    if problems_count:
        click.echo(f"{summary}: {problems_count} problem(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{summary}: OK")


@kb.command("preview")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (8001, beside a service on 8000).")  # fmt: skip
@click.pass_context
def preview(ctx: click.Context, host: str, port: int) -> None:
    """Preview kb/ as you write it: the site, the widget and kb check, live.

    Serves the service on its defaults (SELFSERVICE_* settings apply) with kb/ watched:
    every save is checked and, when kb/ has no problems, published within seconds (only
    changed articles are re-encoded). Open http://127.0.0.1:8001/author/ for the kb check
    problems of the files as they are now and every scripted solution walked in the real
    chat widget, English and Russian side by side; http://127.0.0.1:8001/kb/ is the site.
    Both reload themselves after each publication. Ctrl-C stops it.

    Example: selfservice kb preview
    """
    from selfservice.cli.serve_commands import serve

    ctx.invoke(serve, host=host, port=port, workers=1, demo=False, build_site=True,
               watch=True, author=True)  # fmt: skip


@kb.command("publish")
@kb_dir_option
@click.option(
    "--site/--no-site",
    default=None,
    help="Also build the public site into the new generation (mkdocs build --strict, a few "
    "seconds); default: when ./mkdocs.yml exists.",
)
def publish_command(kb_dir: Path | None, site: bool | None) -> None:
    """Check kb/ and make it live in every running process of the service.

    Checks kb/ like `kb check`; on any problem prints FILE:LINE: REASON for each, exits
    with status 1 and changes nothing (the service keeps its last good knowledge base).
    Otherwise builds a new search index generation (only new and edited documents are
    encoded by meaning), and the site when asked, and switches to it: running `serve`
    processes pick up the articles, request forms, search and site within a few seconds,
    without a restart.

    Example: selfservice kb publish
    """
    from dataclasses import replace

    from selfservice.config.support_config import SupportConfigError
    from selfservice.content.loader import ContentError
    from selfservice.run.publish import SiteBuildError, publish

    settings = load_settings()
    if kb_dir is not None:
        settings = replace(settings, kb_dir=kb_dir)
    with_site = Path("mkdocs.yml").is_file() if site is None else site
    try:
        done = publish(settings, site=with_site)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem))
        click.echo(f"{settings.kb_dir}: {len(error.problems)} problem(s); nothing published, "
                   "the service keeps its current knowledge base", err=True)
        raise SystemExit(1) from None
    except SupportConfigError as error:
        click.echo(f"support configuration:\n{error}", err=True)
        raise SystemExit(1) from None
    except SiteBuildError as error:
        click.echo(f"the site did not build, nothing published:\n{error}", err=True)
        raise SystemExit(1) from None
    site_note = ", site built" if done.site else ""
    if done.popular:
        site_note += f" (home page: the {done.popular} most opened answers of 30 days first)"
    click.echo(
        f"published {done.generation}: {done.articles} articles, {done.forms} forms, "
        f"{done.documents} search documents{site_note}; running services switch within "
        "a few seconds"
    )


@kb.command("simulate")
@kb_dir_option
@click.option("--lang", type=click.Choice(["en", "ru"]), default=None,
              help="Only the articles in this language (default: both).")
@click.option("--article", "article_id", default=None, metavar="ID",
              help="Only this article (its front matter id, e.g. vpn-does-not-connect-en).")
def simulate_command(kb_dir: Path | None, lang: str | None, article_id: str | None) -> None:
    """Walk every path of every scripted solution and print it, one path per line.

    A path is the answers a customer gives, step by step, and where they lead:

    \b
      reset-password-en: open-reset → enter-email → check-mail(yes) → solved
      vm-no-internet-en: portal-access(no) → form network-unavailable
      (what_unreachable=internet_from_vms)

    `step(yes)` / `step(no)` answer the step's check question, a step without a check
    is just done; a path ends in `solved`, a request form (with the fields the script
    fills in), or `I still need help` after the last step. Each path is also replayed
    through the real conversation engine of the chat widget, which must show the same
    steps and end the same way.

    Checks kb/ like `kb check` first (unknown steps or forms, dead ends, unreachable
    steps, cycles, a translation that branches differently). Every problem is printed to
    stderr as FILE:LINE: REASON and the exit status is 1, so CI can run it (with the paths,
    on stdout, sent to /dev/null).

    Examples: selfservice kb simulate --article vm-no-internet-en;
    selfservice kb simulate --lang ru
    """
    from selfservice.conversation.simulate import simulate

    folder = kb_dir or load_settings().kb_dir
    content, problems = check_kb(folder)
    chosen = [
        a for a in sorted(content.articles.values(), key=lambda a: a.id)
        if a.steps and (lang is None or a.lang.value == lang)
        and (article_id is None or a.id == article_id)
    ]  # fmt: skip
    if article_id is not None and not chosen:
        click.echo(f"no scripted solution with id '{article_id}' in {folder}", err=True)
        raise SystemExit(1)
    paths = 0
    broken = {problem.path for problem in problems}  # walked once kb check is content
    for article in chosen:
        if article.path in broken:
            continue
        result = simulate(article, content)
        for line in result.paths:
            click.echo(line)
        paths += len(result.paths)
        problems.extend(result.problems)
    for problem in sorted(set(problems)):
        click.echo(str(problem), err=True)  # the paths on stdout, the problems on stderr
    branching = sum(1 for a in chosen if any(s.branches for s in a.steps))
    summary = f"{folder}: {len(chosen)} scripted solutions ({branching} branching), {paths} paths"
    if problems:
        click.echo(f"{summary}: {len(set(problems))} problem(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{summary}: OK")
