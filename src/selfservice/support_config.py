"""Read the support configuration from YAML (the built-in default or the operator's file).

The domain parses and validates (``selfservice.domain.config``); this module only reads
the file and turns each problem's key path into ``file:line`` by finding that key in the
YAML node tree.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from selfservice.domain.config import SupportConfig, parse_support_config
from selfservice.domain.errors import ConfigError

DEFAULT_PATH = Path(__file__).parent / "defaults" / "support.yml"

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class ConfigProblem:
    file: Path
    line: int
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.reason}"


class SupportConfigError(Exception):
    """The support configuration file is unreadable or invalid; one line per problem."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_support_config(path: Path | None = None) -> SupportConfig:
    """Load ``path`` (default: the built-in ``defaults/support.yml``)."""
    file = path or DEFAULT_PATH
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise SupportConfigError([ConfigProblem(file, 0, "", f"cannot read: {error}")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise SupportConfigError(
            [ConfigProblem(file, line, "", f"invalid YAML: {error}")]
        ) from None
    try:
        return parse_support_config(data)
    except ConfigError as error:
        problems = [
            ConfigProblem(file, line_of(root, e.path), e.path, e.reason) for e in error.errors
        ]
        raise SupportConfigError(problems) from None


def line_of(root: Node | None, key_path: str) -> int:
    """1-based line of the deepest node on ``key_path`` (e.g. ``sla.standard.P1.response``
    or ``calendars.msk.holidays[2]``) that exists in the tree."""
    if root is None:
        return 1
    node, line = root, root.start_mark.line + 1
    for name, index in _SEGMENT.findall(key_path):
        found: Node | None = None
        if isinstance(node, MappingNode) and name:
            for key_node, value_node in node.value:
                if key_node.value == name:
                    line, found = key_node.start_mark.line + 1, value_node
                    break
        elif isinstance(node, SequenceNode) and index and int(index) < len(node.value):
            found = node.value[int(index)]
            line = found.start_mark.line + 1
        if found is None:
            break
        node = found
    return line
