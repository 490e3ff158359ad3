"""Fixtures for the channel tests: the shared evaluation samples, read in place.

The samples live outside the repository, next to it, in ``../shared/eval/`` (the mail and
alert corpora with their READMEs). They are never copied into the repository. When the
folder is missing the tests that need it are skipped with the reason.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channel_samples import ALERTS_DIR, MAIL_DIR, METRICS, REPO

from selfservice.channels.classify import TextClassifier
from selfservice.content.loader import load_content
from selfservice.content.model import Content


def _require(folder: Path) -> Path:
    if not folder.is_dir():
        message = f"evaluation samples not found at {folder} (expected next to the repo)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI always has shared/ beside the clone
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def mail_dir() -> Path:
    return _require(MAIL_DIR)


@pytest.fixture(scope="session")
def alerts_dir() -> Path:
    return _require(ALERTS_DIR)


@pytest.fixture(scope="session")
def mail_index(mail_dir: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (mail_dir / "INDEX.jsonl").read_text().splitlines()]
    return {row["file"]: row for row in rows if row}


@pytest.fixture(scope="session")
def load_alert(alerts_dir: Path) -> Iterator[Any]:
    def load(name: str) -> Any:
        return json.loads((alerts_dir / name).read_text(encoding="utf-8"))

    yield load


@pytest.fixture(scope="session")
def kb_content() -> Content:
    return load_content(REPO / "kb")


@pytest.fixture(scope="session")
def classifier(kb_content: Content) -> TextClassifier:
    return TextClassifier.from_content(kb_content)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if METRICS:
        terminalreporter.section("text classifier metrics")
        for name, value in METRICS.items():
            terminalreporter.write_line(f"{name}: {value}")
