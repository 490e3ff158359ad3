"""Read the alert mapping file (``SELFSERVICE_ALERT_MAPPING``, else the built-in default).

The file holds the :class:`~selfservice.channels.alert_mapping.AlertMapping` (``defaults``,
``severity``, ``rules``) plus two intake options, ``complete_on_resolve`` and
``completed_by``; this module reads the YAML, splits the two, and reports every problem
with the file name and the line of the offending key.
"""

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfservice.channels.alert_mapping import AlertMapping, AlertMappingError
from selfservice.config.support_config import ConfigProblem
from selfservice.content.yaml_lines import YamlSyntaxError, line_at, load_yaml

DEFAULT_PATH = Path(__file__).parent / "defaults" / "alert_mapping.yml"
_OPTIONS = ("complete_on_resolve", "completed_by")


@dataclass(frozen=True)
class AlertConfig:
    mapping: AlertMapping
    #: Complete a ticket when all its alerts have resolved.
    complete_on_resolve: bool = False
    #: The engineer (e-mail) recorded as completing it.
    completed_by: str | None = None
    path: Path | None = None


class AlertConfigError(Exception):
    """The alert mapping file is unreadable or invalid; one line per problem."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _key_path(error: str) -> tuple[str, str]:
    """``rules[2].set.urgency: reason`` -> (path, reason)."""
    path, sep, reason = error.partition(": ")
    return (path, reason) if sep else ("", error)


def load_alert_config(
    path: Path | None = None, *, known_services: Collection[str] | None = None
) -> AlertConfig:
    """Load ``path`` (default: the built-in ``defaults/alert_mapping.yml``)."""
    file = path or DEFAULT_PATH
    try:
        data: Any = load_yaml(file.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise AlertConfigError([ConfigProblem(file, 0, "", f"cannot read: {error}")]) from None
    except YamlSyntaxError as error:
        raise AlertConfigError([ConfigProblem(file, error.line, "", error.reason)]) from None
    if not isinstance(data, dict):
        raise AlertConfigError([ConfigProblem(file, 1, "", "expected a mapping")])
    problems: list[ConfigProblem] = []
    complete = data.get("complete_on_resolve", False)
    completed_by = data.get("completed_by")
    if not isinstance(complete, bool):
        problems.append(ConfigProblem(file, line_at(data, "complete_on_resolve"),
                                      "complete_on_resolve", "expected true or false"))
    if completed_by is not None and (not isinstance(completed_by, str) or "@" not in completed_by):
        problems.append(ConfigProblem(file, line_at(data, "completed_by"), "completed_by",
                                      "expected an engineer's e-mail address"))
    if complete is True and not completed_by:
        problems.append(ConfigProblem(file, line_at(data, "complete_on_resolve"),
                                      "completed_by", "complete_on_resolve needs completed_by: "
                                      "the engineer recorded as completing the ticket"))
    mapping: AlertMapping | None = None
    try:
        mapping = AlertMapping.from_dict(
            {k: v for k, v in data.items() if k not in _OPTIONS}, known_services=known_services
        )
    except AlertMappingError as error:
        for message in error.errors:
            key, reason = _key_path(message)
            problems.append(ConfigProblem(file, line_at(data, key), key, reason))
    if problems or mapping is None:
        raise AlertConfigError(problems)
    return AlertConfig(mapping, complete is True,
                       completed_by.strip().lower() if isinstance(completed_by, str) else None,
                       file)
