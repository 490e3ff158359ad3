"""What an inbound e-mail *is*: a person writing, or a machine answering.

Only :attr:`MailKind.HUMAN` messages may open a ticket, become a comment or get an
automatic reply; everything else is recorded and dropped, which is also what keeps us
out of mail loops with auto-responders.

Decision, first match wins:

1. ``multipart/report; report-type=feedback-report`` (ARF) -> complaint
2. ``report-type=disposition-notification`` (MDN) -> read receipt
3. a delivery-status report or ``X-Failed-Recipients`` -> bounce
4. a null sender (``Return-Path: <>`` / ``X-Envelope-From: <>``) or a mailer-daemon /
   postmaster From, **together with** another bounce sign (the other of the two, a
   bounce subject, a ``text/rfc822-headers`` part) -> bounce. A postmaster From alone is
   a person writing from that mailbox.
5. ``Auto-Submitted`` other than ``no``, ``X-Autoreply``, ``X-Autorespond``,
   ``X-Apple-Action: VACATION``, ``Precedence: bulk|junk|auto_reply``, or an
   auto-reply subject ("Automatic reply:", "Auto reply:", "Out of Office", "Автоответ")
   -> auto-reply
6. a null sender without any bounce sign -> auto-reply (RFC 3834 responders use it)
7. otherwise -> human. ``X-Auto-Response-Suppress`` alone decides nothing: Outlook and
   many notification tools also set it on ordinary mail; it is reported as a signal.

The returned signals list every sign seen, the weak ones that did not decide included,
so a person can see why.
"""

import re
from enum import StrEnum
from typing import NamedTuple

from selfservice.channels.mail_parse import InboundMail

__all__ = [
    "KindResult",
    "MailKind",
    "classify_mail",
    "subject_core",
    "ticket_number_in",
    "ticket_numbers_in",
]


class MailKind(StrEnum):
    HUMAN = "human"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    READ_RECEIPT = "read_receipt"
    COMPLAINT = "complaint"


class KindResult(NamedTuple):
    kind: MailKind
    signals: tuple[str, ...]

    @property
    def may_create_ticket(self) -> bool:
        """Only a person's message may open a ticket or add a comment."""
        return self.kind is MailKind.HUMAN

    @property
    def may_reply(self) -> bool:
        """Only a person gets an automatic answer (no loops with robots)."""
        return self.kind is MailKind.HUMAN


_DAEMONS = frozenset({"mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster"})
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliver(?:ed|able)|delivery\s+(?:status\s+notification|failure|has\s+failed"
    r"|notification)|returned\s+mail|mail\s+delivery\s+(?:failed|failure|system|subsystem)"
    r"|failure\s+notice|non[- ]?delivery|недоставленное|не\s+доставлено|ошибка\s+доставки"
    r"|сообщение\s+не\s+доставлено)",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic\s+reply|auto(?:matic)?[\s-]*(?:reply|response)|autoreply"
    r"|out\s+of\s+(?:the\s+)?office|abwesenheitsnotiz|réponse\s+automatique"
    r"|автоответ|автоматический\s+ответ|нет\s+на\s+месте|вне\s+офиса)\b",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply"})
_TICKET_NUMBER = re.compile(r"\b[A-Z]{3}-\d{6,}\b")
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|rv|tr|ответ|отв|пересл|переслать|пересылка)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+",
    re.IGNORECASE,
)


def _is_null(value: str | None) -> bool:
    return value is not None and value.strip().strip("<>").strip() == ""


def _first_token(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _report_signals(mail: InboundMail) -> tuple[list[str], list[str], list[str]]:
    """(complaint, receipt, bounce) signals from the MIME structure."""
    complaint: list[str] = []
    receipt: list[str] = []
    bounce: list[str] = []
    report = mail.report_type or ""
    if report == "feedback-report":
        complaint.append("multipart/report; report-type=feedback-report")
    elif report == "disposition-notification":
        receipt.append("multipart/report; report-type=disposition-notification")
    elif report == "delivery-status":
        bounce.append("multipart/report; report-type=delivery-status")
    types = set(mail.part_types)
    if "message/feedback-report" in types and not complaint:
        complaint.append("part message/feedback-report")
    if "message/disposition-notification" in types and not receipt:
        receipt.append("part message/disposition-notification")
    if "message/delivery-status" in types and not bounce:
        bounce.append("part message/delivery-status")
    return complaint, receipt, bounce


def _bounce_weak(mail: InboundMail) -> tuple[list[str], list[str]]:
    """(null-sender signals, other weak bounce signals)."""
    null: list[str] = []
    weak: list[str] = []
    if any(_is_null(v) for v in mail.header_all("Return-Path")):
        null.append("Return-Path: <>")
    if any(_is_null(v) for v in mail.header_all("X-Envelope-From")):
        null.append("X-Envelope-From: <>")
    local = (mail.from_address or "").split("@", 1)[0]
    if local in _DAEMONS:
        weak.append("From: mailer-daemon/postmaster")
    if _BOUNCE_SUBJECT.search(mail.subject):
        weak.append(f"bounce subject: {mail.subject[:60]}")
    if "text/rfc822-headers" in mail.part_types:
        weak.append("part text/rfc822-headers")
    return null, weak


def _auto_signals(mail: InboundMail) -> tuple[list[str], list[str]]:
    """(deciding auto-reply signals, weak ones)."""
    strong: list[str] = []
    weak: list[str] = []
    for value in mail.header_all("Auto-Submitted"):
        if _first_token(value) not in {"", "no"}:
            strong.append(f"Auto-Submitted: {value.strip()}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        for value in mail.header_all(name):
            if _first_token(value) not in {"no", "false", "0"}:
                strong.append(f"{name}: {value.strip()}")
    for value in mail.header_all("X-Apple-Action"):
        if "vacation" in value.lower():
            strong.append(f"X-Apple-Action: {value.strip()}")
    for value in mail.header_all("Precedence"):
        if _first_token(value) in _BULK_PRECEDENCE:
            strong.append(f"Precedence: {value.strip()}")
    if _AUTO_SUBJECT.search(mail.subject):
        strong.append(f"auto-reply subject: {mail.subject[:60]}")
    for value in mail.header_all("X-Auto-Response-Suppress"):
        weak.append(f"X-Auto-Response-Suppress: {value.strip()}")
    return strong, weak


def classify_mail(mail: InboundMail) -> KindResult:
    """Decide the kind of ``mail`` and list the signals seen (see the module docs)."""
    complaint, receipt, bounce = _report_signals(mail)
    failed = [f"X-Failed-Recipients: {v.strip()}" for v in mail.header_all("X-Failed-Recipients")]
    null, bounce_weak = _bounce_weak(mail)
    auto, auto_weak = _auto_signals(mail)
    seen = [*complaint, *receipt, *bounce, *failed, *null, *bounce_weak, *auto, *auto_weak]
    signals = tuple(dict.fromkeys(seen))
    if complaint:
        return KindResult(MailKind.COMPLAINT, signals)
    if receipt:
        return KindResult(MailKind.READ_RECEIPT, signals)
    if bounce or failed:
        return KindResult(MailKind.BOUNCE, signals)
    daemon = "From: mailer-daemon/postmaster" in bounce_weak
    if (null and bounce_weak) or (daemon and len(bounce_weak) >= 2):
        return KindResult(MailKind.BOUNCE, signals)
    if auto or null:
        return KindResult(MailKind.AUTO_REPLY, signals)
    return KindResult(MailKind.HUMAN, signals)


def ticket_numbers_in(subject: str) -> list[str]:
    """Every ticket number (``INC-000123``: three capitals, a dash, 6+ digits) in order."""
    return list(dict.fromkeys(_TICKET_NUMBER.findall(subject or "")))


def ticket_number_in(subject: str) -> str | None:
    """The first ticket number in ``subject`` ("Re: [INC-000123] VPN down" -> INC-000123)."""
    found = ticket_numbers_in(subject)
    return found[0] if found else None


def subject_core(subject: str) -> str:
    """``subject`` without reply/forward prefixes (Re:, RE[2]:, Fwd:, AW:, Ответ:, …)."""
    return _PREFIX.sub("", subject or "").strip()
