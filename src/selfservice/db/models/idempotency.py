"""Stored answers of requests sent with an ``Idempotency-Key`` header.

One row per (caller, key), written in the same transaction as the request's effect, so a
crash leaves either both (the retry gets the stored answer) or neither (the retry does
the work). Rows expire after 24 hours; the worker's ``idempotency_purge`` job deletes them.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType


class IdempotentAnswer(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: Who sent the key: ``contact:<id>``, ``engineer:<id>``, ``alert-source:<id>``,
    #: ``anonymous``.
    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    #: sha256 of method, path, query and body: the same key with another request is refused.
    fingerprint: str = Field(max_length=64)
    status: int
    #: The answer's headers as [name, value] pairs (content-type, location, ...).
    headers: list[Any] = Field(default_factory=list, sa_type=JSONType)
    body: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime
    expires_at: datetime = Field(index=True)
