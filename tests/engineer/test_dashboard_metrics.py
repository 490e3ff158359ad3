"""The managers' dashboard metrics on a small hand-made desk, exact numbers, on SQLite
and PostgreSQL (the ``engine`` fixture)."""

from datetime import UTC, datetime, timedelta

import pytest
from engineer_helpers import Desk
from sqlalchemy import Engine
from sqlmodel import Session, select

from selfservice.db.models import Contact, Conversation, ConversationEvent, Ticket, TicketHistory
from selfservice.domain.enums import Language
from selfservice.services import admin
from selfservice.services import deflection_metrics as deflection
from selfservice.services import desk_metrics as desk_m
from selfservice.services.metrics_sql import Period

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PERIOD = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
SERVICES = {"reset-en": "identity", "vpn-en": "network"}


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def ticket(n: int, **values: object) -> Ticket:
    defaults: dict[str, object] = {
        "number": f"INC-{n:06d}", "type": "incident", "service": "compute",
        "subject": f"ticket {n}", "channel": "portal", "urgency": "medium", "impact": "low",
        "priority": "P4", "status": "in_progress", "line": "L1", "org_id": "acme",
    }
    defaults.update(values)
    defaults.setdefault("updated_at", defaults["created_at"])
    return Ticket(id=n, **defaults)  # type: ignore[arg-type]


@pytest.fixture
def seeded(engine: Engine, desk: Desk) -> Engine:
    """Six tickets (five in the period), their escalations, six conversations."""
    globex = admin.add_organisation(engine, id="globex", name="Globex", contract_number="G-1",
                                    now=NOW)
    other = admin.add_contact(engine, org_id=globex.id, email="bo@globex.example", name="Bo",
                              language=Language.EN, now=NOW)
    with Session(engine) as session:
        anna = session.exec(select(Contact.id).where(Contact.email == "anna@acme.example")).one()
        tickets = [
            # met / met, completed
            ticket(1, service="identity", priority="P2", created_at=at(2, 9, 30),
                   response_due=at(2, 10), responded_at=at(2, 9, 45),
                   resolution_due=at(2, 17, 30), resolution_stopped_at=at(2, 16),
                   status="completed", completed_at=at(2, 16)),
            # response breached, resolution running past its deadline; escalated to L2
            ticket(2, channel="email", priority="P2", line="L2", created_at=at(2, 10, 15),
                   response_due=at(2, 10, 45), responded_at=at(2, 11),
                   resolution_due=at(2, 18, 15)),
            # response running past its deadline, resolution still within
            ticket(3, channel="phone", status="registered", created_at=at(9, 14),
                   response_due=at(9, 18), resolution_due=at(12, 14)),
            # L1 -> L2 -> L3, response met, resolution paused (waiting for the customer)
            ticket(4, channel="monitoring", line="L3", status="information_needed",
                   created_at=at(10, 2), response_due=at(10, 6), responded_at=at(10, 5),
                   resolution_due=at(13, 2), paused_since=at(10, 8)),
            # globex: response met, resolution breached, closed
            ticket(5, channel="email", priority="P3", status="closed", org_id="globex",
                   contact_id=other.id, created_at=at(5, 11, 20), response_due=at(5, 12, 20),
                   responded_at=at(5, 12), resolution_due=at(6, 11, 20),
                   resolution_stopped_at=at(6, 12), completed_at=at(6, 12)),
            # before the period, still open
            ticket(6, created_at=at(20, 9, month=2), response_due=at(20, 13, month=2),
                   resolution_due=at(23, 9, month=2)),
        ]
        for row in tickets:
            if row.contact_id is None:
                row.contact_id = anna
            session.add(row)
        session.flush()
        for ticket_id, when, old, new in ((2, at(2, 12), "L1", "L2"), (4, at(10, 3), "L1", "L2"),
                                          (4, at(10, 4), "L2", "L3"),
                                          (6, at(21, 9, month=2), "L1", "L2")):
            session.add(TicketHistory(ticket_id=ticket_id, at=when, actor_kind="engineer",
                                      field="line", from_value=old, to_value=new))
        talks = (
            ("c1", at(2, 10), "deflected", None, ["reset-en"], "reset-en"),
            ("c2", at(2, 11), "ticket_filed", 1, ["reset-en", "vpn-en"], None),
            ("c3", at(3, 9), "abandoned", None, [], None),
            ("c4", at(3, 10), "deflected", None, ["vpn-en"], "vpn-en"),
            ("c5", at(3, 12), None, None, ["reset-en"], None),
            ("c6", at(20, 10, month=2), "deflected", None, ["reset-en"], "reset-en"),
        )
        for cid, started, outcome, ticket_id, shown, solved in talks:
            session.add(Conversation(id=cid, lang="en", phase="closed", outcome=outcome,
                                     ticket_id=ticket_id, started_at=started,
                                     updated_at=started))
            session.flush()
            for article in shown:
                session.add(ConversationEvent(conversation_id=cid, at=started, kind="article_shown",
                                              article=article))
            if solved:
                session.add(ConversationEvent(conversation_id=cid, kind="deflected",
                                              at=started + timedelta(minutes=1), article=solved))
        session.commit()
    return engine


def test_funnel_per_day(seeded: Engine) -> None:
    rows = deflection.funnel(seeded, period=PERIOD)
    assert [(r.day, r.conversations, r.article_shown, r.deflected, r.ticket_filed, r.abandoned)
            for r in rows] == [("2026-03-02", 2, 2, 1, 1, 0), ("2026-03-03", 3, 2, 1, 0, 1)]


def test_deflection_per_article_and_service(seeded: Engine) -> None:
    articles = deflection.per_article(seeded, period=PERIOD, services=SERVICES)
    assert [(a.article, a.service, a.shown, a.deflected, a.rate) for a in articles] == [
        ("reset-en", "identity", 3, 1, 0.3333), ("vpn-en", "network", 2, 1, 0.5)]
    services = deflection.per_service(seeded, period=PERIOD, services=SERVICES)
    assert [(s.service, s.deflected, s.ticket_filed, s.rate) for s in services] == [
        ("identity", 1, 1, 0.5), ("network", 1, 0, 1.0)]


@pytest.mark.parametrize(("by", "expected"), [
    (desk_m.SlaBy.PRIORITY, [("P2", 2, 1, 1, 0, 1, 1, 0), ("P3", 1, 1, 0, 0, 0, 1, 0),
                             ("P4", 2, 1, 1, 0, 0, 0, 2)]),
    (desk_m.SlaBy.LINE, [("L1", 3, 2, 1, 0, 1, 1, 1), ("L2", 1, 0, 1, 0, 0, 1, 0),
                         ("L3", 1, 1, 0, 0, 0, 0, 1)]),
    (desk_m.SlaBy.ORG, [("acme", 4, 2, 2, 0, 1, 1, 2), ("globex", 1, 1, 0, 0, 0, 1, 0)]),
])
def test_sla_compliance(seeded: Engine, by: desk_m.SlaBy,
                        expected: list[tuple[object, ...]]) -> None:
    rows = desk_m.sla_compliance(seeded, period=PERIOD, by=by, now=NOW)
    assert [(r.key, r.tickets, r.response_met, r.response_breached, r.response_open,
             r.resolution_met, r.resolution_breached, r.resolution_open)
            for r in rows] == expected


def test_sla_rates(seeded: Engine) -> None:
    rows = desk_m.sla_compliance(seeded, period=PERIOD, by=desk_m.SlaBy.ORG, now=NOW)
    assert [(r.response_rate, r.resolution_rate) for r in rows] == [(0.5, 0.5), (1.0, 0.0)]


def test_backlog_by_line_and_age(seeded: Engine) -> None:
    rows = desk_m.backlog(seeded, now=NOW)
    assert [(r.line, r.buckets, r.total) for r in rows] == [
        ("L1", (0, 1, 0, 0, 1), 2), ("L2", (0, 0, 0, 0, 1), 1), ("L3", (0, 1, 0, 0, 0), 1)]


def test_tickets_per_channel_and_hour(seeded: Engine) -> None:
    rows = desk_m.channel_hours(seeded, period=PERIOD)
    assert [(r.channel, r.hour, r.tickets) for r in rows] == [
        ("email", 10, 1), ("email", 11, 1), ("monitoring", 2, 1), ("phone", 14, 1),
        ("portal", 9, 1)]


def test_escalation_rates(seeded: Engine) -> None:
    rows = desk_m.escalations(seeded, period=PERIOD)
    assert [(r.from_line, r.to_line, r.reached, r.escalated, r.rate) for r in rows] == [
        ("L1", "L2", 5, 2, 0.4), ("L2", "L3", 2, 1, 0.5), ("L3", "external", 1, 0, 0.0)]


def test_an_empty_period_has_no_rows_and_no_rates(seeded: Engine) -> None:
    empty = Period(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    assert deflection.funnel(seeded, period=empty) == []
    assert deflection.per_article(seeded, period=empty) == []
    assert desk_m.sla_compliance(seeded, period=empty, by=desk_m.SlaBy.LINE, now=NOW) == []
    assert [(r.reached, r.rate) for r in desk_m.escalations(seeded, period=empty)] == [
        (0, None)] * 3
