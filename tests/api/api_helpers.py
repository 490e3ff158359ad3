"""Read-side helpers for the API tests (plain queries) and a small conversation driver."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from selfservice.db.models import (
    ArticleFeedback,
    Conversation,
    ConversationEvent,
    Organisation,
    OutboxMessage,
    SearchLog,
    Ticket,
)
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import ClosureCode
from selfservice.services import tickets
from selfservice.services.common import Actor
from selfservice.web.identity import mint_token


@dataclass(frozen=True)
class People:
    """Two organisations; acme has an English and a Russian contact and one who may not file."""

    acme: Organisation
    globex: Organisation
    engineer_id: int

    def token(
        self,
        email: str,
        *,
        org: str = "acme",
        ttl: timedelta = timedelta(hours=1),
        now: datetime | None = None,
    ) -> str:
        secret = (self.acme if org == "acme" else self.globex).token_secret
        return mint_token(org, secret, email, ttl=ttl, now=now)

    def bearer(self, email: str = "anna@acme.example", *, org: str = "acme") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email, org=org)}"}


def conversation_row(engine: Engine, conversation_id: str) -> Conversation:
    with Session(engine) as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None
        return row


def events(engine: Engine, conversation_id: str) -> list[str]:
    with Session(engine) as session:
        query = (
            select(ConversationEvent.kind)
            .where(ConversationEvent.conversation_id == conversation_id)
            .order_by(col(ConversationEvent.id))
        )
        return list(session.exec(query))


def search_log(engine: Engine) -> list[SearchLog]:
    with Session(engine) as session:
        return list(session.exec(select(SearchLog).order_by(col(SearchLog.id))))


def feedback(engine: Engine) -> list[ArticleFeedback]:
    with Session(engine) as session:
        return list(session.exec(select(ArticleFeedback).order_by(col(ArticleFeedback.id))))


def ticket_row(engine: Engine, number: str) -> Ticket:
    with Session(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        assert ticket is not None
        return ticket


def outbox_for(engine: Engine, ticket_id: int) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
        return list(session.exec(query.order_by(col(OutboxMessage.id))))


def say(
    client: TestClient, conversation_id: str, headers: dict[str, str] | None = None, **body: Any
) -> dict[str, Any]:
    """One turn; asserts it was accepted and returns the answer."""
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json=body, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def kinds(answer: dict[str, Any]) -> list[str]:
    return [m["type"] for m in answer["messages"]]


def complete_as_engineer(
    engine: Engine, *, number: str, engineer_id: int, config: SupportConfig
) -> None:
    """Move the ticket to Completed the way an engineer would: take it, work, complete."""
    ticket_id = ticket_row(engine, number).id
    assert ticket_id is not None
    actor = Actor.engineer(engineer_id)
    now = datetime.now(UTC)
    tickets.start_work(engine, ticket_id=ticket_id, actor=actor, now=now, config=config)
    tickets.complete(
        engine,
        ticket_id=ticket_id,
        actor=actor,
        closure_code=ClosureCode.RESOLVED,
        now=now,
        config=config,
        comment="Restarted the VM; it answers again.",
    )
