"""The learned classifier's versions in the database, and processes that follow them.

Labelled examples are the tickets whose classification an engineer set or confirmed:
an engineer changed the type or the service (a ``ticket_history`` row), or completed the
ticket as it was classified. ``selfservice classify train`` stores them (or a JSONL
file's) as a new version; :func:`live_classifier` gives a classifier that notices a new
version within :data:`CHECK_SECONDS` and refits it in the background, serving the
previous model meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from selfservice.channels.classify import TextClassifier
from selfservice.channels.examples import Example, parse_examples
from selfservice.channels.learned import LearnedModel
from selfservice.content.model import Content
from selfservice.db.models import ClassifierModel, Ticket, TicketHistory
from selfservice.db.session import transaction
from selfservice.domain.enums import ActorRole, Status

__all__ = [
    "CHECK_SECONDS", "ModelWatcher", "examples_from_db", "latest_version", "live_classifier",
    "load_model", "store_model",
]

log = logging.getLogger(__name__)

#: How often a running process asks the database for a newer model version.
CHECK_SECONDS = 30.0


def examples_from_db(engine: Engine) -> list[Example]:
    """Tickets an engineer reclassified or completed, with their current type and service."""
    engineer_touched = (
        select(TicketHistory.ticket_id)
        .where(TicketHistory.actor_kind == ActorRole.ENGINEER)
        .where(
            sa.or_(
                TicketHistory.field.in_(("type", "service")),  # type: ignore[attr-defined]
                sa.and_(sa.column("field") == "status",
                        sa.column("to_value") == Status.COMPLETED.value),
            )
        )
    )
    with Session(engine) as session:
        tickets = session.exec(
            select(Ticket).where(Ticket.id.in_(engineer_touched))  # type: ignore[union-attr]
            .order_by(Ticket.id)  # type: ignore[arg-type]
        ).all()
        return [
            Example(f"{t.subject}\n{t.description}".strip(), t.type, t.service)
            for t in tickets
        ]


def _lines(examples: Sequence[Example]) -> str:
    return "\n".join(
        json.dumps({"text": e.text, "type": e.type.value, "service": e.service},
                   ensure_ascii=False)
        for e in examples
    )


def store_model(engine: Engine, examples: Sequence[Example], *, source: str, now: datetime
                ) -> int:
    """Adds a version; returns its number."""
    row = ClassifierModel(created_at=now, source=source[:300], size=len(examples),
                          examples=_lines(examples))
    with transaction(engine) as session:
        session.add(row)
        session.flush()
        assert row.version is not None
        return row.version


def latest_version(engine: Engine) -> int | None:
    with Session(engine) as session:
        return session.exec(
            select(sa.func.max(ClassifierModel.version))
        ).one()


def load_model(engine: Engine, version: int | None = None) -> LearnedModel | None:
    """The given (default: newest) version, fitted; None when there is none."""
    version = version if version is not None else latest_version(engine)
    if version is None:
        return None
    with Session(engine) as session:
        row = session.get(ClassifierModel, version)
        if row is None:
            return None
        examples = parse_examples(row.examples.splitlines(), f"classifier model {version}")
    return LearnedModel(examples, version=version)


class ModelWatcher:
    """The newest learned model, checked at most every ``interval`` seconds; a new
    version is fitted in a background thread while the previous one keeps serving."""

    def __init__(self, engine: Engine, interval: float = CHECK_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.interval = interval
        self.clock = clock
        self.model: LearnedModel | None = None
        self._checked = -float("inf")
        self._lock = threading.Lock()
        self._fitting: threading.Thread | None = None

    def __call__(self) -> LearnedModel | None:
        now = self.clock()
        with self._lock:
            if now - self._checked < self.interval or self._fitting is not None:
                return self.model
            self._checked = now
        try:
            version = latest_version(self.engine)
        except sa.exc.SQLAlchemyError:  # no table yet / database away: keep the current one
            log.warning("could not check the classifier model version", exc_info=True)
            return self.model
        current = self.model.version if self.model is not None else None
        if version is not None and version != current:
            with self._lock:
                if self._fitting is None:
                    self._fitting = threading.Thread(
                        target=self._fit, args=(version,), name="classifier-fit", daemon=True
                    )
                    self._fitting.start()
        return self.model

    def wait(self) -> None:
        """Until a running fit is done (tests, and the first classification of a CLI run)."""
        fitting = self._fitting
        if fitting is not None:
            fitting.join()

    def _fit(self, version: int) -> None:
        try:
            model = load_model(self.engine, version)
        except Exception:  # a bad version must not stop classification
            log.exception("could not load classifier model version %s", version)
            model = self.model
        with self._lock:
            self.model = model
            self._fitting = None


def live_classifier(engine: Engine, content: Content, interval: float = CHECK_SECONDS
                    ) -> TextClassifier:
    """The knowledge-base classifier that follows the newest learned model."""
    watcher = ModelWatcher(engine, interval)
    watcher()
    watcher.wait()
    return TextClassifier.from_content(content).following(watcher)
