"""A registration never fails because kb/ and the support configuration disagree.

A service naming a group the configuration lacks (or one configured but not synced to the
database) is routed to the service desk queue, with a note in the ticket's history and one
warning in the log; the customer gets a ticket and the usual e-mail.
"""

import logging
import uuid
from dataclasses import replace

import pytest
from intake_helpers import kb_classifier, kb_content, message
from intake_helpers import tickets as all_tickets
from sqlalchemy import Engine
from ticket_helpers import T0, World, history, outbox_rows

from selfservice.channels.mail_parse import MailLimits
from selfservice.content.model import Service, Text
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, Line, Status, TicketType
from selfservice.domain.escalation import SupportGroup
from selfservice.services.mail_intake import MailIntake
from selfservice.services.registration import register_free_text

BILLING = Service(id="billing", name=Text("Billing", "Оплата"), group="finance-desk",
                  line=Line.L1)


def _register(engine: Engine, world: World, config: SupportConfig, service: Service) -> int:
    ticket = register_free_text(
        engine, config=config, contact_id=world.contact_en.id or 0,
        ticket_type=TicketType.REQUEST, service=service, subject="Invoice for March",
        description="The March invoice is missing", channel=Channel.PORTAL, now=T0,
    )
    assert ticket.id is not None
    return ticket.id


def test_an_unknown_group_goes_to_the_service_desk_with_a_note_logged_once(
    engine: Engine, world: World, config: SupportConfig, caplog: pytest.LogCaptureFixture
) -> None:
    # Once per process: a group name no other test uses.
    service = replace(BILLING, group=f"finance-{uuid.uuid4().hex[:8]}")
    with caplog.at_level(logging.WARNING, logger="selfservice.registration"):
        first = _register(engine, world, config, service)
        second = _register(engine, world, config, service)
    for tid in (first, second):
        [moved] = history(engine, tid, field="group")
        assert (moved.from_value, moved.to_value) == (service.group, "service-desk")
        assert moved.actor_kind.value == "system"
        assert f"'{service.group}'" in (moved.reason or "")
        assert "billing" in (moved.reason or "")
        [confirmation] = outbox_rows(engine, ticket_id=tid)
        assert confirmation.kind == "registered"
    tickets = all_tickets(engine)
    assert [(t.line, t.group_id, t.status) for t in tickets] == [
        (Line.L1, "service-desk", Status.REGISTERED)] * 2
    warnings = [r for r in caplog.records if service.group in r.getMessage()]
    assert len(warnings) == 1


def test_a_configured_group_missing_from_the_database_goes_to_the_service_desk(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    # The configuration gained a group after the database was synced (no `db upgrade`).
    newer = replace(config, groups={
        **config.groups,
        "finance-desk": SupportGroup("finance-desk", Line.L1, "Finance", "Финансы"),
    })
    tid = _register(engine, world, newer, BILLING)
    [moved] = history(engine, tid, field="group")
    assert moved.to_value == "service-desk" and "db upgrade" in (moved.reason or "")
    [ticket] = all_tickets(engine)
    assert ticket.group_id == "service-desk"


def test_a_service_on_the_wrong_line_follows_its_group(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    service = Service(id="compute", name=Text("VMs", "ВМ"), group="l2-linux", line=Line.L1)
    tid = _register(engine, world, config, service)
    [ticket] = all_tickets(engine)
    assert (ticket.line, ticket.group_id) == (Line.L2, "l2-linux")
    [moved] = history(engine, tid, field="line")
    assert (moved.from_value, moved.to_value) == ("L1", "L2")


def test_an_email_about_an_invoice_becomes_a_ticket_not_a_retry(
    engine: Engine, world: World, config: SupportConfig
) -> None:
    # The operator's configuration predates the account-management group of kb/.
    old = replace(config, groups={k: v for k, v in config.groups.items()
                                  if k != "account-management"})
    assert kb_content().services["billing"].group == "account-management"
    intake = MailIntake(engine, config=old, content=kb_content(),
                        own_addresses=["support@selfservice.local"], limits=MailLimits(),
                        classifier=kb_classifier(), clock=lambda: T0)
    mail = message(sender="John <john@acme.example>", subject="Invoice for March",
                   body="Hello, we have not received the invoice for March. Please send"
                        " the invoice and the payment details for our contract.")
    outcome = intake.receive(mail.as_bytes(), via="pipe")
    assert outcome.outcome.value == "ticket", outcome
    [ticket] = all_tickets(engine)
    assert ticket.service == "billing" and ticket.group_id == "service-desk"
    assert history(engine, ticket.id or 0, field="group")
