"""Shared pieces of the e-mail and alert intake tests: the real knowledge base, the shared
evaluation samples (read in place, never copied), an intake factory and plain queries."""

import os
import smtplib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from ticket_helpers import T0

from selfservice.channels.classify import TextClassifier
from selfservice.channels.mail_parse import MailLimits
from selfservice.content.loader import load_content
from selfservice.content.model import Content
from selfservice.db.models import Comment, InboundMessage, MailAttachment, Ticket
from selfservice.domain.config import SupportConfig
from selfservice.services.mail_intake import MailIntake
from selfservice.services.mail_unknown import UnknownSenderReplies

REPO = Path(__file__).resolve().parents[2]
EVAL = REPO.parent / "shared" / "eval"
MAIL_DIR = EVAL / "mail"
ALERTS_DIR = EVAL / "alerts"
SUPPORT = "support@selfservice.local"
#: The authserv-id of the MTA the tests' gateway trusts.
MX = "mx.selfservice.local"
#: Answers to unknown senders as a gateway behind that MTA gives them.
AUTHENTICATED = UnknownSenderReplies(mode="authenticated", authserv_id=MX)


#: ``with crash_before_commit():`` (a fixture of conftest.py) makes mail processing crash
#: at its commit point.
CrashSwitch = Callable[[], AbstractContextManager[None]]


def dmarc_pass(domain: str, *, authserv_id: str = MX) -> dict[str, str]:
    """The header the trusted MTA adds to a message whose From domain passed DMARC."""
    return {"Authentication-Results": f"{authserv_id}; spf=pass smtp.mailfrom={domain};"
                                      f" dkim=pass header.d={domain};"
                                      f" dmarc=pass (p=reject) header.from={domain}"}


@cache
def kb_content() -> Content:
    return load_content(REPO / "kb")


@cache
def kb_classifier() -> TextClassifier:
    return TextClassifier.from_content(kb_content())


def require(folder: Path) -> Path:
    if not folder.is_dir():
        message = f"evaluation samples not found at {folder} (expected next to the repo)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI always has shared/ beside the clone
        pytest.skip(message)
    return folder


class Clock:
    """A settable clock (the once-a-day rule is about days)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_intake(
    engine: Engine, config: SupportConfig, *, clock: Callable[[], datetime] | None = None,
    limits: MailLimits | None = None, max_attempts: int = 5,
    unknown_replies: UnknownSenderReplies | None = None,
) -> MailIntake:
    return MailIntake(engine, config=config, content=kb_content(), own_addresses=[SUPPORT],
                      limits=limits, classifier=kb_classifier(), clock=clock or Clock(),
                      max_attempts=max_attempts, unknown_replies=unknown_replies)


def crlf(raw: bytes) -> bytes:
    """Line ends as they travel over SMTP."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def message(
    *, sender: str, subject: str, body: str, to: str = SUPPORT,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


def smtp_send(port: int, raw: bytes | EmailMessage, *, sender: str, to: str = SUPPORT) -> Any:
    """One SMTP conversation with the gateway; the server's answer to DATA."""
    data = raw.as_bytes() if isinstance(raw, EmailMessage) else raw
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo("client.test")
        client.mail(sender)
        code, text = client.rcpt(to)
        assert code == 250, text
        return client.data(crlf(data))


def tickets(engine: Engine) -> list[Ticket]:
    with Session(engine) as session:
        return list(session.exec(select(Ticket).order_by(col(Ticket.id))))


def comments(engine: Engine, ticket_id: int) -> list[Comment]:
    with Session(engine) as session:
        return list(session.exec(
            select(Comment).where(Comment.ticket_id == ticket_id).order_by(col(Comment.id))
        ))


def inbound(engine: Engine) -> list[InboundMessage]:
    with Session(engine) as session:
        return list(session.exec(select(InboundMessage).order_by(col(InboundMessage.id))))


def attachments(engine: Engine) -> list[MailAttachment]:
    with Session(engine) as session:
        return list(session.exec(select(MailAttachment).order_by(col(MailAttachment.id))))
