"""The whole life of a ticket on both databases, with history and e-mails at every step."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from ticket_helpers import SERVICE, T0, World, history, outbox_rows, reload

from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import (
    Channel,
    ClosureCode,
    Impact,
    Line,
    Priority,
    Status,
    TicketType,
    Urgency,
)
from selfservice.domain.errors import PreconditionFailed, TransitionNotAllowed
from selfservice.services import classification, comments, tickets
from selfservice.services.common import Actor
from selfservice.services.escalation import escalate_ticket
from selfservice.services.registration import register_free_text


def test_full_lifecycle(engine: Engine, world: World, config: SupportConfig) -> None:
    contact = Actor.contact(world.contact.id or 0)
    l1, l2 = Actor.engineer(world.l1.id or 0), Actor.engineer(world.l2.id or 0)
    kw: dict[str, Any] = {"engine": engine, "config": config}

    ticket = register_free_text(
        engine, config=config, contact_id=world.contact.id or 0, ticket_type=TicketType.INCIDENT,
        service=SERVICE, subject="VM не отвечает", description="vm-01 не пингуется",
        channel=Channel.PORTAL, urgency=Urgency.HIGH, impact=Impact.HIGH, now=T0,
        self_service_tried=[{"article": "vm-restart", "helped": False}],
    )
    tid = ticket.id or 0
    assert ticket.number == "INC-000001"
    assert ticket.status is Status.REGISTERED
    assert ticket.priority is Priority.P2  # high × high
    assert ticket.urgency_confirmed is False  # high urgency from the portal
    assert ticket.line is Line.L1 and ticket.group_id == "service-desk"
    assert ticket.resolution_due == T0 + timedelta(hours=8)  # P2: 8 h on 24x7
    assert ticket.self_service_tried == [{"article": "vm-restart", "helped": False}]

    classification.confirm_urgency(engine, ticket_id=tid, actor=l1, now=T0)
    tickets.assign(ticket_id=tid, engineer_id=world.l1.id or 0, actor=l1,
                   now=T0 + timedelta(minutes=5), **kw)
    tickets.start_work(ticket_id=tid, actor=l1, now=T0 + timedelta(minutes=6), **kw)

    paused = tickets.request_information(ticket_id=tid, actor=l1, question="Какой IP у VM?",
                                         now=T0 + timedelta(minutes=10), **kw)
    assert paused.status is Status.INFORMATION_NEEDED
    assert paused.paused_since == T0 + timedelta(minutes=10)
    assert paused.resolution_alert_at is None  # the sweep ignores a paused clock

    resumed = tickets.answer_information(ticket_id=tid, actor=contact, answer="10.0.0.5",
                                         now=T0 + timedelta(minutes=70), **kw)
    assert resumed.status is Status.IN_PROGRESS  # work had started: back to In progress
    assert resumed.paused_since is None
    assert resumed.resolution_paused_seconds == 3600
    assert resumed.resolution_due == T0 + timedelta(hours=9)  # 8 h + 1 h paused

    move = escalate_ticket(ticket_id=tid, actor=l1, target_line=Line.L2,
                           target_group="l2-linux", reason="нужен администратор Linux",
                           now=T0 + timedelta(minutes=80), **kw)
    assert move.to_group == "l2-linux"
    escalated = reload(engine, tid)
    assert (escalated.line, escalated.group_id) == (Line.L2, "l2-linux")
    assert escalated.status is Status.REGISTERED and escalated.assignee_id is None

    tickets.assign(ticket_id=tid, engineer_id=world.l2.id or 0, actor=l2,
                   now=T0 + timedelta(minutes=85), **kw)
    tickets.start_work(ticket_id=tid, actor=l2, now=T0 + timedelta(minutes=86), **kw)
    done = tickets.complete(ticket_id=tid, actor=l2, closure_code=ClosureCode.RESOLVED,
                            comment="перезапущен гипервизор", now=T0 + timedelta(hours=2), **kw)
    assert done.status is Status.COMPLETED and done.closure_code is ClosureCode.RESOLVED

    tickets.reject(ticket_id=tid, actor=contact, reason="всё ещё не работает",
                   now=T0 + timedelta(hours=3), **kw)
    tickets.start_work(ticket_id=tid, actor=l2, now=T0 + timedelta(hours=3, minutes=5), **kw)
    tickets.complete(ticket_id=tid, actor=l2, closure_code=ClosureCode.RESOLVED,
                     now=T0 + timedelta(hours=4), **kw)
    closed = tickets.confirm(ticket_id=tid, actor=contact, now=T0 + timedelta(hours=5), **kw)
    assert closed.status is Status.CLOSED and closed.closed_at == T0 + timedelta(hours=5)

    # Closed is final.
    with pytest.raises(TransitionNotAllowed) as refused:
        tickets.start_work(ticket_id=tid, actor=l2, now=T0 + timedelta(hours=6), **kw)
    assert refused.value.code == "closed_is_final"
    with pytest.raises(TransitionNotAllowed):
        comments.add_comment(ticket_id=tid, actor=contact, body="ещё вопрос",
                             now=T0 + timedelta(hours=6), **kw)

    statuses = [(h.from_value, h.to_value) for h in history(engine, tid, field="status")]
    assert statuses == [
        (None, "registered"),
        ("registered", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "information_needed"),
        ("information_needed", "in_progress"),
        ("in_progress", "registered"),  # escalated to the L2 queue
        ("registered", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "rejected_by_user"),
        ("rejected_by_user", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "closed"),
    ]
    fields = {h.field for h in history(engine, tid)}
    assert {"urgency_confirmed", "assignee", "line", "group", "closure_code"} <= fields
    escalation = history(engine, tid, field="group")[0]
    assert (escalation.from_value, escalation.to_value) == ("service-desk", "l2-linux")
    assert escalation.reason == "нужен администратор Linux"

    mails = outbox_rows(engine, ticket_id=tid)
    # Registration + one per status change, except the escalation's (a move between lines
    # is not the contact's business: domain.visibility), and assign + start a minute apart
    # (twice) are one mail each: changes within 2 minutes are coalesced.
    assert len(mails) == len(statuses) - 1 - 2
    assert [m.subject.split("]")[1].split(":")[0].strip() for m in mails[1:]] == [
        "В работе", "Требуется информация", "В работе", "В работе", "Работы завершены",
        "Отклонено пользователем", "В работе", "Работы завершены", "Закрыто"]
    assert "перезапущен гипервизор" in mails[5].body  # the result, public by default
    assert all(m.to_addr == "ivan@acme.example" and m.language == "ru" for m in mails)
    assert all(m.subject.startswith("[INC-000001]") for m in mails)
    assert "зарегистрировано" in mails[0].subject
    assert "телефону +7 495 000-00-00" in mails[0].body  # urgency must be confirmed
    assert "Какой IP у VM?" in mails[2].body
    assert mails[-1].subject == "[INC-000001] Закрыто: VM не отвечает"
    assert len({m.message_id for m in mails}) == len(mails)
    assert {m.thread_id for m in mails[1:]} == {mails[0].message_id}


def test_english_contact_gets_english_mail(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = register_free_text(
        engine, config=config, contact_id=world.contact_en.id or 0,
        ticket_type=TicketType.REQUEST, service=SERVICE, subject="Add 2 vCPU",
        description="", channel=Channel.EMAIL, now=T0,
    )
    assert ticket.number == "REQ-000001"
    assert ticket.urgency_confirmed is True  # medium urgency needs no confirmation
    tickets.complete(engine, ticket_id=ticket.id or 0, actor=Actor.engineer(world.l1.id or 0),
                     closure_code=ClosureCode.INVALID_REQUEST, comment="not our service",
                     now=T0 + timedelta(minutes=1), config=config)
    mails = outbox_rows(engine, ticket_id=ticket.id)
    assert [m.language for m in mails] == ["en", "en"]
    assert mails[0].subject == "[REQ-000001] Your ticket is registered: Add 2 vCPU"
    assert mails[1].subject == "[REQ-000001] Completed: Add 2 vCPU"
    assert "Resolution:\nnot our service\n\nResult: invalid request, no work done." in (
        mails[1].body)
    assert mails[1].html_body and "not our service" in mails[1].html_body


def test_completing_without_work_needs_a_no_work_code(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    ticket = register_free_text(
        engine, config=config, contact_id=world.contact.id or 0, ticket_type=TicketType.INCIDENT,
        service=SERVICE, subject="x", description="", channel=Channel.PHONE, now=T0,
        registered_by=Actor.engineer(world.l1.id or 0),
    )
    with pytest.raises(PreconditionFailed) as refused:
        tickets.complete(engine, ticket_id=ticket.id or 0,
                         actor=Actor.engineer(world.l1.id or 0),
                         closure_code=ClosureCode.RESOLVED, now=T0, config=config)
    assert refused.value.code == "work_not_started"
    assert reload(engine, ticket.id or 0).status is Status.REGISTERED  # rolled back
    assert len(outbox_rows(engine, ticket_id=ticket.id)) == 1  # only the registration
