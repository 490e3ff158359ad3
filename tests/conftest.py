import shutil
from pathlib import Path

import pytest
from support.kb import content, fixture_kb, search_index

from selfservice.config.support_config import load_support_config
from selfservice.domain.config import SupportConfig

__all__ = ["content", "fixture_kb", "search_index"]  # session fixtures for every package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def kb_min(tmp_path: Path) -> Path:
    """A writable copy of the minimal valid knowledge base."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb-min", target)
    return target


@pytest.fixture(scope="session")
def config() -> SupportConfig:
    """The built-in support configuration."""
    return load_support_config()
