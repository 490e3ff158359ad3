"""Outbound mail: one interface (:class:`Mailer`) and its SMTP implementation.

Only the worker sends mail. Use cases never do: they write rows into the outbox in their
own transaction (``selfservice.services.outbox.enqueue``) and the worker delivers them.
"""

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from selfservice.settings import Settings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    #: Stable across retries: ``<...@...>``; receivers can drop a duplicate by it.
    message_id: str
    language: str = "en"
    created_at: datetime | None = None


class MailError(Exception):
    """Sending failed. ``permanent`` means retrying cannot help (e.g. 5xx recipient refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver ``mail`` to the next hop or raise :class:`MailError`."""


def build_message(mail: Mail, *, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = mail.message_id
    msg["Content-Language"] = mail.language
    if mail.created_at is not None:
        msg["Date"] = format_datetime(mail.created_at)
    # Every message we send is automatic (RFC 3834): vacation responders and other robots
    # must not answer it, and our own intake ignores it if it ever comes back.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(mail.body)
    return msg


@dataclass(frozen=True)
class SmtpMailer:
    """SMTP via smtplib. ``security``: ``none``, ``starttls`` or ``tls`` (implicit TLS)."""

    host: str
    port: int
    sender: str
    security: str = "none"
    user: str | None = None
    password: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "SmtpMailer":
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
        )

    def send(self, mail: Mail) -> None:
        message = build_message(mail, sender=self.sender)
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(f"recipient refused: {exc.recipients}",
                            permanent=all(c >= 500 for c in codes)) from exc
        except smtplib.SMTPDataError as exc:
            # The server refused this message's content: sending it again will not help.
            raise MailError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                            permanent=exc.smtp_code >= 500) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        if self.security in {"none", "starttls"}:
            return smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        raise ValueError(f"smtp security must be none, starttls or tls, not {self.security!r}")
