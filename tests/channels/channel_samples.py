"""Where the channel tests find their data (imported by conftest and the tests)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO.parent / "shared" / "eval"
MAIL_DIR = EVAL / "mail"
ALERTS_DIR = EVAL / "alerts"
DATA = Path(__file__).resolve().parent / "data"

#: Filled by the classifier tests, printed at the end of the run.
METRICS: dict[str, str] = {}
