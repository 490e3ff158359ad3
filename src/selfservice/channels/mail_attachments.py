"""Attachments of an inbound e-mail and the limits that decide which are accepted.

One :class:`AttachmentLimits` serves e-mail and the customers' uploads (``services.
attachments``): size per file, in total and the count per message (or per ticket or
reply), and the allowed types. An e-mail attachment past a limit is kept as metadata
(name, type, size) without its content, with a :class:`Rejection` saying why in English
and Russian, ready for the reply to the sender and for the ticket history.

Types: an entry with a dot is an extension (``.log``), one with a slash a content type
(``image/png``), ``*`` anything. A file whose name has an extension is allowed when that
extension is listed; a file without one when its declared content type is listed. So a
``report.html`` sent as ``text/plain`` is refused: its name says what it is.
"""

from dataclasses import dataclass, field

__all__ = ["DEFAULT_TYPES", "Attachment", "AttachmentLimits", "MailLimits", "RawAttachment",
           "Rejection", "apply_limits", "attachment_notes", "extension_of", "human_size",
           "scanner_rejection", "type_allowed", "type_rejection"]

#: Screenshots, logs, PDF and ZIP (the settings' default).
DEFAULT_TYPES: tuple[str, ...] = (
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".txt", ".log", ".pdf", ".zip",
    "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain", "application/pdf",
    "application/zip",
)


@dataclass(frozen=True)
class AttachmentLimits:
    """Attachment limits; past them an attachment is kept as metadata with a rejection."""

    max_attachment_bytes: int = 10 * 1024 * 1024
    max_total_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 20
    #: Allowed extensions and content types; empty: any type.
    types: tuple[str, ...] = ()

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(t for t in self.types if t.startswith("."))

    @property
    def content_types(self) -> tuple[str, ...]:
        return tuple(t for t in self.types if "/" in t)


#: The name the e-mail intake has always used.
MailLimits = AttachmentLimits


def extension_of(filename: str) -> str:
    """``.log`` of ``Server.LOG``; "" without one."""
    stem, dot, ext = filename.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip() and ext and " " not in ext else ""


def type_allowed(filename: str, content_type: str, limits: AttachmentLimits) -> bool:
    if not limits.types or "*" in limits.types:
        return True
    ext = extension_of(filename)
    if ext:
        return ext in limits.extensions
    return content_type.split(";")[0].strip().lower() in limits.content_types


@dataclass(frozen=True)
class Rejection:
    """Why an attachment was not accepted, ready to show to the sender in both languages."""

    code: str  # too_large | total_too_large | too_many | type_not_allowed | refused_by_scanner
    en: str
    ru: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False, default=b"")
    """The decoded content; empty when the attachment was rejected."""
    inline: bool = False
    content_id: str | None = None
    rejection: Rejection | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


@dataclass
class RawAttachment:
    """An attachment as found in the message, before the limits are applied."""

    filename: str
    content_type: str
    data: bytes
    inline: bool
    content_id: str | None
    charset: str | None


def human_size(n: int, *, ru: bool = False) -> str:
    if n < 1024:
        return f"{n} {'байт' if ru else 'bytes'}"
    if n >= 1024 * 1024:
        value, unit = n / (1024 * 1024), "МБ" if ru else "MB"
    else:
        value, unit = n / 1024, "КБ" if ru else "KB"
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text.replace('.', ',') if ru else text} {unit}"


def apply_limits(raw: list[RawAttachment], limits: AttachmentLimits) -> tuple[Attachment, ...]:
    """Attachments in order; those past a limit carry a rejection and no data."""
    out: list[Attachment] = []
    total = 0
    for i, item in enumerate(raw):
        size = len(item.data)
        name = item.filename
        rejection: Rejection | None = None
        if i >= limits.max_attachments:
            rejection = Rejection(
                "too_many",
                f'The attachment "{name}" was not added: at most {limits.max_attachments} '
                "attachments are accepted per message.",
                f"Вложение «{name}» не добавлено: в одном письме принимается не более "
                f"{limits.max_attachments} вложений.",
            )
        elif not type_allowed(name, item.content_type, limits):
            rejection = type_rejection(name)
        elif size > limits.max_attachment_bytes:
            cap = limits.max_attachment_bytes
            rejection = Rejection(
                "too_large",
                f'The attachment "{name}" ({human_size(size)}) was not added: it is larger than '
                f"the {human_size(cap)} limit per file.",
                f"Вложение «{name}» ({human_size(size, ru=True)}) не добавлено: оно больше "
                f"допустимых {human_size(cap, ru=True)} на файл.",
            )
        elif total + size > limits.max_total_bytes:
            cap = limits.max_total_bytes
            rejection = Rejection(
                "total_too_large",
                f'The attachment "{name}" ({human_size(size)}) was not added: the attachments of '
                f"one message may not exceed {human_size(cap)} in total.",
                f"Вложение «{name}» ({human_size(size, ru=True)}) не добавлено: общий размер "
                f"вложений одного письма не может превышать {human_size(cap, ru=True)}.",
            )
        if rejection is None:
            total += size
        out.append(
            Attachment(
                filename=name,
                content_type=item.content_type,
                size=size,
                data=b"" if rejection else item.data,
                inline=item.inline,
                content_id=item.content_id,
                rejection=rejection,
            )
        )
    return tuple(out)


def type_rejection(name: str) -> Rejection:
    return Rejection(
        "type_not_allowed",
        f'The attachment "{name}" was not added: files of this type are not accepted.',
        f"Вложение «{name}» не добавлено: файлы такого типа не принимаются.",
    )


def scanner_rejection(name: str) -> Rejection:
    return Rejection(
        "refused_by_scanner",
        f'The attachment "{name}" was not added: the virus scanner refused it.',
        f"Вложение «{name}» не добавлено: его отклонила антивирусная проверка.",
    )


def attachment_notes(attachments: tuple[Attachment, ...]) -> list[str]:
    """Lines for the ticket or comment: what was attached, and what was not (and why)."""
    notes: list[str] = []
    kept = [a for a in attachments if a.accepted]
    if kept:
        notes.append("Attachments: " + ", ".join(f"{a.filename} ({human_size(a.size)})"
                                              for a in kept))
    notes.extend(f"Not added: {a.rejection.en}" for a in attachments if a.rejection)
    return notes
