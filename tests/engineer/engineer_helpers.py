"""Who is who in the engineer tests, and small request helpers."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from selfservice.db.migrate import upgrade_engine
from selfservice.db.models import Organisation, OutboxMessage, Role, Ticket
from selfservice.domain.config import SupportConfig
from selfservice.services import admin
from selfservice.web.identity import mint_token

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VM_FORM = {"form": "vm-down", "fields": {"vm_name": "web-01", "os": "linux"}}


@dataclass(frozen=True)
class Desk:
    acme: Organisation
    #: role ("L1", "L2", "L3", "manager") → (engineer id, API token)
    engineers: dict[str, tuple[int, str]]

    def staff(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.engineers[role][1]}"}

    def id(self, role: str) -> int:
        return self.engineers[role][0]

    def contact(self, email: str = "anna@acme.example") -> dict[str, str]:
        token = mint_token("acme", self.acme.token_secret, email, ttl=timedelta(hours=1))
        return {"Authorization": f"Bearer {token}"}


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    answer: dict[str, Any] = response.json()
    return answer


def file_ticket(client: TestClient, desk: Desk, **extra: Any) -> str:
    filed = ok(client.post("/api/v1/tickets", json={**VM_FORM, **extra},
                           headers=desk.contact()), 201)
    return str(filed["number"])


def ticket_row(engine: Engine, number: str) -> Ticket:
    with Session(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        return ticket


def outbox_kinds(engine: Engine, ticket_id: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.ticket_id == ticket_id)
        return [(m.kind, m.to_addr) for m in session.exec(query.order_by(col(OutboxMessage.id)))]


def prepare(engine: Engine, config: SupportConfig) -> Desk:
    """Migrate, sync the groups, and add acme (two contacts), globex and four engineers."""
    upgrade_engine(engine)
    admin.sync_support_groups(engine, config=config)
    now = datetime.now(UTC)
    acme = admin.add_organisation(engine, id="acme", name="ACME", contract_number="C-1",
                                  support_phone="+1 555 0100", now=now)
    admin.add_contact(engine, org_id="acme", email="anna@acme.example", name="Anna", now=now)
    tokens = {}
    for role, group in ((Role.L1, "service-desk"), (Role.L2, "l2-linux"),
                        (Role.L3, "l3-hardware"), (Role.MANAGER, None)):
        added = admin.add_engineer(engine, name=role.value, email=f"{role.value}@support.example",
                                   role=role, group_id=group, now=now)
        assert added.engineer.id is not None
        tokens[role.value] = (added.engineer.id, added.api_token)
    return Desk(acme, tokens)
