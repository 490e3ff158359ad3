"""The README and the code do not drift: every setting and CLI command is documented."""

from pathlib import Path

import click

from selfservice.cli import main
from selfservice.config.settings import PREFIX, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "selfservice") -> list[str]:
    paths: list[str] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_every_setting_is_in_the_readme_table() -> None:
    for name in Settings.model_fields:
        assert f"| `{PREFIX}{name.upper()}` |" in README, name


def test_every_cli_command_is_in_the_readme() -> None:
    for path in command_paths(main):
        assert path in README, f"'{path}' is not documented in README.md"


def test_every_cli_command_has_help_text() -> None:
    ctx = click.Context(main)
    for name, command in main.commands.items():
        assert command.get_short_help_str(), f"'{name}' has no help"
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                assert sub.get_short_help_str(), f"'{name} {sub_name}' has no help"
    assert "Settings come from" in main.get_help(ctx)
