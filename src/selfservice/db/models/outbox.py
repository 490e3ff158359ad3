"""The notification outbox (written in the use case's transaction) and job leases."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType, str_enum
from selfservice.domain.enums import Language


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=sa.Text)
    #: The HTML alternative of ``body`` (multipart/alternative); ``None``: plain text only.
    html_body: str | None = Field(default=None, sa_type=sa.Text)
    language: Language = Field(sa_type=str_enum(Language, length=8))
    kind: str = Field(max_length=64, description="template name, e.g. 'status_changed'")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=str_enum(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime
    #: While ``sending``: the claim expires here; after that another worker may retry.
    lease_until: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=128)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    #: Stable RFC 5322 Message-ID, fixed at insert: a resend carries the same one.
    message_id: str = Field(max_length=254, unique=True)
    created_at: datetime
    #: Changes to one ticket for one contact collect in one pending row with this key
    #: until it is sent (``services.customer_updates``); ``payload`` is what they said.
    coalesce_key: str | None = Field(default=None, max_length=128, index=True)
    payload: dict[str, object] | None = Field(default=None, sa_type=JSONType)
    #: The Message-ID of the ticket's first mail: In-Reply-To/References for threading.
    thread_id: str | None = Field(default=None, max_length=254)
    sent_at: datetime | None = None


class JobLease(SQLModel, table=True):
    """One row per periodic job: whoever holds an unexpired lease runs it."""

    __tablename__ = "job_leases"

    name: str = Field(primary_key=True, max_length=64)
    owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = None
    last_run_at: datetime | None = None
