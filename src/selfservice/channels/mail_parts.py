"""The MIME walk of a message: which parts are its readable text, which are attachments.

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
from dataclasses import dataclass, field
from email import policy
from email.message import Message

from selfservice.channels.mail_attachments import RawAttachment
from selfservice.channels.mail_headers import decode_words
from selfservice.channels.mail_text import (
    codec_name,
    decode_bytes,
    html_to_text,
    looks_like_html,
    unflow,
)

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
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")



@dataclass
class Walk:
    texts: list[tuple[str, str]] = field(default_factory=list)  # ("plain"|"html", text)
    attachments: list[RawAttachment] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _payload_bytes(part: Message, walk: Walk) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        walk.defects.append(f"undecodable payload in {part.get_content_type()}: {exc}")
        return b""
    return data if isinstance(data, bytes) else b""


def _part_text(part: Message, walk: Walk) -> str:
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
    name = _UNSAFE_NAME.sub("_", decode_words(str(name))).strip(" .")
    return name[-200:] or None


def _record_types(msg: Message, walk: Walk) -> None:
    try:
        for sub in msg.walk():
            walk.types.append(sub.get_content_type())
            walk.defects.extend(type(d).__name__ for d in sub.defects)
    except Exception:  # pragma: no cover - walk() on a parsed tree does not fail
        pass


def _enclosed(part: Message, walk: Walk) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        _record_types(inner, walk)
        try:
            data = inner.as_bytes(policy=policy.default)
        except Exception:
            data = inner.as_string().encode("utf-8", errors="surrogateescape")
        subject = decode_words(str(inner.get("subject", "") or ""))
    else:
        data, subject = _payload_bytes(part, walk), ""
    name = _filename(part) or (_UNSAFE_NAME.sub("_", subject)[:100] or "message") + ".eml"
    walk.attachments.append(RawAttachment(name, part.get_content_type(), data, False, None, None))


def _attachment(part: Message, ctype: str, walk: Walk) -> None:
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


def _best_alternative(children: list[Message], walk: Walk) -> None:
    """Visit every alternative (for attachments), keep the texts of the best one."""
    candidates: list[list[tuple[str, str]]] = []
    for child in children:
        sub = Walk(attachments=walk.attachments, types=walk.types, defects=walk.defects)
        visit(child, sub)
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


def _visit_report(children: list[Message], walk: Walk) -> None:
    """Only the first, human-readable part of a report is read; the rest is machine data."""
    for i, child in enumerate(children):
        if i == 0:
            visit(child, walk)
        else:
            _record_types(child, walk)


def _is_broken_alternative(part: Message) -> bool:
    return part.get_content_type() == "multipart/alternative" and not isinstance(
        part.get_payload(), list
    )


def _visit_mixed(children: list[Message], walk: Walk) -> None:
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
        visit(child, walk)


def visit(part: Message, walk: Walk) -> None:
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


def body_of(walk: Walk) -> tuple[str, str]:
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
