"""Raw RFC 5322 bytes -> :class:`InboundMail`, the only view of an e-mail the rest uses.

The stdlib parser (``email`` with ``policy.default``) does the MIME work; ``mail_parts``
picks the readable body and the attachments (its docstring has the body rules),
``mail_headers`` the threading and address headers. Parsing never raises: whatever is
odd about a message ends up in :attr:`InboundMail.defects`.
"""

import re
from dataclasses import replace
from email import message_from_bytes, policy

from selfservice.channels.mail_attachments import Attachment, MailLimits, Rejection, apply_limits
from selfservice.channels.mail_headers import (
    addresses,
    all_headers,
    date_of,
    header_values,
    msg_ids,
)
from selfservice.channels.mail_message import InboundMail, MailAddress
from selfservice.channels.mail_parts import Walk, body_of, visit
from selfservice.channels.mail_reply import extract_reply
from selfservice.channels.mail_text import cyrillic_share, decode_bytes, guess_language, storable

__all__ = [
    "Attachment",
    "InboundMail",
    "MailAddress",
    "MailLimits",
    "Rejection",
    "parse_mail",
]

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def _strip_leading_junk(raw: bytes, defects: list[str]) -> bytes:
    """Drop whitespace-only lines and an mbox ``From `` line before the first header."""
    while raw:
        end = raw.find(b"\n")
        first = raw if end < 0 else raw[: end + 1]
        rest = b"" if end < 0 else raw[end + 1 :]
        junk = not first.strip() or (first.startswith(b"From ") and b":" not in first[:5])
        if junk and _HEADER_LINE.match(rest):
            defects.append("leading non-header line removed")
            raw = rest
            continue
        break
    return raw


def parse_mail(raw: bytes, limits: MailLimits | None = None) -> InboundMail:
    """Parse one message. Never raises: problems are listed in ``defects``."""
    limits = limits or MailLimits()
    defects: list[str] = []
    try:
        mail = _parse(_strip_leading_junk(raw, defects), limits, defects)
    except Exception as exc:  # a parser bug must not lose the message
        mail = _unparseable(raw, exc, defects)
    return _storable(mail)


def _storable(mail: InboundMail) -> InboundMail:
    """The message with every text a database can hold (no NUL, no lone surrogate): a
    message is stored, never refused, for a character it should not have had."""

    def addresses(items: tuple[MailAddress, ...]) -> tuple[MailAddress, ...]:
        return tuple(
            replace(a, address=storable(a.address), name=_opt(a.name)) for a in items
        )

    return replace(
        mail,
        message_id=_opt(mail.message_id),
        in_reply_to=_opt(mail.in_reply_to),
        references=tuple(storable(r) for r in mail.references),
        from_address=_opt(mail.from_address),
        from_name=_opt(mail.from_name),
        to=addresses(mail.to),
        cc=addresses(mail.cc),
        reply_to=addresses(mail.reply_to),
        subject=storable(mail.subject),
        body=storable(mail.body),
        reply_text=storable(mail.reply_text),
        attachments=tuple(
            replace(a, filename=storable(a.filename), content_type=storable(a.content_type))
            for a in mail.attachments
        ),
        headers=tuple((storable(k), storable(v)) for k, v in mail.headers),
    )


def _opt(text: str | None) -> str | None:
    return None if text is None else storable(text)


def _parse(raw: bytes, limits: MailLimits, defects: list[str]) -> InboundMail:
    msg = message_from_bytes(raw, policy=policy.default)
    walk = Walk(defects=defects)
    visit(msg, walk)
    body, source = body_of(walk)
    subject = " ".join(header_values(msg, "subject")[:1])
    senders = addresses(msg, "from")
    if not senders:
        defects.append("no usable From address")
    in_reply_to = msg_ids(header_values(msg, "in-reply-to"))
    message_ids = msg_ids(header_values(msg, "message-id"))
    report_type: str | None = None
    if msg.get_content_type() == "multipart/report":
        report_type = str(msg.get_param("report-type", "") or "").lower() or None
    share = cyrillic_share(f"{subject}\n{body}")
    return InboundMail(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(msg_ids(header_values(msg, "references"))),
        from_address=senders[0].address if senders else None,
        from_name=senders[0].name if senders else None,
        to=addresses(msg, "to"),
        cc=addresses(msg, "cc"),
        reply_to=addresses(msg, "reply-to"),
        subject=subject,
        date=date_of(msg),
        body=body,
        body_source=source,
        reply_text=extract_reply(body),
        attachments=apply_limits(walk.attachments, limits),
        lang=guess_language(f"{subject}\n{body}"),
        cyrillic_share=round(share, 3),
        headers=all_headers(msg),
        part_types=tuple(walk.types),
        report_type=report_type,
        defects=tuple(dict.fromkeys(defects)),
    )


def _unparseable(raw: bytes, exc: Exception, defects: list[str]) -> InboundMail:
    text, _used = decode_bytes(raw)
    return InboundMail(
        message_id=None,
        in_reply_to=None,
        references=(),
        from_address=None,
        from_name=None,
        to=(),
        cc=(),
        reply_to=(),
        subject="",
        date=None,
        body=text,
        body_source="",
        reply_text=text,
        attachments=(),
        lang=guess_language(text),
        cyrillic_share=round(cyrillic_share(text), 3),
        headers=(),
        part_types=(),
        report_type=None,
        defects=(*defects, f"unparseable message: {type(exc).__name__}: {exc}"),
    )
