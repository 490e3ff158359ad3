"""The one way we find FILE:LINE in YAML: loading that remembers where each key stood.

Every YAML file we read (kb/ front matter and forms, the support configuration, the alert
mapping) loads through :func:`load_yaml`: mappings become :class:`LineDict` and sequences
:class:`LineList`, both carrying line numbers. A problem found later names its key path
(``sla.standard.P1.response``, ``rules[2].set``, or a pydantic ``loc`` tuple) and
:func:`line_at` turns it into the line of the deepest key on it that exists.
"""

import re
from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode


class LineDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    line_offset = 0

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        result = LineDict()
        result.line = node.start_mark.line + 1 + self.line_offset
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            result[str(key)] = self.construct_object(value_node, deep=True)
            result.key_lines[str(key)] = key_node.start_mark.line + 1 + self.line_offset
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> list[Any]:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1 + self.line_offset
        result.item_lines = [child.start_mark.line + 1 + self.line_offset for child in node.value]
        return result


def _construct_map(loader: _Loader, node: Node) -> dict[Any, Any]:
    assert isinstance(node, MappingNode)
    return loader.construct_mapping(node)


def _construct_seq(loader: _Loader, node: Node) -> list[Any]:
    assert isinstance(node, SequenceNode)
    return loader.construct_sequence(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def line_at(data: Any, path: str | Sequence[str | int], default: int = 1) -> int:
    """1-based line of the deepest key or list item on ``path`` that exists in ``data``
    (loaded by :func:`load_yaml`); ``default`` when not even the first one does."""
    steps: list[str | int] = (
        [name or int(index) for name, index in _SEGMENT.findall(path)]
        if isinstance(path, str) else list(path)
    )
    node, line = data, getattr(data, "line", 0) or default
    for step in steps:
        if isinstance(node, LineDict) and str(step) in node:
            line, node = node.line_of(str(step)), node[str(step)]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line, node = node.line_of(step), node[step]
        else:
            break
    return line


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def load_yaml(text: str, *, line_offset: int = 0) -> Any:
    """Parse one YAML document; line numbers are shifted by ``line_offset``."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        raise YamlSyntaxError(line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1 + line_offset, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
