"""Monitoring alert intake: the sources allowed to post, the deliveries seen, and which
alert belongs to which ticket.

* ``alert_sources``: one per monitoring system (an Alertmanager, a Zabbix server). It files
  on behalf of ``org_id`` as ``contact_id``; only the sha256 of its bearer token is kept.
* ``alert_deliveries``: UNIQUE (source, delivery id): a retried or repeated delivery of the
  same event is answered from here and never applied twice.
Keys longer than 255 characters are stored as ``sha256:<hex>`` of the key.

* ``alert_links``: one row per alert (dedup key) on a ticket, with the alert's group key
  and state. An open ticket (not Completed/Closed) with a link for the same dedup key, or
  the same group key, is where the next event of that alert or group goes.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import selfservice.db.base  # noqa: F401  (naming convention first)


class AlertSourceRow(SQLModel, table=True):
    __tablename__ = "alert_sources"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    #: ``alertmanager`` (also Grafana) or ``zabbix``: the endpoint it may post to.
    kind: str = Field(max_length=16)
    org_id: str = Field(foreign_key="organisations.id", max_length=64, index=True)
    contact_id: int = Field(foreign_key="contacts.id")
    #: sha256 hex of the bearer token (shown once when the source is added).
    token_hash: str = Field(max_length=64, unique=True)
    active: bool = True
    created_at: datetime


class AlertDelivery(SQLModel, table=True):
    __tablename__ = "alert_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "delivery_id", name="uq_alert_deliveries_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="alert_sources.id")
    delivery_id: str = Field(max_length=64)
    dedup_key: str = Field(max_length=255)
    state: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    ticket_id: int | None = Field(default=None, foreign_key="tickets.id", index=True)
    at: datetime


class AlertLink(SQLModel, table=True):
    __tablename__ = "alert_links"
    __table_args__ = (
        sa.Index("ix_alert_links_org_dedup", "org_id", "dedup_key"),
        sa.Index("ix_alert_links_org_group", "org_id", "group_key"),
        sa.UniqueConstraint("ticket_id", "dedup_key", name="uq_alert_links_ticket_alert"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: str = Field(foreign_key="organisations.id", max_length=64)
    source_id: int = Field(foreign_key="alert_sources.id")
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    dedup_key: str = Field(max_length=255)
    group_key: str = Field(max_length=255)
    title: str = Field(max_length=300)
    #: ``firing`` or ``resolved``.
    state: str = Field(max_length=16)
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None = None
