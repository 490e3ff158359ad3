"""The ``selfservice`` command: a thin click group; each area registers its commands."""

from typing import Any

import click

from selfservice import __version__


class _Group(click.Group):
    """Turns a bad SELFSERVICE_* value into a one-line error, in every command."""

    def invoke(self, ctx: click.Context) -> Any:
        from selfservice.config.settings import SettingsError

        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="selfservice")
def main() -> None:
    """Self-service IT support: knowledge base, search, tickets.

    Settings come from SELFSERVICE_* environment variables (see the README).
    """


def _register() -> None:
    from selfservice.cli import (
        admin_commands,
        alert_commands,
        channel_commands,
        config_commands,
        db_commands,
        demo_commands,
        kb_commands,
        kb_insight_commands,
        kb_phrasing_commands,
        mail_commands,
        search_commands,
        serve_commands,
        staff_commands,
        telegram_commands,
        worker_commands,
    )

    del staff_commands  # its commands join admin_commands' groups on import

    main.add_command(kb_commands.kb)
    kb_commands.kb.add_command(kb_phrasing_commands.phrasings_group)
    for command in (kb_insight_commands.gaps, kb_insight_commands.new, kb_insight_commands.stats):
        kb_commands.kb.add_command(command)
    main.add_command(search_commands.index)
    main.add_command(search_commands.eval_)
    main.add_command(db_commands.db)
    main.add_command(config_commands.config)
    main.add_command(worker_commands.worker)
    main.add_command(serve_commands.serve)
    main.add_command(channel_commands.classify)
    main.add_command(admin_commands.org)
    main.add_command(admin_commands.contact)
    main.add_command(admin_commands.engineer)
    main.add_command(admin_commands.token)
    main.add_command(mail_commands.mail_gateway)
    main.add_command(mail_commands.mail)
    main.add_command(alert_commands.alert_source)
    main.add_command(demo_commands.demo)
    main.add_command(telegram_commands.telegram)


_register()
