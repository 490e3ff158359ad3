"""Raw RFC 5322 bytes -> :class:`InboundMail`, the only view of an e-mail the rest uses.

The stdlib parser (``email`` with ``policy.default``) does the MIME work; this module
picks the readable body, the attachments and the threading headers, and never raises:
whatever is odd about a message ends up in :attr:`InboundMail.defects`.

Body rules:

* ``multipart/alternative``: the plain-text alternative wins; HTML is converted to text
  when there is no plain one. A part labelled ``text/plain`` whose content is HTML is
  treated as HTML.
* ``multipart/mixed`` and others: the inline text parts are joined in order (an iPhone
  message with text, photo, text keeps both texts).
* ``multipart/report`` (bounces, receipts): only the human-readable first part counts.
* ``message/rfc822`` is never opened for the body: it is an attachment (``*.eml``).
* When there is no text part at all but a text-like attachment (a ``.txt`` sent as
  ``application/octet-stream``), its content becomes the body, charset guessed.
"""

import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from selfservice.channels.mail_attachments import (
    Attachment,
    MailLimits,
    RawAttachment,
    Rejection,
    apply_limits,
)
from selfservice.channels.mail_reply import extract_reply
from selfservice.channels.mail_text import (
    codec_name,
    cyrillic_share,
    decode_bytes,
    guess_language,
    html_to_text,
    looks_like_html,
    repair_surrogates,
    storable,
    unflow,
)
from selfservice.domain.enums import Language

__all__ = [
    "Attachment",
    "InboundMail",
    "MailAddress",
    "MailLimits",
    "Rejection",
    "parse_mail",
]

#: Parts of a report that are machine data, neither body nor attachment.
_REPORT_PARTS = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "message/feedback-report",
        "text/rfc822-headers",
    }
)
_ENCLOSED = frozenset({"message/rfc822", "message/global"})
_TEXT_NAME = re.compile(r"\.(?:txt|log|csv)$", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_MSGID = re.compile(r"<([^<>\s]+)>")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


@dataclass(frozen=True)
class MailAddress:
    address: str
    """The address, lowercased (``user@example.com``)."""
    name: str | None = None
    """The display name, decoded; None when the header has none."""


@dataclass(frozen=True)
class InboundMail:
    message_id: str | None
    """Without angle brackets."""
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    from_name: str | None
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    reply_to: tuple[MailAddress, ...]
    subject: str
    date: datetime | None
    body: str
    """The readable text of the whole message (quotes included)."""
    body_source: str
    """Where the body came from: ``text/plain``, ``text/html``, ``attachment`` or ``""``."""
    reply_text: str
    """The new text only: quoted earlier messages and signatures removed."""
    attachments: tuple[Attachment, ...]
    lang: Language
    cyrillic_share: float
    headers: tuple[tuple[str, str], ...]
    """Top-level headers in order, values decoded and unfolded."""
    part_types: tuple[str, ...]
    """Every MIME type in the message, in order (enclosed messages included)."""
    report_type: str | None
    """``report-type`` of a top-level ``multipart/report`` (``delivery-status`` …)."""
    defects: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        values = self.header_all(name)
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        key = name.lower()
        return [value for hname, value in self.headers if hname.lower() == key]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message ids this message answers, nearest first (In-Reply-To, then References
        from the newest), for finding the ticket a reply belongs to."""
        ids: list[str] = []
        for mid in ([self.in_reply_to] if self.in_reply_to else []) + list(
            reversed(self.references)
        ):
            if mid not in ids:
                ids.append(mid)
        return tuple(ids)

    @property
    def rejected_attachments(self) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if not a.accepted)


# --- headers ------------------------------------------------------------------------------


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded-words and raw 8-bit bytes; never raises."""
    value = repair_surrogates(value)
    if "=?" in value:
        try:
            value = str(make_header(decode_header(value)))
        except Exception:
            pass
    return re.sub(r"\s*[\r\n]+\s*", " ", value).strip()


def _header_values(msg: Message, name: str) -> list[str]:
    try:
        out = [repair_surrogates(str(v)).strip() for v in msg.get_all(name) or []]
    except Exception:
        out = [_decode_words(str(v)) for k, v in msg.raw_items() if k.lower() == name.lower()]
    return [re.sub(r"\s*[\r\n]+\s*", " ", v) for v in out]


def _all_headers(msg: Message) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name, raw in msg.raw_items():
        try:
            value = repair_surrogates(str(msg.policy.header_fetch_parse(name, raw)))
        except Exception:
            value = _decode_words(str(raw))
        out.append((name, re.sub(r"\s*[\r\n]+\s*", " ", value).strip()))
    return tuple(out)


def _addresses(msg: Message, name: str) -> tuple[MailAddress, ...]:
    pairs: list[tuple[str, str]] = []
    try:
        for header in msg.get_all(name) or []:
            for addr in getattr(header, "addresses", ()):
                pairs.append((addr.display_name, addr.addr_spec))
    except Exception:
        raw = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
        pairs = [(_decode_words(n), a) for n, a in getaddresses(raw)]
    out: list[MailAddress] = []
    for display, spec in pairs:
        spec = repair_surrogates(spec or "").strip().strip("<>")
        if "@" not in spec:
            continue
        display = repair_surrogates(display or "").strip()
        out.append(MailAddress(spec.lower(), display or None))
    return tuple(out)


def _msg_ids(values: Iterable[str]) -> list[str]:
    ids: list[str] = []
    for value in values:
        found = _MSGID.findall(value)
        ids.extend(found if found else value.split())
    return ids


def _date(msg: Message) -> datetime | None:
    values = [str(v) for k, v in msg.raw_items() if k.lower() == "date"]
    if not values:
        return None
    try:
        return parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError):
        return None


# --- parts --------------------------------------------------------------------------------


@dataclass
class _Walk:
    texts: list[tuple[str, str]] = field(default_factory=list)  # ("plain"|"html", text)
    attachments: list[RawAttachment] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _payload_bytes(part: Message, walk: _Walk) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        walk.defects.append(f"undecodable payload in {part.get_content_type()}: {exc}")
        return b""
    return data if isinstance(data, bytes) else b""


def _part_text(part: Message, walk: _Walk) -> str:
    data = _payload_bytes(part, walk)
    declared = part.get_content_charset()
    text, used = decode_bytes(data, declared)
    if declared and data and used != codec_name(declared):
        walk.defects.append(f"charset {declared!r} did not fit, decoded as {used}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return text


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return None
    name = _UNSAFE_NAME.sub("_", _decode_words(str(name))).strip(" .")
    return name[-200:] or None


def _record_types(msg: Message, walk: _Walk) -> None:
    try:
        for sub in msg.walk():
            walk.types.append(sub.get_content_type())
            walk.defects.extend(type(d).__name__ for d in sub.defects)
    except Exception:  # pragma: no cover - walk() on a parsed tree does not fail
        pass


def _enclosed(part: Message, walk: _Walk) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        _record_types(inner, walk)
        try:
            data = inner.as_bytes(policy=policy.default)
        except Exception:
            data = inner.as_string().encode("utf-8", errors="surrogateescape")
        subject = _decode_words(str(inner.get("subject", "") or ""))
    else:
        data, subject = _payload_bytes(part, walk), ""
    name = _filename(part) or (_UNSAFE_NAME.sub("_", subject)[:100] or "message") + ".eml"
    walk.attachments.append(RawAttachment(name, part.get_content_type(), data, False, None, None))


def _attachment(part: Message, ctype: str, walk: _Walk) -> None:
    name = _filename(part)
    if name is None:
        ext = mimetypes.guess_extension(ctype, strict=False) or ".bin"
        name = f"attachment-{len(walk.attachments) + 1}{ext}"
    cid = part.get("content-id")
    inline = part.get_content_disposition() == "inline" or (
        part.get_content_disposition() is None and cid is not None
    )
    walk.attachments.append(
        RawAttachment(
            name,
            ctype,
            _payload_bytes(part, walk),
            inline,
            str(cid).strip().strip("<>") if cid else None,
            part.get_content_charset(),
        )
    )


def _best_alternative(children: list[Message], walk: _Walk) -> None:
    """Visit every alternative (for attachments), keep the texts of the best one."""
    candidates: list[list[tuple[str, str]]] = []
    for child in children:
        sub = _Walk(attachments=walk.attachments, types=walk.types, defects=walk.defects)
        _visit(child, sub)
        texts = [(kind, text) for kind, text in sub.texts if text.strip()]
        candidates.append(texts)
    for texts in candidates:
        if texts and all(kind == "plain" for kind, _ in texts):
            walk.texts.extend(texts)
            return
    for texts in candidates:
        if texts:
            walk.texts.extend(texts)
            return


def _visit_report(children: list[Message], walk: _Walk) -> None:
    """Only the first, human-readable part of a report is read; the rest is machine data."""
    for i, child in enumerate(children):
        if i == 0:
            _visit(child, walk)
        else:
            _record_types(child, walk)


def _is_broken_alternative(part: Message) -> bool:
    return part.get_content_type() == "multipart/alternative" and not isinstance(
        part.get_payload(), list
    )


def _visit_mixed(children: list[Message], walk: _Walk) -> None:
    for i, child in enumerate(children):
        if _is_broken_alternative(child):
            # The alternative reused its parent's boundary (an old Outlook Express bug):
            # the parser hands its alternatives to the parent as siblings. Treat the
            # remaining siblings as the alternatives they were meant to be.
            walk.types.append(child.get_content_type())
            walk.defects.extend(type(d).__name__ for d in child.defects)
            walk.defects.append("multipart/alternative reuses the boundary of its parent")
            _best_alternative(children[i + 1 :], walk)
            return
        _visit(child, walk)


def _visit(part: Message, walk: _Walk) -> None:
    ctype = part.get_content_type()
    walk.types.append(ctype)
    walk.defects.extend(type(d).__name__ for d in part.defects)
    if ctype in _ENCLOSED:
        _enclosed(part, walk)
        return
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        if not isinstance(payload, list):
            walk.defects.append(f"{ctype} part without sub-parts")
            return
        children = [c for c in payload if isinstance(c, Message)]
        if ctype == "multipart/alternative":
            _best_alternative(children, walk)
        elif ctype == "multipart/report":
            _visit_report(children, walk)
        else:
            _visit_mixed(children, walk)
        return
    if ctype in _REPORT_PARTS:
        return
    disposition = part.get_content_disposition()
    if ctype in {"text/plain", "text/html"} and disposition != "attachment" and not _filename(part):
        text = _part_text(part, walk)
        is_html = ctype == "text/html" or looks_like_html(text)
        if is_html and ctype == "text/plain":
            walk.defects.append("HTML content labelled text/plain")
        walk.texts.append(("html" if is_html else "plain", text))
        return
    _attachment(part, ctype, walk)


def _body(walk: _Walk) -> tuple[str, str]:
    pieces: list[str] = []
    sources: set[str] = set()
    for kind, text in walk.texts:
        rendered = html_to_text(text) if kind == "html" else text
        if rendered.strip():
            pieces.append(rendered.strip("\n").rstrip())
            sources.add("text/html" if kind == "html" else "text/plain")
    if pieces:
        source = "text/plain" if "text/plain" in sources else "text/html"
        return "\n\n".join(pieces), source
    for item in walk.attachments:
        if item.content_type.startswith("text/") or _TEXT_NAME.search(item.filename):
            text, used = decode_bytes(item.data, item.charset)
            if text.strip():
                walk.defects.append(f"body taken from attachment {item.filename!r} ({used})")
                return text.replace("\r\n", "\n").strip("\n"), "attachment"
    return "", ""


# --- entry point --------------------------------------------------------------------------


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
    walk = _Walk(defects=defects)
    _visit(msg, walk)
    body, source = _body(walk)
    subject = " ".join(_header_values(msg, "subject")[:1])
    senders = _addresses(msg, "from")
    if not senders:
        defects.append("no usable From address")
    in_reply_to = _msg_ids(_header_values(msg, "in-reply-to"))
    message_ids = _msg_ids(_header_values(msg, "message-id"))
    report_type: str | None = None
    if msg.get_content_type() == "multipart/report":
        report_type = str(msg.get_param("report-type", "") or "").lower() or None
    share = cyrillic_share(f"{subject}\n{body}")
    return InboundMail(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(_msg_ids(_header_values(msg, "references"))),
        from_address=senders[0].address if senders else None,
        from_name=senders[0].name if senders else None,
        to=_addresses(msg, "to"),
        cc=_addresses(msg, "cc"),
        reply_to=_addresses(msg, "reply-to"),
        subject=subject,
        date=_date(msg),
        body=body,
        body_source=source,
        reply_text=extract_reply(body),
        attachments=apply_limits(walk.attachments, limits),
        lang=guess_language(f"{subject}\n{body}"),
        cyrillic_share=round(share, 3),
        headers=_all_headers(msg),
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
