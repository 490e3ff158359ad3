"""``selfservice kb …``: commands for the people who write the knowledge base."""

from collections import Counter
from pathlib import Path

import click

from selfservice.config.settings import load_settings
from selfservice.config.support_config import SupportConfigError, load_support_config
from selfservice.content.loader import check_kb


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
