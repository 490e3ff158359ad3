"""An e-mail carrying characters a database cannot hold (NUL; bytes the e-mail parser
keeps as lone surrogates) still becomes a ticket, on SQLite and on PostgreSQL."""

from intake_helpers import inbound, make_intake, tickets
from sqlalchemy import Engine
from ticket_helpers import World, outbox_rows

from selfservice.channels.mail_parse import parse_mail
from selfservice.domain.config import SupportConfig

RAW = (
    b"From: Ivan <ivan@acme.example>\r\n"
    b"To: support@selfservice.local\r\n"
    b"Subject: VPN\x00 does not connect\r\n"
    b"Message-ID: <nul-1@acme.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Since this morning the VPN does not connect.\x00\r\n"
    b"Log line: \xed\xa0\x80 broken bytes\r\n"
)


def test_nul_and_lone_surrogates_never_reach_the_database() -> None:
    mail = parse_mail(RAW)
    for text in (mail.subject, mail.body, mail.reply_text):
        assert "\x00" not in text
        assert not any("\ud800" <= ch <= "\udfff" for ch in text)
    assert mail.subject == "VPN does not connect"


def test_such_a_mail_opens_a_ticket(engine: Engine, world: World, config: SupportConfig) -> None:
    intake = make_intake(engine, config)
    intake.receive(RAW, via="test")
    [ticket] = tickets(engine)
    assert ticket.subject == "VPN does not connect"
    assert "\x00" not in ticket.description
    assert "Since this morning the VPN does not connect." in ticket.description
    [stored] = inbound(engine)
    assert stored.ticket_id == ticket.id
    assert [row.kind for row in outbox_rows(engine, ticket_id=ticket.id)] == ["registered"]
