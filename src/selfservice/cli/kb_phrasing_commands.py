"""``selfservice kb phrasings``: review the customers' words proposed as symptoms."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import click

from selfservice.cli.admin_commands import _database
from selfservice.cli.kb_commands import kb_dir_option
from selfservice.config.settings import load_settings
from selfservice.content.phrasings import PhrasingFileError
from selfservice.services import phrasings


@click.group("phrasings")
def phrasings_group() -> None:
    """Customers' words proposed as new symptoms of the article that solved their problem.

    When a chat ends "solved" on an article, what the customer typed to find it is
    proposed here. Accept one to add it to the article's `symptoms` in kb/ (review the
    change and commit it like any edit, then publish); reject it and it is never
    proposed again for that article. Phrasings with an address, a link or a long number
    are never proposed.

    \b
    Examples:
      selfservice kb phrasings list --lang ru
      selfservice kb phrasings accept 12
      selfservice kb phrasings reject 13
    """


@phrasings_group.command("list")
@click.option("--status", type=click.Choice(phrasings.STATUSES), default="proposed",
              show_default=True, help="Which proposals to list.")
@click.option("--lang", type=click.Choice(["en", "ru"]), default=None,
              help="Only this language.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_(status: str, lang: str | None, as_json: bool) -> None:
    """List proposals, the most often seen first."""
    with _database() as engine:
        rows = phrasings.list_proposals(engine, status=status, lang=lang)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no {status} phrasings")
        return
    click.echo(f"{'id':>5} {'seen':>4} {'lang':4}  {'article':32} phrasing")
    for row in rows:
        click.echo(f"{row['id']:>5} {row['seen']:>4} {row['lang']:4}  {row['article']:32} "
                   f"{row['text']}")


def _decide(proposal_id: int, kb_dir: Path | None, *, accept: bool) -> None:
    folder = kb_dir or load_settings().kb_dir
    by = os.environ.get("USER") or "cli"
    with _database() as engine:
        try:
            decision = phrasings.decide(engine, proposal_id, accept=accept, kb_dir=folder,
                                        by=by, now=datetime.now(UTC))
        except PhrasingFileError as error:
            raise click.ClickException(str(error)) from None
    text = decision.proposal["text"]
    if not accept:
        click.echo(f"rejected: '{text}' will not be proposed again for "
                   f"{decision.proposal['article']}")
    elif decision.diff:
        click.echo(decision.diff, nl=False)
        click.echo(f"accepted: added to {decision.path}; review, commit and publish it")
    else:
        click.echo(f"accepted: '{text}' is already a symptom of {decision.proposal['article']}")


@phrasings_group.command("accept")
@click.argument("proposal_id", type=int)
@kb_dir_option
def accept(proposal_id: int, kb_dir: Path | None) -> None:
    """Add proposal PROPOSAL_ID to its article's symptoms in kb/ and print the change."""
    _decide(proposal_id, kb_dir, accept=True)


@phrasings_group.command("reject")
@click.argument("proposal_id", type=int)
@kb_dir_option
def reject(proposal_id: int, kb_dir: Path | None) -> None:
    """Never propose this phrasing for that article again."""
    _decide(proposal_id, kb_dir, accept=False)
