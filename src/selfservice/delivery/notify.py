"""Outbound mail: one interface (:class:`Mailer`) and its SMTP implementation.

Only the worker sends mail. Use cases never do: they write rows into the outbox in their
own transaction (``selfservice.services.outbox.enqueue``) and the worker delivers them.
"""

import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Final, Protocol

from selfservice.config.settings import Settings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    #: Stable across retries: ``<...@...>``; receivers can drop a duplicate by it.
    message_id: str
    language: str = "en"
    created_at: datetime | None = None
    #: The HTML alternative of ``body``: the message is multipart/alternative.
    html: str | None = None
    #: The Message-ID this one follows (the ticket's first mail): In-Reply-To, References.
    thread_id: str | None = None


class MailError(Exception):
    """Sending failed. ``permanent`` means retrying cannot help (e.g. 5xx recipient refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Deliver ``mail`` to the next hop or raise :class:`MailError`."""


#: Longest header text we write: the size of the outbox subject column.
HEADER_TEXT_LIMIT: Final = 300
#: Unicode categories folded to a space in a header: control characters (CR, LF, NEL
#: U+0085, the ASCII separators …), line and paragraph separators (U+2028, U+2029) and
#: spaces. Python's email package treats each line-breaking one as a header injection and
#: refuses to build the message at all.
_FOLDED: Final = frozenset({"Cc", "Zl", "Zp", "Zs"})
_BREAKING: Final = frozenset({"Cc", "Zl", "Zp"})


def header_text(value: str, *, limit: int = HEADER_TEXT_LIMIT) -> str:
    """``value`` made safe for a header: every line break, control or separator character
    becomes one space, runs of spaces one space, and it is cut to ``limit`` characters."""
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    folded = "".join(" " if unicodedata.category(c) in _FOLDED else c for c in value)
    text = " ".join(folded.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def unsafe_address(address: str) -> bool:
    """An address a header cannot carry as it is: folding its line break would send the
    message to a different mailbox, so it is not sent at all."""
    return any(unicodedata.category(c) in _BREAKING for c in address) or not address.strip()


def build_message(mail: Mail, *, sender: str) -> EmailMessage:
    """The message as it goes out; raises :class:`MailError` (permanent) for a recipient
    address that no header can carry."""
    if unsafe_address(mail.to):
        raise MailError(f"recipient address {mail.to!r} holds a line break or control "
                        "character: not sent", permanent=True)
    msg = EmailMessage()
    msg["From"] = header_text(sender)
    msg["To"] = mail.to
    msg["Subject"] = header_text(mail.subject)
    msg["Message-ID"] = header_text(mail.message_id)
    msg["Content-Language"] = header_text(mail.language)
    if mail.created_at is not None:
        msg["Date"] = format_datetime(mail.created_at)
    if mail.thread_id:
        # Mail clients show the ticket's mails as one conversation.
        msg["In-Reply-To"] = header_text(mail.thread_id)
        msg["References"] = header_text(mail.thread_id)
    # Every message we send is automatic (RFC 3834): vacation responders and other robots
    # must not answer it, and our own intake ignores it if it ever comes back.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(_clean(mail.body))
    if mail.html is not None:
        msg.add_alternative(_clean(mail.html), subtype="html")
    return msg


def _clean(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


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
        try:
            message = build_message(mail, sender=self.sender)
        except MailError:
            raise
        except Exception as exc:
            # Building depends on the message alone: trying again gives the same error.
            raise MailError(f"the message could not be built: {type(exc).__name__}: {exc}",
                            permanent=True) from exc
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
