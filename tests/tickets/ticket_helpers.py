"""Shared constants and read-side helpers for the ticket tests (plain queries only)."""

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from selfservice.content.model import Service, Text
from selfservice.db.models import (
    Contact,
    Engineer,
    Organisation,
    OutboxMessage,
    Ticket,
    TicketHistory,
)
from selfservice.domain.enums import Line

#: A Monday, 10:00 UTC (13:00 in Moscow): inside business hours.
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)

SERVICE = Service(id="compute", name=Text("Virtual machines", "Виртуальные машины"),
                  group="service-desk", line=Line.L1)


@dataclass(frozen=True)
class World:
    """What the ``world`` fixture creates: one org, two contacts, three engineers."""

    org: Organisation
    contact: Contact  # Russian-speaking
    contact_en: Contact
    l1: Engineer
    l2: Engineer
    manager: Engineer


def outbox_rows(engine: Engine, *, ticket_id: int | None = None) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if ticket_id is not None:
            query = query.where(OutboxMessage.ticket_id == ticket_id)
        return list(session.exec(query))


def history(engine: Engine, ticket_id: int, *, field: str | None = None) -> list[TicketHistory]:
    with Session(engine) as session:
        query = (
            select(TicketHistory)
            .where(TicketHistory.ticket_id == ticket_id)
            .order_by(col(TicketHistory.id))
        )
        if field is not None:
            query = query.where(TicketHistory.field == field)
        return list(session.exec(query))


def reload(engine: Engine, ticket_id: int) -> Ticket:
    with Session(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


class MailCollector:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")



@dataclass
class SmtpServer:
    port: int
    collector: MailCollector
    controller: Controller | None = None

    def start(self) -> None:
        # Controller(port=0) fails its self-check: bind a free port first (TOOLCHAIN §5).
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
