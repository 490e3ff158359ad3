"""The widget's conversations and the self-service record managers' metrics aggregate.

* ``conversations``: one row per chat; ``state`` is the engine's JSON state
  (``selfservice.conversation.engine.State``), updated under a row lock each turn, so
  any backend process can continue any conversation.
* ``conversation_events``: what happened, one row per event (started, search,
  article_shown, answer (Yes / No on a branching step), need_help, form_chosen, deflected,
  ticket_filed, abandoned).
* ``search_log``: every search (the public search API and the conversation's), with its
  ``confident`` flag: the searches that found nothing tell L1 what to write next.
* ``article_feedback``: "did this help?" from readers and from conversations.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType, str_enum
from selfservice.domain.enums import Language


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (sa.Index("ix_conversations_outcome_started", "outcome", "started_at"),)

    #: Random (uuid4 hex): the widget's handle on the conversation, not guessable.
    id: str = Field(primary_key=True, max_length=32)
    org_id: str | None = Field(default=None, foreign_key="organisations.id", max_length=64,
                               index=True)
    #: The signed-in contact; NULL for an anonymous visitor (until they sign in).
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", index=True)
    lang: Language = Field(sa_type=str_enum(Language, length=8))
    #: Where the customer talks: widget | telegram (the metrics' channel).
    channel: str = Field(default="widget", max_length=16,
                         sa_column_kwargs={"server_default": "widget"})
    phase: str = Field(max_length=32)
    #: deflected | ticket_filed | abandoned; NULL while the conversation is open.
    outcome: str | None = Field(default=None, max_length=32)
    turns: int = 0
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id")
    started_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None


class ConversationEvent(SQLModel, table=True):
    __tablename__ = "conversation_events"
    __table_args__ = (sa.Index("ix_conversation_events_kind_at", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversations.id", max_length=32, index=True)
    at: datetime
    kind: str = Field(max_length=32)
    article: str | None = Field(default=None, max_length=200)
    form: str | None = Field(default=None, max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class SearchLog(SQLModel, table=True):
    __tablename__ = "search_log"
    __table_args__ = (sa.Index("ix_search_log_confident_at", "confident", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    #: "search" (the public search API) or "conversation".
    source: str = Field(max_length=16)
    query: str = Field(sa_type=sa.Text)
    lang: str | None = Field(default=None, max_length=8)
    confident: bool
    results: int = 0
    #: The best hit's id (article or form), if any.
    top: str | None = Field(default=None, max_length=200)
    conversation_id: str | None = Field(default=None, foreign_key="conversations.id",
                                        max_length=32)
    org_id: str | None = Field(default=None, max_length=64)


class ArticleFeedback(SQLModel, table=True):
    __tablename__ = "article_feedback"
    __table_args__ = (sa.Index("ix_article_feedback_article_at", "article_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: str = Field(max_length=200)
    at: datetime
    helped: bool
    comment: str | None = Field(default=None, sa_type=sa.Text)
    #: "reader" (the feedback endpoint) or "conversation" (solved / need help).
    source: str = Field(max_length=16)
    conversation_id: str | None = Field(default=None, foreign_key="conversations.id",
                                        max_length=32)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    org_id: str | None = Field(default=None, max_length=64)
