"""Read the alert mapping file (``SELFSERVICE_ALERT_MAPPING``, else the built-in default).

The file holds the :class:`~selfservice.channels.alert_mapping.AlertMapping` (``defaults``,
``severity``, ``rules``) plus two intake options, ``complete_on_resolve`` and
``completed_by``; this module reads the YAML, splits the two, and reports every problem
as ``FILE:LINE: key.path: reason`` (pydantic models, ``content.yaml_models``).
"""

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, PlainValidator, ValidationError

from selfservice.channels.alert_mapping import AlertMapping, AlertMappingError
from selfservice.config.support_config import ConfigProblem
from selfservice.content.yaml_lines import YamlSyntaxError, load_yaml
from selfservice.content.yaml_models import KeyIssue, YamlModel, issues_of, problems_at

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


def _engineer(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or "@" not in value):
        raise ValueError("must be an engineer's e-mail address")
    return value.strip().lower() if isinstance(value, str) else None


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


class AlertOptions(YamlModel):
    """The intake options next to the mapping (its keys are checked by the mapping)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    complete_on_resolve: Annotated[bool, PlainValidator(_flag)] = False
    completed_by: Annotated[str | None, PlainValidator(_engineer)] = None


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
    issues: list[KeyIssue] = []
    options = AlertOptions()
    try:
        options = AlertOptions.model_validate(data)
        if options.complete_on_resolve and not options.completed_by:
            issues.append(KeyIssue("complete_on_resolve", "needs completed_by: the engineer "
                                   "recorded as completing the ticket"))
    except ValidationError as error:
        issues += issues_of(error, data, AlertOptions)
    mapping: AlertMapping | None = None
    rest = ({k: v for k, v in data.items() if k not in _OPTIONS}
            if isinstance(data, dict) else data)
    try:
        mapping = AlertMapping.from_dict(rest, known_services=known_services)
    except AlertMappingError as error:
        issues += [i for i in error.issues if i not in issues]
    if mapping is not None and mapping.customer_visible and not options.completed_by:
        issues.append(KeyIssue("completed_by", "rules with known_problem need completed_by: "
                               "the engineer recorded as completing the children of a "
                               "resolved known problem"))
    if issues or mapping is None:
        raise AlertConfigError(problems_at(file, data, issues))
    return AlertConfig(mapping, options.complete_on_resolve, options.completed_by, file)
