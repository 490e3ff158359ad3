"""``selfservice config …``: check the support configuration before deploying it."""

from datetime import date, datetime
from pathlib import Path

import click

from selfservice.config.settings import load_settings
from selfservice.config.support_config import DEFAULT_PATH, SupportConfigError, check_support_config


@click.group()
def config() -> None:
    """Check the support configuration (SLA, calendars, groups)."""


@config.command("check")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Configuration to check (default: SELFSERVICE_CONFIG_FILE, else the "
                   "built-in one).")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Check the 12 months from this date instead of from today.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (for CI).")
def check(file: Path | None, on: datetime | None, strict: bool) -> None:
    """Report errors as FILE:LINE (exit 1) and warn about calendars that run out.

    A business-hours calendar warns when some year of the next 12 months has no holiday
    data: no 'country' and no dates listed for that year, or a country whose days off
    are moved by decree (Russia, Kazakhstan) and the installed `holidays` package does
    not list that year's moves yet.

    \b
    Examples:
      selfservice config check
      selfservice config check --file /etc/selfservice/support.yml --strict
    """
    path = file or load_settings().config_file or DEFAULT_PATH
    today = on.date() if on is not None else date.today()
    try:
        warnings = check_support_config(path, today)
    except SupportConfigError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{path}: {'ok' if not warnings else f'{len(warnings)} warning(s)'}")
    if warnings and strict:
        raise SystemExit(1)
