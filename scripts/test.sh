#!/usr/bin/env bash
# Install the test dependencies into .venv and run every check (ruff, mypy, the import-linter
# contracts of pyproject.toml) and the whole test suite.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_MKDOCS_2_WARNING=1
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
echo "== ruff";      .venv/bin/ruff check src tests bench
echo "== mypy";      .venv/bin/mypy
echo "== imports";   .venv/bin/lint-imports
echo "== kb check";  .venv/bin/selfservice kb check --kb-dir kb
echo "== kb simulate"; .venv/bin/selfservice kb simulate --kb-dir kb >/dev/null
echo "== pytest";    .venv/bin/python -m pytest "$@"
