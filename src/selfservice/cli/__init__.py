"""The ``selfservice`` command: a thin click group; each area registers its commands."""

import click

from selfservice import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="selfservice")
def main() -> None:
    """Self-service IT support: knowledge base, search, tickets.

    Settings come from SELFSERVICE_* environment variables (see the README).
    """


def _register() -> None:
    from selfservice.cli import kb_commands

    main.add_command(kb_commands.kb)


_register()
