import shutil
from pathlib import Path

import pytest
from support.kb import content, fixture_kb, search_index

__all__ = ["content", "fixture_kb", "search_index"]  # session fixtures for every package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def kb_min(tmp_path: Path) -> Path:
    """A writable copy of the minimal valid knowledge base."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb-min", target)
    return target
