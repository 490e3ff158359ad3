"""Tickets, their append-only history, comments, and the ticket-number counter."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)
from selfservice.db.types import JSONType, str_enum
from selfservice.domain.enums import (
    ActorRole,
    Channel,
    ClosureCode,
    Impact,
    Line,
    Priority,
    Status,
    TicketType,
    Urgency,
)


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        sa.Index("ix_tickets_queue", "line", "group_id", "status"),
        sa.Index("ix_tickets_status_response_due", "status", "response_due"),
        sa.Index("ix_tickets_status_resolution_due", "status", "resolution_due"),
        sa.Index("ix_tickets_status_completed_at", "status", "completed_at"),
        sa.Index("ix_tickets_org_contact", "org_id", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True, description="INC-000123 / REQ-000124")
    type: TicketType = Field(sa_type=str_enum(TicketType, length=16))
    service: str = Field(max_length=64, index=True)
    form_id: str | None = Field(default=None, max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    subject: str = Field(max_length=300)
    description: str = Field(default="", sa_type=sa.Text)
    channel: Channel = Field(sa_type=str_enum(Channel, length=16))
    urgency: Urgency = Field(sa_type=str_enum(Urgency, length=16))
    impact: Impact = Field(sa_type=str_enum(Impact, length=16))
    priority: Priority = Field(sa_type=str_enum(Priority, length=8))
    urgency_confirmed: bool = True
    status: Status = Field(sa_type=str_enum(Status, length=32))
    closure_code: ClosureCode | None = Field(default=None, sa_type=str_enum(ClosureCode))
    assignee_id: int | None = Field(default=None, foreign_key="engineers.id", index=True)
    line: Line = Field(sa_type=str_enum(Line, length=16))
    group_id: str | None = Field(default=None, foreign_key="support_groups.id", max_length=64)
    work_started_at: datetime | None = None
    # SLA: the domain's two clocks (selfservice.domain.sla.SlaClocks) are rebuilt from
    # these columns + the org's policy; services/sla_state.py is the only translator.
    fulfilment_hours: float | None = Field(default=None, description="from the request form")
    response_due: datetime | None = None
    resolution_due: datetime | None = None
    responded_at: datetime | None = Field(default=None, description="response clock stop")
    resolution_stopped_at: datetime | None = None
    response_paused_seconds: float = Field(default=0.0, description="business seconds")
    resolution_paused_seconds: float = Field(default=0.0, description="business seconds")
    paused_since: datetime | None = None
    # When the SLA sweep should next look at each clock (near-breach, then breach);
    # NULL once notified or stopped. Indexed: the sweep reads only due rows.
    response_alert_at: datetime | None = Field(default=None, index=True)
    resolution_alert_at: datetime | None = Field(default=None, index=True)
    response_near_breach_notified: bool = False
    response_breach_notified: bool = False
    resolution_near_breach_notified: bool = False
    resolution_breach_notified: bool = False
    self_service_tried: list[Any] = Field(default_factory=list, sa_type=JSONType)
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    contact_id: int = Field(foreign_key="contacts.id")
    org_id: str = Field(foreign_key="organisations.id", max_length=64)
    #: A child of this known problem: not in the line's queue, its SLA follows the
    #: problem's incident, completed when the problem is resolved. (No foreign key: the
    #: problem names its incident ticket, and the two tables must not depend on each other.)
    known_problem_id: int | None = Field(default=None, index=True)


class TicketHistory(SQLModel, table=True):
    """Append-only: one row per changed field (who, when, from, to, why)."""

    __tablename__ = "ticket_history"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    at: datetime
    actor_kind: ActorRole = Field(sa_type=str_enum(ActorRole, length=16))
    actor_id: str | None = Field(default=None, max_length=64)
    field: str = Field(max_length=64)
    from_value: str | None = Field(default=None, sa_type=sa.Text)
    to_value: str | None = Field(default=None, sa_type=sa.Text)
    reason: str | None = Field(default=None, sa_type=sa.Text)


class Comment(SQLModel, table=True):
    __tablename__ = "comments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    at: datetime
    author_kind: ActorRole = Field(sa_type=str_enum(ActorRole, length=16))
    author_id: str | None = Field(default=None, max_length=64)
    public: bool = True
    body: str = Field(sa_type=sa.Text)


class Counter(SQLModel, table=True):
    """Named sequences; ``ticket`` numbers both INC- and REQ- tickets."""

    __tablename__ = "counters"

    name: str = Field(primary_key=True, max_length=32)
    value: int = 0
