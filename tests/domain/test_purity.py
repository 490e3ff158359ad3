"""The domain is pure: standard library and selfservice.domain only."""

import ast
import sys
from pathlib import Path

import pytest

import selfservice.domain

DOMAIN = Path(selfservice.domain.__file__).parent
MODULES = sorted(DOMAIN.glob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_imports_only_stdlib_and_itself(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith("selfservice.domain"), name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_never_reads_the_clock(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for call in ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time("):
        assert call not in source, f"{path.name} calls {call}; take `now` as a parameter"
