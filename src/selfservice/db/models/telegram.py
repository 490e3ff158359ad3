"""The Telegram channel: linked accounts, link codes, received updates, the chats' place in
a conversation, group chats bound to an organisation, and the outgoing messages' outbox.

* ``telegram_links``: a Telegram user linked to one contact (``/start CODE``); ``notify``
  says where the contact's ticket updates go: ``email``, ``telegram`` or ``both``.
* ``telegram_link_codes``: short-lived codes (stored as their SHA-256) a contact gets from
  the widget, an e-mail or ``selfservice telegram link-code``.
* ``telegram_updates``: every update Telegram sent, stored before it is acknowledged; the
  ``update_id`` key makes Telegram's retries of one update no-ops.
* ``telegram_chats``: per chat and user, the conversation they are in and the request
  form being asked field by field (so a restart mid-conversation loses nothing).
* ``telegram_groups``: a group chat belongs to the organisation of the first linked
  contact who used it; contacts of other organisations are refused there.
* ``telegram_outbox``: Bot API calls to make, written in the use case's transaction and
  sent by the pump with retries (429 ``retry_after`` respected), in order per chat.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.models.outbox import OutboxStatus
from selfservice.db.types import JSONType, str_enum
from selfservice.domain.enums import Language


class TelegramLink(SQLModel, table=True):
    __tablename__ = "telegram_links"

    user_id: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={
        "autoincrement": False})
    contact_id: int = Field(foreign_key="contacts.id", unique=True)
    #: The private chat with the user, where follow-up messages go.
    chat_id: int = Field(sa_type=sa.BigInteger)
    language: Language = Field(default=Language.EN, sa_type=str_enum(Language, length=8))
    #: email | telegram | both: where the contact's ticket updates are sent.
    notify: str = Field(default="both", max_length=16)
    linked_at: datetime


class TelegramLinkCode(SQLModel, table=True):
    __tablename__ = "telegram_link_codes"

    code_hash: str = Field(primary_key=True, max_length=64)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class TelegramUpdate(SQLModel, table=True):
    __tablename__ = "telegram_updates"

    update_id: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={
        "autoincrement": False})
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    received_at: datetime
    #: Set in the transaction that stored what the update did: processed exactly once.
    processed_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, sa_type=sa.Text)


class TelegramChat(SQLModel, table=True):
    __tablename__ = "telegram_chats"
    __table_args__ = (sa.UniqueConstraint("chat_id", "user_id",
                                          name="uq_telegram_chats_chat_user"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    user_id: int = Field(sa_type=sa.BigInteger)
    conversation_id: str | None = Field(default=None, foreign_key="conversations.id",
                                        max_length=32)
    #: The request form being asked: ``{"form", "values", "field", "stage", "urgency"}``;
    #: or what the next text answers (``{"stage": "reject_reason", "ticket": number}``).
    pending: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    updated_at: datetime


class TelegramGroup(SQLModel, table=True):
    __tablename__ = "telegram_groups"

    chat_id: int = Field(primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={
        "autoincrement": False})
    org_id: str = Field(foreign_key="organisations.id", max_length=64)
    bound_at: datetime


class TelegramOutbox(SQLModel, table=True):
    __tablename__ = "telegram_outbox"
    __table_args__ = (sa.Index("ix_telegram_outbox_due", "status", "next_attempt_at"),
                      sa.Index("ix_telegram_outbox_chat", "chat_id", "status"),
                      sa.Index("ix_telegram_outbox_sent", "chat_id", "message_id"))

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    #: sendMessage | editMessageText | answerCallbackQuery
    method: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    kind: str = Field(max_length=32, description="what it says, e.g. 'reply', 'ticket_update'")
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=str_enum(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime
    sent_at: datetime | None = None
    #: Telegram's id of the sent message: a reply to it is a comment on ``ticket_id``.
    message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
