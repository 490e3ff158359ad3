"""Learned classifier models: each training run adds a version, the newest one is in use."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)


class ClassifierModel(SQLModel, table=True):
    """The labelled examples a model is fitted from, as JSON lines (no code, no pickle):
    every process refits the same model from them, with the engine it runs."""

    __tablename__ = "classifier_models"

    version: int | None = Field(default=None, primary_key=True)
    created_at: datetime
    source: str = Field(max_length=300, description="'database' or the file it came from")
    size: int = Field(description="number of examples")
    examples: str = Field(sa_type=sa.Text, description="JSON lines: text, type, service")
