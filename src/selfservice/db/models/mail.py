"""Inbound e-mail: every message as received (stored before the SMTP answer), its stored
attachments, and the automatic replies sent (at most one per address, topic and day).

* ``inbound_messages``: the raw bytes, committed before the gateway answers 250 (or the
  ``mail ingest`` pipe exits 0). ``status`` is ``pending`` until processing commits its
  outcome in the same transaction as its effect (ticket, comment, reply), so a crash
  between the two leaves the message pending and it is processed again, exactly once.
  ``message_id`` and ``sha256`` are UNIQUE: a redelivery is recognised, never re-applied.
* ``mail_attachments``: accepted attachments with their bytes (``data``); a rejected one
  (past ``MailLimits``) is kept as metadata with the ``rejection`` text and no bytes.
* ``mail_auto_replies``: UNIQUE (address, topic, day): what keeps a forged sender from
  turning us into a source of spam, and us out of loops with other robots.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType, str_enum


class InboundStatus(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    #: Processing failed too often; kept for a person (``mail process-pending --retry-failed``).
    FAILED = "failed"


class InboundMessage(SQLModel, table=True):
    __tablename__ = "inbound_messages"
    __table_args__ = (sa.Index("ix_inbound_messages_status_received", "status", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime
    #: How it came in: ``smtp`` (the gateway) or ``pipe`` (``selfservice mail ingest``).
    via: str = Field(max_length=16)
    #: The SMTP envelope sender; "" for the null sender ``<>``; NULL when unknown (pipe).
    envelope_from: str | None = Field(default=None, max_length=254)
    envelope_to: list[str] = Field(default_factory=list, sa_type=JSONType)
    peer: str | None = Field(default=None, max_length=128)
    size: int
    sha256: str = Field(max_length=64, unique=True)
    #: The Message-ID header without brackets (hashed when longer than 200 characters).
    message_id: str | None = Field(default=None, max_length=200, unique=True)
    raw: bytes = Field(sa_type=sa.LargeBinary)
    status: InboundStatus = Field(default=InboundStatus.PENDING,
                                  sa_type=str_enum(InboundStatus, length=16))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    # What processing decided (filled when it commits):
    outcome: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    kind: str | None = Field(default=None, max_length=16)
    from_address: str | None = Field(default=None, max_length=254)
    subject: str | None = Field(default=None, max_length=300)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    processed_at: datetime | None = None


class MailAttachment(SQLModel, table=True):
    __tablename__ = "mail_attachments"

    id: int | None = Field(default=None, primary_key=True)
    inbound_message_id: int = Field(foreign_key="inbound_messages.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    inline: bool = False
    sha256: str | None = Field(default=None, max_length=64)
    #: The content; NULL when the attachment was rejected.
    data: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    #: Why it was not accepted (English; the sender got it in their language).
    rejection: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime


class MailAutoReply(SQLModel, table=True):
    __tablename__ = "mail_auto_replies"
    __table_args__ = (
        sa.UniqueConstraint("address", "topic", "day", name="uq_mail_auto_replies_once_a_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=254)
    #: ``unknown_sender``, ``closed:<number>``, ``foreign:<number>`` …
    topic: str = Field(max_length=64)
    day: date
    at: datetime
    inbound_message_id: int | None = Field(default=None, foreign_key="inbound_messages.id")
