"""The e-mail intake through real SMTP conversations: smtplib -> the aiosmtpd gateway on a
free loopback port -> the database, on SQLite and PostgreSQL.

The shared samples in ``../shared/eval/mail/`` are read in place (never copied); a reply is
"re-addressed" to a ticket by rewriting its Subject in memory.
"""

import json
import smtplib
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from intake_helpers import (
    AUTHENTICATED,
    MAIL_DIR,
    SUPPORT,
    Clock,
    CrashSwitch,
    attachments,
    comments,
    crlf,
    dmarc_pass,
    inbound,
    make_intake,
    message,
    require,
    smtp_send,
    tickets,
)
from sqlalchemy import Engine
from sqlmodel import Session, select
from support.processes import free_port
from ticket_helpers import SERVICE, T0, World, outbox_rows, reload

from selfservice.channels.mail_parse import MailLimits, parse_mail
from selfservice.db.engine import make_engine
from selfservice.db.models import Contact, InboundStatus
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Channel, ClosureCode, Status, TicketType, Urgency
from selfservice.run.mail_gateway import MailGateway
from selfservice.services import admin
from selfservice.services import tickets as ticket_cases
from selfservice.services.common import Actor
from selfservice.services.mail_intake import MailIntake
from selfservice.services.registration import register_free_text

Start = Callable[..., MailGateway]


@pytest.fixture
def start_gateway(engine: Engine, config: SupportConfig) -> Iterator[Start]:
    """``start_gateway(**intake_options)``: a running gateway on a free port."""
    running: list[MailGateway] = []

    def start(intake: MailIntake | None = None, **options: Any) -> MailGateway:
        gateway = MailGateway(intake or make_intake(engine, config, **options),
                              port=free_port(), recipients=[SUPPORT], retry_every=None)
        gateway.start()
        running.append(gateway)
        return gateway

    yield start
    for gateway in running:
        gateway.stop()


def send(gateway: MailGateway, raw: bytes | EmailMessage, *, sender: str) -> bytes:
    code, text = smtp_send(gateway.port, raw, sender=sender)
    assert code == 250, text
    gateway.drain()
    return bytes(text)


def with_subject(raw: bytes, subject: str) -> bytes:
    """The message with its Subject header replaced (in memory)."""
    head, sep, body = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"subject:")]
    lines.append(b"Subject: " + subject.encode())
    return b"\n".join(lines) + sep + body


def test_a_contacts_mail_opens_a_ticket_and_queues_the_confirmation(
    engine: Engine, world: World, start_gateway: Start
) -> None:
    gateway = start_gateway()
    mail = message(sender="Иван <ivan@acme.example>", subject="Срочно: VPN не подключается",
                   body="С утра VPN не подключается ни у кого в офисе.\n\n-- \nИван")
    answer = send(gateway, mail, sender="ivan@acme.example")
    assert b"Stored as #" in answer

    [ticket] = tickets(engine)
    assert ticket.channel is Channel.EMAIL
    assert (ticket.type, ticket.service) == (TicketType.INCIDENT, "network")
    assert ticket.contact_id == world.contact.id
    assert ticket.subject == "Срочно: VPN не подключается"
    assert ticket.urgency is Urgency.HIGH and ticket.urgency_confirmed is False
    [confirmation] = outbox_rows(engine, ticket_id=ticket.id)
    assert confirmation.kind == "registered" and confirmation.to_addr == "ivan@acme.example"
    assert ticket.number in confirmation.subject
    assert "+7 495 000-00-00" in confirmation.body  # confirm the urgency by phone
    [stored] = inbound(engine)
    assert (stored.status, stored.outcome, stored.ticket_id) == (
        InboundStatus.PROCESSED, "ticket", ticket.id)
    assert stored.via == "smtp" and stored.envelope_from == "ivan@acme.example"
    assert "urgency unconfirmed" in (stored.reason or "")


def test_medium_urgency_by_default_and_low_when_the_sender_says_so(
    engine: Engine, world: World, start_gateway: Start
) -> None:
    gateway = start_gateway()
    send(gateway, message(sender="john@acme.example", subject="Please add two licences",
                          body="We need two more Office licences."), sender="john@acme.example")
    send(gateway, message(sender="john@acme.example", subject="DNS record",
                          body="Please add a TXT record for example.org, not urgent."),
         sender="john@acme.example")
    first, second = tickets(engine)
    assert (first.type, first.urgency, first.urgency_confirmed) == (
        TicketType.REQUEST, Urgency.MEDIUM, True)
    assert second.urgency is Urgency.LOW


def test_an_authenticated_unknown_sender_gets_one_bilingual_answer_a_day(
    engine: Engine, world: World, start_gateway: Start
) -> None:
    clock = Clock()
    gateway = start_gateway(clock=clock, unknown_replies=AUTHENTICATED)
    for subject in ("Help", "Help again"):
        mail = message(sender="stranger@example.org", subject=subject, body="Is anyone there?",
                       headers={"Message-ID": make_msgid(), **dmarc_pass("example.org")})
        send(gateway, mail, sender="stranger@example.org")
    assert tickets(engine) == []
    [answer] = outbox_rows(engine)
    assert answer.to_addr == "stranger@example.org" and answer.kind == "intake_unknown_sender"
    assert "контактных лиц" in answer.body and "contact persons" in answer.body
    assert "Help" not in answer.body and "anyone" not in answer.body  # never echoed
    first, second = inbound(engine)
    assert first.outcome == second.outcome == "rejected"
    assert "answered" in (first.reason or "") and "not again" in (second.reason or "")

    clock.now = T0 + timedelta(days=1)
    send(gateway, message(sender="stranger@example.org", subject="Next day", body="Hello?",
                          headers=dmarc_pass("example.org")), sender="stranger@example.org")
    assert len(outbox_rows(engine)) == 2


def test_every_sample_message_gets_its_expected_outcome(
    engine: Engine, world: World, start_gateway: Start
) -> None:
    folder = require(MAIL_DIR)
    lines = (folder / "INDEX.jsonl").read_text(encoding="utf-8").splitlines()
    index = {row["file"]: row for row in map(json.loads, filter(None, lines))}
    senders = {parse_mail(f.read_bytes()).from_address for f in folder.glob("*.eml")}
    for address in sorted(a for a in senders if a):
        admin.add_contact(engine, org_id="acme", email=address, name=address, now=T0)
    gateway = start_gateway()
    for file in sorted(folder.glob("*.eml")):
        raw = file.read_bytes()
        sender = parse_mail(raw).from_address or "john@acme.example"  # one has no From
        send(gateway, raw, sender=sender)

    outcomes = {row.id: row for row in inbound(engine)}
    assert len(outcomes) == len(index)
    numbers = {t.id: t for t in tickets(engine)}
    for row, file in zip(outcomes.values(), sorted(folder.glob("*.eml")), strict=True):
        expected = "ignored" if index[file.name]["is_bounce_or_auto"] else "ticket"
        assert row.outcome == expected, (file.name, row.reason)
        if expected == "ignored":
            assert row.ticket_id is None and row.kind != "human", file.name
    # nobody but the ticket's contact got mail: one confirmation per ticket, no replies
    mails = outbox_rows(engine)
    assert [m.kind for m in mails] == ["registered"] * len(numbers)
    assert {m.ticket_id for m in mails} == set(numbers)

    by_file = {f.name: r for r, f in zip(outcomes.values(), sorted(folder.glob("*.eml")),
                                         strict=True)}
    bilingual = numbers[by_file["flanker-bilingual-simple.eml"].ticket_id or 0]
    assert bilingual.subject == "Simple text. How are you? Как ты поживаешь?"
    html_only = numbers[by_file["flanker-long-links-html-only.eml"].ticket_id or 0]
    assert "longurlmaker.com" in html_only.description and "<a" not in html_only.description
    stored = {(a.filename, a.size, a.data is not None) for a in attachments(engine)}
    assert {("test.pdf", 6940, True), ("thanks.eml", 2456, True), ("photo.JPG", 9023, True)} \
        <= stored
    assert "Attachments: test.pdf" in numbers[by_file["flanker-attached-pdf.eml"].ticket_id
                                              or 0].description


@pytest.fixture
def acme_ticket(engine: Engine, world: World, config: SupportConfig) -> int:
    admin.add_contact(engine, org_id="acme", email="xxx@gmail.com", name="Megan", now=T0)
    ticket = register_free_text(
        engine, config=config, contact_id=world.contact_en.id or 0,
        ticket_type=TicketType.INCIDENT, service=SERVICE, subject="VM not responding",
        description="vm-17 does not answer", channel=Channel.PORTAL, now=T0)
    return ticket.id or 0


def sample(name: str) -> bytes:
    return (require(MAIL_DIR) / name).read_bytes()


def test_a_reply_with_the_ticket_number_becomes_a_comment_without_the_quote(
    engine: Engine, world: World, start_gateway: Start, acme_ticket: int
) -> None:
    number = reload(engine, acme_ticket).number
    gateway = start_gateway()
    before = len(outbox_rows(engine))
    send(gateway, with_subject(sample("talon-reply-gmail.eml"), f"Re: [{number}] Test"),
         sender="xxx@gmail.com")
    [comment] = comments(engine, acme_ticket)
    assert comment.body == "Hello" and comment.public
    assert comment.author_id == str(contact_id_of(engine, "xxx@gmail.com"))
    [row] = inbound(engine)
    assert (row.outcome, row.ticket_id) == ("comment", acme_ticket)
    assert len(outbox_rows(engine)) == before  # a comment sends nothing back
    assert len(tickets(engine)) == 1


def contact_id_of(engine: Engine, email: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Contact).where(Contact.email == email)).one()
        return found.id or 0


def test_an_answer_to_information_needed_resumes_the_ticket_and_its_sla(
    engine: Engine, world: World, config: SupportConfig, start_gateway: Start, acme_ticket: int
) -> None:
    ticket_cases.request_information(engine, ticket_id=acme_ticket, actor=Actor.engineer(
        world.l1.id or 0), question="Which VM exactly?", now=T0, config=config)
    assert reload(engine, acme_ticket).paused_since is not None
    number = reload(engine, acme_ticket).number
    clock = Clock(T0 + timedelta(hours=1))
    gateway = start_gateway(clock=clock)
    send(gateway, with_subject(sample("talon-reply-apple_mail.eml"), f"Re: [{number}] Test"),
         sender="xxx@gmail.com")
    ticket = reload(engine, acme_ticket)
    assert ticket.status is Status.REGISTERED  # back where it was (nobody assigned yet)
    assert ticket.paused_since is None and ticket.resolution_paused_seconds > 0
    assert comments(engine, acme_ticket)[-1].body == "Hello"
    [row] = inbound(engine)
    assert row.outcome == "comment" and "SLA clock resumed" in (row.reason or "")


def test_a_reply_to_a_closed_ticket_is_refused_with_an_answer(
    engine: Engine, world: World, config: SupportConfig, start_gateway: Start, acme_ticket: int
) -> None:
    engineer = Actor.engineer(world.l1.id or 0)
    ticket_cases.start_work(engine, ticket_id=acme_ticket, actor=engineer, now=T0, config=config)
    ticket_cases.complete(engine, ticket_id=acme_ticket, actor=engineer, now=T0, config=config,
                          closure_code=ClosureCode.RESOLVED)
    ticket_cases.confirm(engine, ticket_id=acme_ticket, actor=Actor.contact(
        world.contact_en.id or 0), now=T0, config=config)
    number = reload(engine, acme_ticket).number
    gateway = start_gateway()
    before = len(comments(engine, acme_ticket))
    send(gateway, with_subject(sample("talon-reply-iphone.eml"), f"Re: [{number}] Test"),
         sender="xxx@gmail.com")
    assert len(comments(engine, acme_ticket)) == before
    [row] = inbound(engine)
    assert (row.outcome, row.ticket_id) == ("rejected", acme_ticket)
    answer = outbox_rows(engine)[-1]
    assert (answer.kind, answer.to_addr) == ("intake_closed_ticket", "xxx@gmail.com")
    assert number in answer.subject and "new" in answer.body
    assert len(tickets(engine)) == 1


def test_a_reply_from_another_organisation_is_not_added(
    engine: Engine, world: World, start_gateway: Start, acme_ticket: int
) -> None:
    admin.add_organisation(engine, id="globex", name="Globex", contract_number="C-2", now=T0)
    admin.add_contact(engine, org_id="globex", email="hank@globex.example", name="Hank",
                      now=T0)
    number = reload(engine, acme_ticket).number
    gateway = start_gateway()
    send(gateway, message(sender="hank@globex.example", subject=f"Re: [{number}] VM",
                          body="Me too"), sender="hank@globex.example")
    assert comments(engine, acme_ticket) == []
    [row] = inbound(engine)
    assert row.outcome == "rejected" and "not a contact of the organisation" in (row.reason or "")
    assert outbox_rows(engine)[-1].kind == "intake_foreign_ticket"


def test_a_reply_to_our_notification_is_threaded_by_in_reply_to(
    engine: Engine, world: World, start_gateway: Start, acme_ticket: int
) -> None:
    [confirmation] = outbox_rows(engine, ticket_id=acme_ticket)
    gateway = start_gateway()
    reply = message(sender="john@acme.example", subject="Re: your ticket", body="It is vm-17.",
                    headers={"In-Reply-To": confirmation.message_id})
    send(gateway, reply, sender="john@acme.example")
    assert [c.body for c in comments(engine, acme_ticket)] == ["It is vm-17."]


def test_an_attachment_is_stored_and_an_oversized_one_refused(
    engine: Engine, world: World, start_gateway: Start
) -> None:
    raw = sample("flanker-attached-pdf.eml")  # no From header: the envelope sender counts
    gateway = start_gateway(limits=MailLimits(max_attachment_bytes=4096))
    send(gateway, raw, sender="ivan@acme.example")
    [ticket] = tickets(engine)
    [pdf] = attachments(engine)
    assert (pdf.filename, pdf.size, pdf.data, pdf.ticket_id) == ("test.pdf", 6940, None,
                                                                 ticket.id)
    assert pdf.rejection and "4 KB" in pdf.rejection
    assert "Not added: The attachment \"test.pdf\"" in ticket.description
    [row] = inbound(engine)
    assert "Not added" in (row.reason or "")
    kinds = {m.kind: m for m in outbox_rows(engine, ticket_id=ticket.id)}
    assert "не добавлено" in kinds["intake_attachments_rejected"].body  # Ivan reads Russian

    gateway.stop()
    whole = start_gateway()
    send(whole, raw.replace(b"Subject: test message", b"Subject: again"),
         sender="ivan@acme.example")
    stored = attachments(engine)[-1]
    expected = next(a for a in parse_mail(raw).attachments if a.filename == "test.pdf")
    assert stored.data == expected.data and stored.rejection is None


def test_a_message_is_stored_before_250_and_survives_a_crash_in_processing(
    engine: Engine, world: World, config: SupportConfig, start_gateway: Start,
    crash_before_commit: CrashSwitch,
) -> None:
    raw = message(sender="john@acme.example", subject="Backup failed",
                  body="Last night's backup job failed.",
                  headers={"Message-ID": make_msgid()}).as_bytes()
    with crash_before_commit():
        broken = start_gateway()
        send(broken, raw, sender="john@acme.example")
        assert tickets(engine) == []  # the crash rolled the ticket back ...
        [row] = inbound(engine)       # ... but the message was stored before 250
        assert row.status is InboundStatus.PENDING and row.attempts == 1
        assert "simulated crash" in (row.last_error or "")
        broken.stop()

    healthy = start_gateway()     # a new gateway processes what is pending at start
    healthy.drain()
    [ticket] = tickets(engine)
    assert inbound(engine)[0].ticket_id == ticket.id
    answer = send(healthy, raw, sender="john@acme.example")  # the MTA delivers it again
    assert b"Already received" in answer
    assert len(tickets(engine)) == 1 and len(inbound(engine)) == 1
    assert healthy.intake.process_pending() == []


def test_a_message_that_cannot_be_stored_is_refused_with_451(
    config: SupportConfig, tmp_path: Path, start_gateway: Start
) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'no-tables.db'}")  # never migrated
    try:
        gateway = start_gateway(intake=make_intake(empty, config))
        code, text = smtp_send(gateway.port, message(sender="john@acme.example", subject="x",
                                                      body="y"), sender="john@acme.example")
        assert code == 451 and b"try again later" in text  # the MTA keeps it and retries
    finally:
        empty.dispose()


def test_bounces_and_robots_never_get_an_answer(
    engine: Engine, world: World, start_gateway: Start
) -> None:
    gateway = start_gateway()
    for name in ("flanker-bounce-gmail-invalid-address.eml", "sisimai-autoreply-exchange.eml",
                 "flanker-disposition-notification.eml", "flanker-complaint-yahoo-arf.eml"):
        send(gateway, sample(name), sender="")
    send(gateway, message(sender=SUPPORT, subject="Loop?", body="our own mail"),
         sender=SUPPORT)
    send(gateway, message(sender="noreply@vendor.example", subject="Newsletter", body="News"),
         sender="noreply@vendor.example")
    assert tickets(engine) == [] and outbox_rows(engine) == []
    outcomes = [(r.outcome, r.kind) for r in inbound(engine)]
    assert outcomes[:4] == [("ignored", "bounce"), ("ignored", "auto_reply"),
                            ("ignored", "read_receipt"), ("ignored", "complaint")]
    assert outcomes[4] == ("ignored", "human") and outcomes[5] == ("rejected", "human")


def test_only_the_support_address_is_accepted(world: World, start_gateway: Start) -> None:
    gateway = start_gateway()
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=10) as client:
        client.ehlo("client.test")
        client.mail("john@acme.example")
        code, _ = client.rcpt("someone-else@selfservice.local")
    assert code == 550


def test_null_sender_mail_is_ignored(engine: Engine, world: World, start_gateway: Start) -> None:
    gateway = start_gateway()
    send(gateway, crlf(message(sender="john@acme.example", subject="Hi", body="x").as_bytes()),
         sender="")
    assert tickets(engine) == []
    assert "null envelope sender" in (inbound(engine)[0].reason or "")
