"""Use cases beyond the main lifecycle: forms, priority, urgency, escalation, comments."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from ticket_helpers import SERVICE, T0, World, history, outbox_rows, reload

from selfservice.content.model import FieldType, FormField, RequestForm, Text
from selfservice.db.models import Comment
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import (
    Channel,
    Impact,
    Line,
    Priority,
    Status,
    TicketType,
    Urgency,
)
from selfservice.domain.errors import ActorNotAllowed, InvalidEscalation, PreconditionFailed
from selfservice.services import classification, comments, tickets
from selfservice.services.common import Actor
from selfservice.services.errors import Forbidden, InvalidSubmission, NotFound
from selfservice.services.escalation import escalate_ticket
from selfservice.services.registration import register_free_text, register_from_form

RESIZE = RequestForm(
    id="vm-resize", type=TicketType.REQUEST, service="compute",
    title=Text("Change VM resources", "Изменить ресурсы ВМ"),
    description=Text("More CPU or RAM", "Больше CPU или RAM"),
    fields=(
        FormField(id="vm", type=FieldType.HOSTNAME, label=Text("VM", "ВМ"), required=True),
        FormField(id="cpu", type=FieldType.INTEGER, label=Text("vCPU", "vCPU"), required=True,
                  min=1, max=64),
    ),
    path=Path("kb/catalog/vm-resize.yml"), fulfilment_hours=8,
)


def incident(engine: Engine, world: World, config: SupportConfig, **kw: object) -> int:
    args: dict[str, object] = {
        "ticket_type": TicketType.INCIDENT, "service": SERVICE, "subject": "VPN down",
        "description": "", "channel": Channel.PORTAL, "now": T0,
        "contact_id": world.contact_en.id or 0, **kw,
    }
    return register_free_text(engine, config=config, **args).id or 0  # type: ignore[arg-type]


def test_register_from_form_validates_and_stores_canonical_values(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    with pytest.raises(InvalidSubmission) as invalid:
        register_from_form(engine, config=config, contact_id=world.contact.id or 0, form=RESIZE,
                           service=SERVICE, values={"vm": "not a host!", "cpu": "0"},
                           channel=Channel.PORTAL, now=T0)
    assert {e.field for e in invalid.value.errors} == {"vm", "cpu"}
    assert outbox_rows(engine) == []  # nothing registered, nothing queued

    ticket = register_from_form(engine, config=config, contact_id=world.contact.id or 0,
                                form=RESIZE, service=SERVICE,
                                values={"vm": "VM-01.example.com", "cpu": "8"},
                                channel=Channel.PORTAL, now=T0)
    assert ticket.number == "REQ-000001" and ticket.form_id == "vm-resize"
    assert ticket.fields == {"vm": "vm-01.example.com", "cpu": 8}
    assert ticket.subject == "Change VM resources"
    # Requests follow the form's fulfilment time: 8 business hours, Moscow 09-18.
    # Monday 13:00 MSK + 8 h = Tuesday 12:00 MSK = 09:00 UTC.
    assert ticket.resolution_due == T0 + timedelta(hours=23)
    assert reload(engine, ticket.id or 0).fields == {"vm": "vm-01.example.com", "cpu": 8}


def test_unauthorised_contact_cannot_file(engine: Engine, world: World,
                                          config: SupportConfig) -> None:
    from selfservice.services import admin

    outsider = admin.add_contact(engine, org_id="acme", email="temp@acme.example", name="T",
                                 authorised=False, now=T0)
    with pytest.raises(Forbidden):
        incident(engine, world, config, contact_id=outsider.id)
    with pytest.raises(NotFound):
        incident(engine, world, config, contact_id=999_999)


def test_urgency_and_impact_recompute_priority_and_are_recorded(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    tid = incident(engine, world, config)  # medium × low → P4
    assert reload(engine, tid).priority is Priority.P4
    contact, l1 = Actor.contact(world.contact_en.id or 0), Actor.engineer(world.l1.id or 0)

    raised = classification.set_urgency(engine, ticket_id=tid, urgency=Urgency.VERY_HIGH,
                                        actor=contact, now=T0 + timedelta(minutes=1),
                                        config=config, reason="all users affected")
    assert raised.priority is Priority.P2 and raised.urgency_confirmed is False
    with pytest.raises(ActorNotAllowed):
        classification.set_impact(engine, ticket_id=tid, impact=Impact.HIGH, actor=contact,
                                  now=T0, config=config)
    changed = classification.set_impact(engine, ticket_id=tid, impact=Impact.SIGNIFICANT,
                                        actor=l1, now=T0 + timedelta(minutes=2), config=config)
    assert changed.priority is Priority.P1
    # P1 on 24x7: resolution 4 h from registration.
    assert changed.resolution_due == T0 + timedelta(hours=4)
    confirmed = classification.confirm_urgency(engine, ticket_id=tid, actor=l1,
                                               now=T0 + timedelta(minutes=3))
    assert confirmed.urgency_confirmed is True
    assert [(h.from_value, h.to_value) for h in history(engine, tid, field="priority")] == [
        ("P4", "P2"), ("P2", "P1")]
    assert [h.to_value for h in history(engine, tid, field="urgency_confirmed")] == [
        "False", "True"]
    assert [h.field for h in history(engine, tid)][1:] == [
        "urgency", "urgency_confirmed", "priority", "impact", "priority", "urgency_confirmed"]


def test_classify_changes_type_and_service(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    from selfservice.content.model import Service

    tid = incident(engine, world, config)
    network = Service(id="network", name=Text("Networks", "Сети"), group="service-desk",
                      line=Line.L1)
    ticket = classification.classify(engine, ticket_id=tid, actor=Actor.engineer(
        world.l1.id or 0), now=T0, config=config, ticket_type=TicketType.REQUEST,
        service=network, reason="a consultation, not an outage")
    assert (ticket.type, ticket.service) == (TicketType.REQUEST, "network")
    assert ticket.number.startswith("INC-")  # the number never changes
    assert {h.field for h in history(engine, tid)} >= {"type", "service"}


def test_invalid_escalations_change_nothing(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    tid = incident(engine, world, config)
    l1 = Actor.engineer(world.l1.id or 0)
    kw: dict[str, Any] = {
        "engine": engine, "ticket_id": tid, "actor": l1, "now": T0, "config": config}
    with pytest.raises(InvalidEscalation) as skipped:
        escalate_ticket(target_line=Line.L3, target_group="l3-network", reason="x", **kw)
    assert skipped.value.code == "skips_a_line"
    with pytest.raises(InvalidEscalation) as no_reason:
        escalate_ticket(target_line=Line.L2, target_group="l2-network", reason=" ", **kw)
    assert no_reason.value.code == "reason_required"
    with pytest.raises(NotFound):
        escalate_ticket(target_line=Line.L2, target_group="nope", reason="x", **kw)
    ticket = reload(engine, tid)
    assert (ticket.line, ticket.group_id) == (Line.L1, "service-desk")
    assert [h.field for h in history(engine, tid)] == ["status"]


def test_escalation_to_a_named_engineer_and_on_to_external(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    from selfservice.db.models import Role
    from selfservice.services import admin

    tid = incident(engine, world, config)
    l3_row = admin.add_engineer(engine, name="Pavel", email="pavel@support.example",
                                role=Role.L3, group_id="l3-hardware", now=T0).engineer
    l1, l2 = Actor.engineer(world.l1.id or 0), Actor.engineer(world.l2.id or 0)
    l3 = Actor.engineer(l3_row.id or 0)
    kw: dict[str, Any] = {"engine": engine, "ticket_id": tid, "config": config}
    escalate_ticket(actor=l1, target_line=Line.L2, target_group="l2-linux",
                    reason="kernel panic", assignee_id=world.l2.id, now=T0, **kw)
    ticket = reload(engine, tid)
    assert (ticket.status, ticket.assignee_id) == (Status.ASSIGNED, world.l2.id)
    tickets.start_work(actor=l2, now=T0 + timedelta(minutes=1), **kw)
    escalate_ticket(actor=l2, target_line=Line.L3, target_group="l3-hardware",
                    reason="disk controller", assignee_id=l3_row.id,
                    now=T0 + timedelta(minutes=2), **kw)
    escalate_ticket(actor=l3, target_line=Line.EXTERNAL, target_group="vendor",
                    reason="RMA with the vendor", now=T0 + timedelta(minutes=3), **kw)
    ticket = reload(engine, tid)
    assert ticket.status is Status.EXTERNAL_PROCESSING and ticket.line is Line.EXTERNAL
    assert ticket.assignee_id == l3_row.id  # still owns the ticket towards the vendor
    back = tickets.back_from_external(actor=l3, now=T0 + timedelta(hours=1), **kw)
    assert back.status is Status.IN_PROGRESS
    lines = [(h.from_value, h.to_value) for h in history(engine, tid, field="line")]
    assert lines == [("L1", "L2"), ("L2", "L3"), ("L3", "external")]


def test_comments_public_internal_and_first_response(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    tid = incident(engine, world, config)
    contact, l1 = Actor.contact(world.contact_en.id or 0), Actor.engineer(world.l1.id or 0)
    kw: dict[str, Any] = {"engine": engine, "ticket_id": tid, "config": config}
    comments.add_comment(actor=l1, body="checking the logs", public=False, now=T0, **kw)
    assert reload(engine, tid).responded_at is None  # internal: not a response
    comments.add_comment(actor=l1, body="We are on it", now=T0 + timedelta(minutes=3), **kw)
    assert reload(engine, tid).responded_at == T0 + timedelta(minutes=3)
    own = comments.add_comment(actor=contact, body="thanks", public=False,
                               now=T0 + timedelta(minutes=4), **kw)
    assert own.public is True  # a contact's comment is always public
    with Session(engine) as session:
        rows = session.exec(select(Comment).where(Comment.ticket_id == tid)).all()
    assert [(c.author_kind.value, c.public) for c in rows] == [
        ("engineer", False), ("engineer", True), ("contact", True)]
    with pytest.raises(PreconditionFailed):
        tickets.request_information(actor=l1, question=" ", now=T0, **kw)


def test_contact_of_another_org_is_refused(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    from selfservice.services import admin

    admin.add_organisation(engine, id="other", name="Other", contract_number="C-2", now=T0)
    stranger = admin.add_contact(engine, org_id="other", email="x@other.example", name="X",
                                 now=T0)
    tid = incident(engine, world, config)
    with pytest.raises(Forbidden):
        comments.add_comment(engine, ticket_id=tid, actor=Actor.contact(stranger.id or 0),
                             body="hi", now=T0, config=config)


def test_read_side_hides_internal_things_from_contacts(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    from selfservice.services import queries

    tid = incident(engine, world, config)
    second = incident(engine, world, config, urgency=Urgency.VERY_HIGH, impact=Impact.HIGH,
                      channel=Channel.PHONE)
    l1 = Actor.engineer(world.l1.id or 0)
    comments.add_comment(engine, ticket_id=tid, actor=l1, body="internal note", public=False,
                         now=T0, config=config)
    comments.add_comment(engine, ticket_id=tid, actor=l1, body="public answer", now=T0,
                         config=config)
    number = reload(engine, tid).number
    seen_by_contact = queries.ticket_details(engine, number=number,
                                             actor=Actor.contact(world.contact.id or 0))
    assert [c.body for c in seen_by_contact.comments] == ["public answer"]
    assert seen_by_contact.history == []
    seen_by_support = queries.ticket_details(engine, number=number, actor=l1)
    assert len(seen_by_support.comments) == 2 and seen_by_support.history
    with pytest.raises(NotFound):
        queries.ticket_details(engine, number="INC-999999", actor=l1)
    # P1 (4 h) before P4 (24 business hours): the most urgent deadline first.
    assert [t.id for t in queries.queue(engine, line=Line.L1)] == [second, tid]
    assert [t.id for t in queries.contact_tickets(
        engine, contact_id=world.contact_en.id or 0)] == [second, tid]
