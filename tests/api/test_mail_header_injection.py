"""Line breaks in user text never stop the outgoing mail, on SQLite and PostgreSQL.

Every character that breaks a header line (LF, CR, VT, FF, the ASCII separators, NEL
U+0085, U+2028, U+2029) goes in through the portal's subject, a conversation's text, an
inbound e-mail's encoded subject and a quoted sender local part. Then the real worker
delivers the outbox to a real SMTP server on loopback: every message goes out with the
break folded to a space (no injected ``Bcc``), and none is left waiting.
"""

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from api_helpers import People, say
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from selfservice.channels.classify import TextClassifier
from selfservice.content.model import Content
from selfservice.db.models import InboundMessage, OutboxMessage, OutboxStatus
from selfservice.db.session import transaction
from selfservice.delivery.notify import SmtpMailer
from selfservice.domain.config import SupportConfig
from selfservice.domain.enums import Language
from selfservice.run.worker import Worker
from selfservice.search import SearchIndex
from selfservice.services import outbox
from selfservice.services.mail_intake import MailIntake
from selfservice.services.mail_unknown import UnknownSenderReplies

BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
          "\u2029"]
RAW_LINE_ENDS = {"\n", "\r", "\r\n"}
INJECTED = "Bcc: victim@evil.example"
MX = "mx.test"

pytestmark = pytest.mark.parametrize(
    "api_db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)


class Collector:
    """An aiosmtpd handler keeping each accepted message with its envelope recipients."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture(scope="module")
def search_index(fixture_kb: Path, content: Content) -> Iterator[SearchIndex]:
    """Words only: what is tested here does not depend on the sentence model."""
    index = SearchIndex.open_or_build(fixture_kb.parent / "index-words", content, semantic=False)
    yield index
    index.close()


@pytest.fixture
def smtp() -> Iterator[tuple[int, Collector]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, collector
    finally:
        controller.stop()


def inbound_mail(*, sender: str, subject: str, body: str, auth: bool = False) -> bytes:
    """Raw bytes as an MTA delivers them: the subject RFC 2047-encoded, the sender as is."""
    lines = [f"From: {sender}", "To: support@selfservice.local",
             f"Subject: {Header(subject, 'utf-8').encode()}",
             f"Message-ID: <{abs(hash((sender, subject)))}@client.test>",
             "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    if auth:
        domain = sender.rpartition("@")[2]
        lines.insert(0, f"Authentication-Results: {MX}; dmarc=pass header.from={domain}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode("utf-8")


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def test_line_breaks_from_every_channel_never_stop_the_outgoing_mail(
    api: TestClient, engine: Engine, people: People, content: Content, config: SupportConfig,
    smtp: tuple[int, Collector],
) -> None:
    auth = people.bearer()
    intake = MailIntake(engine, config=config, content=content,
                        own_addresses=["support@selfservice.local"],
                        classifier=TextClassifier.from_content(content),
                        unknown_replies=UnknownSenderReplies("authenticated", MX))
    for i, brk in enumerate(BREAKS):
        # The portal: the contact's own subject.
        response = api.post("/api/v1/tickets", headers=auth, json={
            "subject": f"VPN {i}{brk}{INJECTED}", "description": "The VPN drops every hour."})
        assert response.status_code == 201, response.text
        # A conversation: its text becomes the ticket's description and subject.
        cid = api.post("/api/v1/conversations", headers=auth).json()["id"]
        say(api, cid, auth, text=f"Mail {i} is slow{brk}{INJECTED}")
        response = api.post("/api/v1/tickets", headers=auth, json={"conversation": cid})
        assert response.status_code == 201, response.text
        # An e-mail from the contact: the encoded subject becomes the ticket's subject.
        outcome = intake.receive(inbound_mail(sender="anna@acme.example",
                                              subject=f"Disk {i}{brk}{INJECTED}",
                                              body="The disk is full."), via="test")
        assert outcome.outcome.value == "ticket", outcome
        if brk in RAW_LINE_ENDS:
            continue  # in a raw header these end the line: no local part can hold them
        # A stranger whose quoted local part holds the break, from a domain that passed
        # DMARC: an answer would have to carry the break in its To header.
        outcome = intake.receive(inbound_mail(sender=f'"x{i}{brk}y"@stranger.example',
                                              subject="Hello", body="Hi", auth=True),
                                 via="test")
        assert outcome.outcome.value == "rejected", outcome
        assert "not answered" in outcome.reason
    with transaction(engine) as session:  # and were a message queued to such an address:
        outbox.enqueue(session, to="x\u2028y@stranger.example", subject="Hello", body="Hi",
                       language=Language.EN, kind="test", now=datetime.now(UTC))
    # A message queued after all of them, innocent.
    ivan = {"Authorization": f"Bearer {people.token('ivan@acme.example')}"}
    response = api.post("/api/v1/tickets", headers=ivan, json={"description": "Нужен доступ"})
    assert response.status_code == 201, response.text

    port, collector = smtp
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender="support@selfservice.local",
                        timeout=5)
    worker = Worker(engine=engine, mailer=mailer, config=config)
    worker.run_pass()

    rows = outbox_rows(engine)
    assert len(rows) == 3 * len(BREAKS) + 2
    statuses = {row.status for row in rows}
    assert statuses <= {OutboxStatus.SENT, OutboxStatus.FAILED}, [
        (r.to_addr, r.subject, r.status, r.last_error) for r in rows]
    [failed] = [row for row in rows if row.status is OutboxStatus.FAILED]
    assert failed.to_addr == "x\u2028y@stranger.example"
    assert "line break" in (failed.last_error or "")

    assert len(collector.received) == len(rows) - 1
    recipients = {r for rcpt, _ in collector.received for r in rcpt}
    assert recipients == {"anna@acme.example", "ivan@acme.example"}  # nobody at evil
    subjects = [str(message["Subject"]) for _, message in collector.received]
    for _, message in collector.received:
        assert message["Bcc"] is None
    for i in range(len(BREAKS)):
        assert any(f"VPN {i} {INJECTED}" in s for s in subjects), subjects
        assert any(f"Disk {i} {INJECTED}" in s for s in subjects), subjects
        assert any(f"Mail {i} is slow" in s for s in subjects), subjects
    assert any("Нужен доступ" in s for s in subjects)
    with Session(engine) as session:
        reasons = session.exec(select(InboundMessage.reason)).all()
    stranger = len(BREAKS) - len(RAW_LINE_ENDS)
    assert sum("cannot be written into a header" in (r or "") for r in reasons) == stranger
